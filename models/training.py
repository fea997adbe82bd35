"""`maritime train`: stored tracks and labels → features → fitted, calibrated, evaluated, registered model.

The training window is split in time: the earlier part fits the lanes and the estimator, the
latest ``holdout_fraction`` (cut at a window boundary) calibrates the threshold to the stated
false-alarm rate and measures PR-AUC per behaviour kind. The registered model is the one
fitted on the earlier part, so its threshold and figures describe exactly what is stored.
"""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd
from sqlalchemy import Engine
from threadpoolctl import threadpool_limits

from maritime.config import ModelSettings
from maritime.detect.tracks import load_tracks, load_vessels
from maritime.errors import MaritimeError
from maritime.features import FEATURE_COLUMNS, WINDOW_MINUTES, LaneGrid, window_features
from maritime.model_registry import ModelVersion, promote, register_model
from models.calibration import CRITICAL_RATE_FACTOR, calibrate_threshold
from models.estimators import ANOMALOUS, ESTIMATORS, NORMAL
from models.evaluation import evaluate_scores
from models.labels import feedback_labels, read_labels, window_targets

Progress = Callable[[str], None]
STEPS = ("loading tracks", "computing features", "fitting", "calibrating and evaluating", "saving")
HASHED_COLUMNS = ["mmsi", "time", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type"]


@dataclass
class TrainingData:
    """Feature windows of a training window, their targets, and the time split."""

    windows: pd.DataFrame
    targets: pd.DataFrame
    lanes: LaneGrid
    fit_rows: np.ndarray  # boolean, windows before the cut
    since: datetime
    until: datetime
    cut: datetime
    data_hash: str
    label_counts: dict = field(default_factory=dict)

    @property
    def X(self) -> np.ndarray:
        return self.windows[list(FEATURE_COLUMNS)].to_numpy(dtype=float)


@dataclass
class TrainedModel:
    estimator: object  # the models.estimators wrapper
    threshold: float
    critical_threshold: float
    metrics: dict
    artifact: dict


def data_hash(tracks: pd.DataFrame, labels: pd.DataFrame) -> str:
    digest = hashlib.sha256()
    digest.update(pd.util.hash_pandas_object(tracks[HASHED_COLUMNS], index=False).to_numpy().tobytes())
    if not labels.empty:
        digest.update(pd.util.hash_pandas_object(labels.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _time_cut(since: pd.Timestamp, until: pd.Timestamp, holdout_fraction: float) -> pd.Timestamp:
    cut = (since + (until - since) * (1.0 - holdout_fraction)).floor(f"{WINDOW_MINUTES}min")
    if cut <= since:
        raise MaritimeError(f"training window {since} – {until} is too short to hold out "
                            f"{holdout_fraction:.0%} of it: give at least a few hours")
    return cut


def build_training_data(tracks: pd.DataFrame, vessels: pd.DataFrame, labels: pd.DataFrame,
                        holdout_fraction: float, label_counts: Optional[dict] = None) -> TrainingData:
    """Lanes from the earlier part of ``tracks``, features and targets for every window, the split."""
    if tracks.empty:
        raise MaritimeError("no stored positions in the training window")
    since, until = tracks["time"].min(), tracks["time"].max()
    cut = _time_cut(since, until, holdout_fraction)
    lanes = LaneGrid.learn(tracks[tracks["time"] < cut], vessels)
    windows = window_features(tracks, vessels, lanes)
    targets = window_targets(windows, labels)
    fit_rows = (windows["window_start"] < cut).to_numpy()
    if fit_rows.all() or not fit_rows.any():
        raise MaritimeError("the training window has no windows on one side of the hold-out cut")
    return TrainingData(windows, targets, lanes, fit_rows, since.to_pydatetime(), until.to_pydatetime(),
                        cut.to_pydatetime(), data_hash(tracks, labels), label_counts or {})


def load_training_data(engine: Engine, since: Optional[datetime], until: Optional[datetime],
                       label_paths: list[Path], use_feedback: bool, holdout_fraction: float,
                       progress: Progress = lambda step: None) -> TrainingData:
    progress(STEPS[0])
    labels = read_labels(label_paths)
    with engine.connect() as connection:
        tracks = load_tracks(connection, since, until)
        vessels = load_vessels(connection)
        if use_feedback:
            labels = pd.concat([labels, feedback_labels(connection, since, until)], ignore_index=True)
    counts = labels["source"].value_counts().to_dict()
    progress(STEPS[1])
    return build_training_data(tracks, vessels, labels, holdout_fraction, counts)


def _reference(X: np.ndarray) -> dict:
    """Training medians and spreads (the larger of the interquartile range and the standard deviation,
    1 where both are 0), to explain scores: a feature with nearly all windows at one value (straightness
    1.0) would otherwise look extreme at any other value."""
    median = np.median(X, axis=0)
    q25, q75 = np.percentile(X, [25, 75], axis=0)
    scale = np.maximum(q75 - q25, X.std(axis=0))
    return {"median": median, "scale": np.where(scale > 0, scale, 1.0)}


def _plain(value):
    """JSON-safe copies of metric values (numpy scalars to Python)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def fit_model(data: TrainingData, estimator: str, settings: ModelSettings, random_state: int = 0,
              progress: Progress = lambda step: None) -> TrainedModel:
    """Fit on the earlier windows, calibrate and evaluate on the held-out ones."""
    if estimator not in ESTIMATORS:
        raise MaritimeError(f"unknown estimator {estimator!r}: choose one of {', '.join(ESTIMATORS)}")
    X, y = data.X, data.targets["y"].to_numpy()
    fit, held = data.fit_rows, ~data.fit_rows
    if estimator == "gbm" and not (y[fit] == ANOMALOUS).any():
        raise MaritimeError("gbm learns from labelled anomalies and the training part has none: give --labels "
                            "FILE (e.g. a simulation's labels.jsonl), have analysts acknowledge events, or "
                            "use --estimator iforest")
    progress(STEPS[2])
    started = clock.perf_counter()
    model = ESTIMATORS[estimator](random_state=random_state)
    with threadpool_limits(limits=settings.threads):
        model.fit(X[fit], y[fit])
        fit_seconds = clock.perf_counter() - started
        progress(STEPS[3])
        scores = -model.score_samples(X[held])
    normal = ~data.targets["labelled"].to_numpy()[held]
    hours = held.sum() * WINDOW_MINUTES / 60.0
    rate = settings.false_alarms_per_1000_vessel_hours
    warning = calibrate_threshold(scores, normal, hours, rate)
    critical = calibrate_threshold(scores, normal, hours, rate * CRITICAL_RATE_FACTOR)
    critical_threshold = max(critical.threshold, warning.threshold)
    evaluation = evaluate_scores(scores, data.targets[held], warning.threshold)
    metrics = _plain({
        "heldout": evaluation,
        "train": {"windows": int(fit.sum()), "anomalous": int((y[fit] == ANOMALOUS).sum()),
                  "normal": int((y[fit] == NORMAL).sum()), "vessel_hours": float(fit.sum() * WINDOW_MINUTES / 60)},
        "calibration": {"target_per_1000_vessel_hours": warning.target_per_1000_vessel_hours,
                        "achieved_per_1000_vessel_hours": round(warning.achieved_per_1000_vessel_hours, 3),
                        "false_alarms": warning.false_alarms, "vessel_hours": warning.vessel_hours},
        "critical_threshold": critical_threshold,
        "holdout_from": data.cut.isoformat(),
        "labels": data.label_counts,
        "fit_seconds": round(fit_seconds, 2),
        "params": model.get_params(),
    })
    artifact = {"estimator": model.estimator_, "features": list(FEATURE_COLUMNS), "lanes": data.lanes.to_dict(),
                "window_minutes": WINDOW_MINUTES, "reference": _reference(X[fit][y[fit] == NORMAL])}
    return TrainedModel(model, warning.threshold, critical_threshold, metrics, artifact)


@dataclass
class TrainReport:
    entry: ModelVersion
    seconds: float
    promoted: bool


def train(engine: Engine, settings: ModelSettings, *, since: Optional[datetime] = None,
          until: Optional[datetime] = None, label_paths: tuple[Path, ...] = (), estimator: str = "gbm",
          use_feedback: bool = True, random_state: int = 0, created_by: Optional[str] = None,
          notes: Optional[str] = None, promote_after: bool = False,
          progress: Progress = lambda step: None) -> TrainReport:
    """Train, calibrate, evaluate and register one model; optionally promote it."""
    started = clock.perf_counter()
    data = load_training_data(engine, since, until, list(label_paths), use_feedback, settings.holdout_fraction,
                              progress)
    trained = fit_model(data, estimator, settings, random_state, progress)
    progress(STEPS[4])
    trained.metrics["train_seconds"] = round(clock.perf_counter() - started, 2)
    entry = register_model(engine, trained.artifact, estimator=estimator, threshold=trained.threshold,
                           metrics=trained.metrics, data_hash=data.data_hash, train_since=since or data.since,
                           train_until=until or data.until, created_by=created_by, notes=notes, settings=settings)
    if promote_after:
        with engine.begin() as connection:
            entry = promote(connection, entry.version, created_by)
    return TrainReport(entry, clock.perf_counter() - started, promote_after)
