"""Ingest speed against bare pyais decoding of the same sentences, in one run.

Writes (once) a file of N sentences with NMEA 4.10 tag blocks: mostly position
reports, some two-part type 5 statics. Then measures
  1. bare pyais: ``pyais.stream.IterMessages`` over the lines + ``.decode()`` of each message;
  2. ``maritime ingest`` of the file into a fresh SQLite file (decode, clean, dedup, store);
and prints both rates and their ratio (goal: ingest ≥ 0.5 × bare pyais), plus peak memory. Each is run
--repeat times, alternately, and the best of each is compared (a shared machine's speed drifts).

    python benchmarks/ingest.py [--sentences 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from functools import reduce
from operator import xor
from pathlib import Path

from pyais import encode_dict
from pyais.stream import IterMessages

OUT = Path(__file__).with_name("out")
T0 = 1_764_000_000


def _tag(sentence: str, seconds: int, source: str, group: str | None = None) -> str:
    body = (f"g:{group}," if group else "") + f"s:{source},c:{seconds}"
    return f"\\{body}*{reduce(xor, body.encode(), 0):02X}\\{sentence}"


def make_file(path: Path, n_sentences: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    pool = []
    for i in range(5_000):
        mmsi = 200_000_000 + rng.randrange(600) * 1_000_000 + rng.randrange(1_000_000)
        msg_type = rng.choice((1, 1, 1, 3, 18))
        data = {"type": msg_type, "mmsi": mmsi, "lat": rng.uniform(41.0, 46.5), "lon": rng.uniform(28.0, 41.0),
                "speed": round(rng.uniform(0, 20), 1), "course": round(rng.uniform(0, 359), 1),
                "heading": rng.randrange(360), "second": rng.randrange(60)}
        pool.append(encode_dict(data, talker_id="AI")[0])
    statics = []
    for i in range(500):
        data = {"type": 5, "mmsi": 272_000_000 + i, "imo": 9_000_000 + i, "callsign": f"UT{i:04d}",
                "shipname": f"VESSEL {i}", "ship_type": 70, "to_bow": 100, "to_stern": 50, "to_port": 10,
                "to_starboard": 10, "draught": 7.5, "destination": "ODESA"}
        statics.append(encode_dict(data, talker_id="AI", seq_id=i % 10))
    written = 0
    group = 0
    with open(path, "w") as handle:
        second = T0
        while written < n_sentences:
            second += 1
            if written % 50 == 0:
                parts = statics[rng.randrange(len(statics))]
                group += 1
                handle.write(_tag(parts[0], second, "rx1", f"1-2-{group}") + "\n")
                handle.write(_tag(parts[1], second, "rx1", f"2-2-{group}") + "\n")
                written += 2
            else:
                handle.write(_tag(pool[written % len(pool)], second, "rx1") + "\n")
                written += 1


def bare_pyais(path: Path) -> tuple[int, float]:
    with open(path, "rb") as handle:
        lines = handle.read().splitlines()
    start = time.perf_counter()
    decoded = 0
    for message in IterMessages(lines):
        message.decode()
        decoded += 1
    return decoded, time.perf_counter() - start


def maritime_ingest(path: Path) -> tuple[int, int, float]:
    from maritime.config import IngestSettings
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store

    with tempfile.TemporaryDirectory() as folder:
        engine = open_store(f"sqlite:///{folder}/bench.sqlite")
        start = time.perf_counter()
        report = ingest_paths(engine, [str(path)], "nmea", IngestSettings())
        seconds = time.perf_counter() - start
        engine.dispose()
    return report.total("decoded"), report.total("stored"), seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="alternated runs of each; the best of each is compared")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"bench_{args.sentences}.nmea"
    if not path.exists():
        print(f"writing {args.sentences:,} sentences to {path} ...", flush=True)
        make_file(path, args.sentences)
    pyais_runs, ingest_runs = [], []
    for _ in range(args.repeat):  # alternated, best of each: the machine's speed drifts during a run
        pyais_runs.append(bare_pyais(path))
        ingest_runs.append(maritime_ingest(path))
    n_pyais, t_pyais = min(pyais_runs, key=lambda r: r[1])
    n_ingest, stored, t_ingest = min(ingest_runs, key=lambda r: r[2])
    spread = lambda times: f"runs {', '.join(f'{t:.1f}' for t in times)} s"
    print(f"bare pyais:       {n_pyais:,} messages in {t_pyais:.1f} s = {n_pyais / t_pyais:,.0f} msg/s "
          f"(best of {spread([r[1] for r in pyais_runs])})", flush=True)
    print(f"maritime ingest:  {n_ingest:,} messages ({stored:,} rows stored) in {t_ingest:.1f} s = "
          f"{n_ingest / t_ingest:,.0f} msg/s (best of {spread([r[2] for r in ingest_runs])})")
    ratio = (n_ingest / t_ingest) / (n_pyais / t_pyais)
    print(f"ratio ingest / bare pyais = {ratio:.2f} (goal >= 0.50)")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory of this process: {peak_mb:,.0f} MB (includes the baseline's lines in memory)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
