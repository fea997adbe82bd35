"""Detection speed: a stored day of 300 vessels, and one pipeline tick over 3,000 vessels.

    python benchmarks/detect.py [--day-vessels 300] [--tick-vessels 3000] [--tick-hours 3]

1. Simulates a day of 300 vessels (~300k position reports), ingests it into a fresh
   SQLite file and times `maritime detect` over the whole day (goal: under 20 s),
   with the time per detector.
2. Simulates --tick-hours of 3,000 vessels, ingests all but the last minute, then
   times one tick: ingest the last minute and detect over the recent window (goal:
   under 2 s).
Simulated data is cached in benchmarks/out/.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).with_name("out")
_TIME = re.compile(rb"c:(\d+)")


def _simulated(hours: float, vessels: int, seed: int) -> Path:
    from maritime.simulate import simulate

    folder = OUT / f"sim_{hours:g}h_{vessels}v_{seed}"
    if not (folder / "ais.nmea").exists():
        print(f"simulating {hours:g} h of {vessels} vessels ...", flush=True)
        simulate(hours=hours, vessels=vessels, seed=seed, out_dir=folder)
    return folder / "ais.nmea"


def day_detection(vessels: int) -> None:
    from maritime.config import load_settings
    from maritime.detect.registry import RULES
    from maritime.detect.runner import detect_window
    from maritime.detect.tracks import load_context
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store

    recording = _simulated(24, vessels, 1)
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/day.sqlite")
        ingest_paths(engine, [str(recording)], settings=settings.ingest)
        started = time.perf_counter()
        report = detect_window(engine, None, None, settings.detect)
        total = time.perf_counter() - started
        print(f"day of {report.vessels} vessels, {report.positions:,} positions: detect {total:.1f} s "
              f"(goal < 20 s), {len(report.events)} events")
        load_started = time.perf_counter()
        with engine.connect() as connection:
            context = load_context(connection, None, None, settings.detect)
        print(f"  loading tracks: {time.perf_counter() - load_started:.2f} s")
        for detect in RULES:
            t = time.perf_counter()
            events = detect(context)
            print(f"  {detect.__name__:32s} {time.perf_counter() - t:6.2f} s  {len(events):4d} events")
        engine.dispose()


def tick(vessels: int, hours: float) -> None:
    from maritime.config import load_settings
    from maritime.ingest import ingest_paths
    from maritime.pipeline import detect_recent
    from maritime.store.db import open_store

    recording = _simulated(hours, vessels, 2)
    lines = recording.read_bytes().splitlines(keepends=True)
    last = max(int(m.group(1)) for line in lines[-5000:] if (m := _TIME.search(line)))
    cut = next(i for i in range(len(lines) - 1, 0, -1)
               if (m := _TIME.search(lines[i])) and int(m.group(1)) < last - 60)
    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        before, minute = Path(folder) / "before.nmea", Path(folder) / "minute.nmea"
        before.write_bytes(b"".join(lines[:cut + 1]))
        minute.write_bytes(b"".join(lines[cut + 1:]))
        engine = open_store(f"sqlite:///{folder}/tick.sqlite")
        ingest_paths(engine, [str(before)], settings=settings.ingest)
        detect_recent(engine, settings)  # the tick before: events so far exist
        started = time.perf_counter()
        ingest_paths(engine, [str(minute)], settings=settings.ingest)
        ingested = time.perf_counter()
        report = detect_recent(engine, settings)
        done = time.perf_counter()
        print(f"tick over {vessels:,} vessels ({hours:g} h stored, last minute {len(lines) - cut - 1:,} lines): "
              f"{done - started:.2f} s (goal < 2 s) = ingest {ingested - started:.2f} s + detect "
              f"{done - ingested:.2f} s; {report.new} new, {report.updated} updated events")
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--day-vessels", type=int, default=300)
    parser.add_argument("--tick-vessels", type=int, default=3000)
    parser.add_argument("--tick-hours", type=float, default=3.0)
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    day_detection(args.day_vessels)
    tick(args.tick_vessels, args.tick_hours)
    return 0


if __name__ == "__main__":
    sys.exit(main())
