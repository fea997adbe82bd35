"""Rule quality on fresh simulated days: per-kind precision, recall and F1 (mean over seeds).

    python benchmarks/rules_quality.py [--seeds 101 102 103] [--hours 24] [--vessels 300] [--history-days 7]

Each seed: simulate --history-days of ordinary traffic (another fleet, one tenth of the
default anomaly rate: real anomalies are rare, and lanes learned from a week as dense
in injected detours as the judged day would be learned partly from the detours), then
the judged --hours at the default rate; ingest both into a fresh SQLite file, load the
simulated zones, run `maritime detect` over the judged hours (route_deviation learns
its lanes from the stored history before them, as the pipeline does), and score with
`maritime evaluate` against the judged hours' labels.
Goals (issue 4): micro F1 >= 0.90, every kind >= 0.80.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path


JUDGED_START = datetime(2024, 7, 1)
HISTORY_ANOMALY_RATE = 0.1


def one_seed(seed: int, hours: float, vessels: int, history_days: float) -> dict:
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
        start = JUDGED_START
        simulate(hours=hours, vessels=vessels, seed=seed, out_dir=out, start=start)
        recordings = [out / "ais.nmea"]
        if history_days > 0:
            simulate(hours=24 * history_days, vessels=vessels, seed=seed + 10_000, out_dir=out / "history",
                     start=start - timedelta(days=history_days), anomaly_rate=HISTORY_ANOMALY_RATE)
            recordings.insert(0, out / "history" / "ais.nmea")
        engine = open_store(f"sqlite:///{out / 'db.sqlite'}")
        ingest_paths(engine, [str(r) for r in recordings], settings=settings.ingest)
        with engine.begin() as connection:
            save_zones(connection, read_zones(out / "zones.geojson"))
        since, until = start, start + timedelta(hours=hours)
        detect_window(engine, since, until, settings.detect)
        with engine.connect() as connection:
            evaluation = evaluate_stored(connection, load_labels(out / "labels.jsonl"), since, until)
        engine.dispose()
    return evaluation.as_dict()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[101, 102, 103])
    parser.add_argument("--hours", type=float, default=24)
    parser.add_argument("--vessels", type=int, default=300)
    parser.add_argument("--history-days", type=float, default=7.0,
                        help="stored traffic before the judged hours (0: judge a lone day)")
    args = parser.parse_args()
    f1 = defaultdict(list)
    precision = defaultdict(list)
    recall = defaultdict(list)
    for seed in args.seeds:
        result = one_seed(seed, args.hours, args.vessels, args.history_days)
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
