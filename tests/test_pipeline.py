"""The live pipeline: ticks over arriving data agree with a run over the stored window, alert within a
tick, survive restarts and never duplicate events."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from maritime.config import load_settings
from maritime.detect.runner import detect_window
from maritime.ingest import ingest_paths
from maritime.pipeline import detect_recent
from maritime.simulate import simulate
from maritime.store.db import open_store
from maritime.store.schema import EventRow

pytestmark = pytest.mark.slow

TICK = timedelta(minutes=30)
# Coverage and lanes are learned from the data itself: a pipeline started cold first needs some.
WARM_UP = timedelta(hours=3)
_TIME = re.compile(rb"c:(\d+)")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    simulate(hours=12, vessels=80, seed=11, out_dir=out, anomalies={
        "ais_gap": 1, "position_jump": 1, "on_land": 1, "speed_anomaly": 1, "identity_change": 1,
        "loitering": 1, "rendezvous": 1, "invalid_identity": 1})
    return out


def _chunks(recording: Path, folder: Path) -> list[Path]:
    """The recording cut into files in data-time order: the warm-up, then one tick of data each."""
    folder.mkdir()
    chunks: dict[int, list[bytes]] = {}
    first = None
    current = 0
    for line in recording.read_bytes().splitlines(keepends=True):
        match = _TIME.search(line)
        if match:
            seconds = int(match.group(1))
            first = seconds if first is None else first
            elapsed = seconds - first
            current = 0 if elapsed < WARM_UP.total_seconds() else \
                1 + int((elapsed - WARM_UP.total_seconds()) // TICK.total_seconds())
        chunks.setdefault(current, []).append(line)
    paths = []
    for index in sorted(chunks):
        path = folder / f"chunk{index:03d}.nmea"
        path.write_bytes(b"".join(chunks[index]))
        paths.append(path)
    return paths


def _events(engine):
    with engine.connect() as connection:
        rows = connection.execute(select(EventRow.id, EventRow.kind, EventRow.mmsi, EventRow.detected_at,
                                         EventRow.status)).all()
    return {r.id: r for r in rows if r.status != "retracted"}


def _first_time(engine):
    from sqlalchemy import func

    from maritime.store.schema import PositionRow

    with engine.connect() as connection:
        return connection.execute(select(func.min(PositionRow.time))).scalar()


def _replay(engine, chunks, settings, restart_at=None, url=None):
    for i, chunk in enumerate(chunks):
        if restart_at is not None and i == restart_at:
            engine.dispose()
            engine = open_store(url)  # a restarted pipeline: nothing carried over but the database
        ingest_paths(engine, [str(chunk)], settings=settings.ingest)
        detect_recent(engine, settings)
    return engine


def test_ticks_give_the_events_of_a_run_over_the_stored_window_and_alert_within_a_tick(scenario, tmp_path):
    settings = load_settings()
    chunks = _chunks(scenario / "ais.nmea", tmp_path / "chunks")
    assert len(chunks) >= 18

    whole = open_store(f"sqlite:///{tmp_path / 'whole.sqlite'}")
    ingest_paths(whole, [str(scenario / "ais.nmea")], settings=settings.ingest)
    detect_window(whole, None, None, settings.detect)
    expected = _events(whole)

    ticked = _replay(open_store(f"sqlite:///{tmp_path / 'ticked.sqlite'}"), chunks, settings)
    got = _events(ticked)

    assert {(e.kind, e.mmsi) for e in expected.values()} == {(e.kind, e.mmsi) for e in got.values()}
    assert set(expected) == set(got), "the same episodes must keep the same event ids"
    warm_until = _first_time(whole) + WARM_UP
    timed = [i for i in got if expected[i].detected_at >= warm_until]
    assert timed, "the scenario must hold events after the warm-up"
    for event_id in timed:
        late = got[event_id].detected_at - expected[event_id].detected_at
        assert timedelta(0) <= late <= TICK + timedelta(minutes=2), (got[event_id].kind, got[event_id].mmsi, late)


def test_events_survive_a_restart_without_loss_or_duplication(scenario, tmp_path):
    settings = load_settings()
    chunks = _chunks(scenario / "ais.nmea", tmp_path / "chunks")
    straight = _replay(open_store(f"sqlite:///{tmp_path / 'straight.sqlite'}"), chunks, settings)
    url = f"sqlite:///{tmp_path / 'restarted.sqlite'}"
    restarted = _replay(open_store(url), chunks, settings, restart_at=len(chunks) // 2, url=url)
    assert _events(restarted).keys() == _events(straight).keys()
    with restarted.connect() as connection:
        ids = connection.execute(select(EventRow.id)).scalars().all()
    assert len(ids) == len(set(ids))
