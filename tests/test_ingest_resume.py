"""An ingest killed part-way (kill -9) and run again ends with exactly the rows of a clean run."""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from maritime.config import IngestSettings
from maritime.ingest import ingest_paths
from maritime.store.db import open_store
from maritime.store.schema import CheckpointRow, PositionRow, RejectTotalRow, StaticRow, VesselRow
from tests.nmea_helpers import traffic_file

pytestmark = pytest.mark.slow


def _content(engine):
    """Everything stored, except the times given to lines without one (they are the time of each ingest)."""
    with engine.connect() as c:
        positions = c.execute(select(PositionRow.__table__)).mappings().all()
        statics = c.execute(select(StaticRow.mmsi, StaticRow.time, StaticRow.name, StaticRow.key)
                            .order_by(StaticRow.key)).all()
        vessels = c.execute(select(VesselRow.mmsi, VesselRow.name, VesselRow.imo, VesselRow.first_seen)
                            .order_by(VesselRow.mmsi)).all()
        totals = c.execute(select(RejectTotalRow.reason, RejectTotalRow.count).order_by(RejectTotalRow.reason)).all()
    untimed_times = {p["time"] for p in positions if not p["time_reported"]}
    assert len(untimed_times) == 1, "a resumed ingest must give untimed lines the time its first run gave them"
    comparable = sorted((p["key"], tuple(v for k, v in p.items() if p["time_reported"] or k != "time"))
                        for p in positions)
    return comparable, statics, vessels, totals


def _checkpoint_offset(url):
    engine = open_store(url)
    try:
        with engine.connect() as c:
            return c.execute(select(CheckpointRow.offset)).scalar() or 0
    finally:
        engine.dispose()


def _wait_until_checkpoint_settles(url, quiet_s=1.0, limit_s=30.0):
    deadline = time.monotonic() + limit_s
    last, since = _checkpoint_offset(url), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < quiet_s:
        time.sleep(0.1)
        now = _checkpoint_offset(url)
        if now != last:
            last, since = now, time.monotonic()


def test_ingest_killed_midway_and_rerun_stores_exactly_the_clean_rows(tmp_path):
    recording = tmp_path / "feed.nmea"
    traffic_file(recording, 120_000)
    size = recording.stat().st_size
    settings = IngestSettings(batch_size=2_000, resume_rewind_bytes=200_000)

    clean = open_store(f"sqlite:///{tmp_path / 'clean.sqlite'}")
    ingest_paths(clean, [str(recording)], settings=settings)

    killed_url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    open_store(killed_url).dispose()
    # The killed runs write through the writer process (what large files use); the final run writes in-process.
    env = dict(os.environ, MARITIME_INGEST_BATCH_SIZE="2000", MARITIME_INGEST_RESUME_REWIND_BYTES="200000",
               MARITIME_INGEST_PARALLEL_WRITE_MIN_BYTES="1")
    kills = 0
    for fraction in (0.3, 0.6):
        process = subprocess.Popen([sys.executable, "-m", "maritime", "--db", killed_url, "ingest", str(recording)],
                                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if _checkpoint_offset(killed_url) >= fraction * size:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
                break
            time.sleep(0.05)
        process.wait()
        _wait_until_checkpoint_settles(killed_url)  # the killed ingest's writer process stops on its own
    assert kills >= 1, "the ingest finished before it could be killed"
    assert 0 < _checkpoint_offset(killed_url) < size

    killed = open_store(killed_url)
    report = ingest_paths(killed, [str(recording)], settings=settings)
    assert report.sources[0].resumed_from
    assert _content(killed) == _content(clean)
