"""Behaviour models: training time on a week of traffic, and PR-AUC per behaviour kind on fresh data.

1. Training time: a week of simulated traffic (``--vessels``, seed 1) is stored in SQLite and
   `maritime train`'s library call (load tracks, features, fit, calibrate, evaluate, save) is
   timed for each estimator. Goal (issue 4): under 2 minutes. The week's models then score a
   fresh simulation (seed 101), to show what a week of lanes and labels gives.
2. PR-AUC: for each seed, both estimators are trained on ``--train-hours`` of simulated traffic
   with the simulation's labels, then score a fresh simulation (seed + 100, ``--test-hours``)
   through the registry, as the pipeline does. PR-AUC per behaviour kind (loitering,
   route_deviation, rendezvous windows) and pooled; mean over the seeds. Goal: gradient
   boosting ≥ IsolationForest + 0.10. Also the false alarms per 1,000 vessel-hours on the fresh
   data at the threshold calibrated on held-out training data.

Simulations and their stores are kept in benchmarks/out/ and reused.

    python benchmarks/behaviour_models.py [--vessels 300] [--week-hours 168] [--train-hours 48] [--test-hours 24]
                                [--seeds 1 2 3] [--skip-week]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from maritime.config import load_settings
from maritime.detect.tracks import load_tracks, load_vessels
from maritime.features import window_features
from maritime.ingest import ingest_paths
from maritime.model_registry import get_version, load_scoring_model
from maritime.simulate import simulate
from maritime.store.db import open_store
from models.evaluation import evaluate_scores
from models.labels import BEHAVIOUR_KINDS, read_labels, window_targets
from models.training import STEPS, train

OUT = Path(__file__).with_name("out")
ESTIMATORS = ("iforest", "gbm")
KINDS = (*BEHAVIOUR_KINDS, "overall")


def simulated_store(seed: int, hours: float, vessels: int):
    """A stored simulation (made once): the engine and its labels file."""
    folder = OUT / f"sim_s{seed}_h{hours:g}_v{vessels}"
    if not (folder / "labels.jsonl").exists():
        print(f"  simulating {hours:g} h of {vessels} vessels, seed {seed} ...", flush=True)
        started = time.perf_counter()
        simulate(hours=hours, vessels=vessels, seed=seed, out_dir=folder)
        print(f"  simulated in {time.perf_counter() - started:.0f} s", flush=True)
    done = folder / "stored"
    url = f"sqlite:///{folder / 'store.sqlite'}"
    if not done.exists():
        (folder / "store.sqlite").unlink(missing_ok=True)
        started = time.perf_counter()
        report = ingest_paths(open_store(url), [str(folder / "ais.nmea")])
        print(f"  ingested {report.total('stored'):,} records in {time.perf_counter() - started:.0f} s", flush=True)
        done.write_text("ok\n")
    return open_store(url), folder / "labels.jsonl"


def timed_train(engine, labels: Path, estimator: str):
    marks = {}
    report = train(engine, load_settings().models, label_paths=(labels,), estimator=estimator,
                   progress=lambda step: marks.setdefault(step, time.perf_counter()))
    return report, marks


def training_time(vessels: int, hours: float, test_hours: float) -> None:
    """Time training on a long simulation; then score a fresh one (seed 101) with the models it gave."""
    print(f"\n== training time: {hours:g} h of {vessels} vessels (goal < 120 s)")
    engine, labels = simulated_store(1, hours, vessels)
    with engine.connect() as connection:
        positions = len(load_tracks(connection, None, None))
    print(f"  {positions:,} stored positions")
    test_engine, test_labels = simulated_store(101, test_hours, vessels)
    for estimator in ESTIMATORS:
        started = time.perf_counter()
        report, marks = timed_train(engine, labels, estimator)
        ends = [marks[s] for s in STEPS[1:]] + [started + report.seconds]
        parts = "  ".join(f"{step} {end - marks[step]:.1f} s" for step, end in zip(STEPS, ends))
        entry = report.entry
        print(f"  {estimator:8s} {report.seconds:6.1f} s total ({parts}); {entry.metrics['train']['windows']:,} "
              f"training windows; held-out PR-AUC overall {entry.metrics['heldout']['pr_auc']['overall']}",
              flush=True)
        with engine.connect() as connection:
            model = load_scoring_model(get_version(connection, entry.version))
        figures = evaluate_scores(*fresh_scores(model, test_engine, test_labels), model.threshold)
        print(f"           on fresh data (seed 101, {test_hours:g} h): PR-AUC "
              + "  ".join(f"{k} {_f(figures['pr_auc'][k])}" for k in KINDS)
              + f"  | false alarms/1000 vessel-h {figures['false_alarms_per_1000_vessel_hours']:.2f}", flush=True)


def fresh_scores(model, engine, labels: Path):
    with engine.connect() as connection:
        windows = window_features(load_tracks(connection, None, None), load_vessels(connection), model.lanes)
    return model.anomaly_scores(windows), window_targets(windows, read_labels([labels]))


def pr_auc_on_fresh_data(vessels: int, train_hours: float, test_hours: float, seeds: list[int]) -> None:
    print(f"\n== PR-AUC on fresh simulations: train {train_hours:g} h, test {test_hours:g} h, {vessels} vessels")
    results: dict[str, list[dict]] = {e: [] for e in ESTIMATORS}
    for seed in seeds:
        train_engine, train_labels = simulated_store(seed, train_hours, vessels)
        test_engine, test_labels = simulated_store(seed + 100, test_hours, vessels)
        for estimator in ESTIMATORS:
            report, _ = timed_train(train_engine, train_labels, estimator)
            with train_engine.connect() as connection:
                model = load_scoring_model(get_version(connection, report.entry.version))
            scores, targets = fresh_scores(model, test_engine, test_labels)
            figures = evaluate_scores(scores, targets, model.threshold)
            results[estimator].append(figures)
            print(f"  seed {seed} {estimator:8s} PR-AUC " + "  ".join(
                f"{k} {_f(figures['pr_auc'][k])}" for k in KINDS) + f"  | recall {_f(figures['recall']['overall'])}"
                f"  false alarms/1000 vessel-h {figures['false_alarms_per_1000_vessel_hours']:.2f}"
                f"  (positives {figures['positives']['overall']}, windows {figures['windows']:,})", flush=True)
    print(f"\n  mean over seeds {seeds}:")
    means = {e: {k: _mean([r["pr_auc"][k] for r in results[e]]) for k in KINDS} for e in ESTIMATORS}
    for estimator in ESTIMATORS:
        fa = _mean([r["false_alarms_per_1000_vessel_hours"] for r in results[estimator]])
        recall = _mean([r["recall"]["overall"] for r in results[estimator]])
        print(f"  {estimator:8s} " + "  ".join(f"{k} {_f(means[estimator][k])}" for k in KINDS)
              + f"  | recall {_f(recall)}  false alarms/1000 vessel-h {_f(fa)}")
    gains = {k: means["gbm"][k] - means["iforest"][k] for k in KINDS
             if means["gbm"][k] is not None and means["iforest"][k] is not None}
    met = all(gains.get(k, -1.0) >= 0.10 for k in BEHAVIOUR_KINDS)
    print("  gbm - iforest: " + "  ".join(f"{k} {v:+.3f}" for k, v in gains.items())
          + f"  (goal ≥ +0.10 on each behaviour kind: {'met' if met else 'NOT met'})")


def _mean(values):
    values = [v for v in values if v is not None]
    return float(np.mean(values)) if values else None


def _f(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vessels", type=int, default=300)
    parser.add_argument("--week-hours", type=float, default=168.0)
    parser.add_argument("--train-hours", type=float, default=48.0)
    parser.add_argument("--test-hours", type=float, default=24.0)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--skip-week", action="store_true", help="Only the PR-AUC part.")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    if not args.skip_week:
        training_time(args.vessels, args.week_hours, args.test_hours)
    pr_auc_on_fresh_data(args.vessels, args.train_hours, args.test_hours, args.seeds)


if __name__ == "__main__":
    main()
