"""Rule quality on fresh simulated days: per-kind precision, recall and F1 (mean over seeds).

    python benchmarks/rules_quality.py [--seeds 101 102 103] [--hours 24] [--vessels 300]

Each seed: simulate, ingest into a fresh SQLite file, load the simulated zones, run
`maritime detect`, score with `maritime evaluate` against the simulator's labels.
Goals (issue 4): micro F1 >= 0.90, every kind >= 0.80.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path


def one_seed(seed: int, hours: float, vessels: int) -> dict:
    from maritime.config import load_settings
    from maritime.detect.runner import detect_window
    from maritime.evaluate import evaluate_stored, load_labels
    from maritime.geo.zones import read_zones
    from maritime.ingest import ingest_paths
    from maritime.simulate import simulate
    from maritime.store.db import open_store
    from maritime.store.zones import save_zones

    settings = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        simulate(hours=hours, vessels=vessels, seed=seed, out_dir=out)
        engine = open_store(f"sqlite:///{out / 'db.sqlite'}")
        ingest_paths(engine, [str(out / "ais.nmea")], settings=settings.ingest)
        with engine.begin() as connection:
            save_zones(connection, read_zones(out / "zones.geojson"))
        detect_window(engine, None, None, settings.detect)
        with engine.connect() as connection:
            evaluation = evaluate_stored(connection, load_labels(out / "labels.jsonl"))
        engine.dispose()
    return evaluation.as_dict()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--vessels", type=int, default=300)
    args = parser.parse_args()
    f1 = defaultdict(list)
    precision = defaultdict(list)
    recall = defaultdict(list)
    for seed in args.seeds:
        result = one_seed(seed, args.hours, args.vessels)
        rows = dict(result["kinds"], **{"ALL (micro)": result["total"]})
        for kind, s in rows.items():
            f1[kind].append(s["f1"] or 0.0)
            precision[kind].append(s["precision"] if s["precision"] is not None else float("nan"))
            recall[kind].append(s["recall"] or 0.0)
        print(f"seed {seed}: micro F1 {result['total']['f1']:.3f}", flush=True)
    print(f"{'kind':20s} {'precision':>9s} {'recall':>7s} {'F1':>6s}  (mean of {len(args.seeds)} seeds)")
    for kind in f1:
        print(f"{kind:20s} {statistics.fmean(precision[kind]):9.3f} {statistics.fmean(recall[kind]):7.3f} "
              f"{statistics.fmean(f1[kind]):6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
