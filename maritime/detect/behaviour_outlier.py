"""behaviour_outlier: the active model finds a vessel's behaviour unusual (issue 4 rule table).

The active registry model (``ctx.model``, loaded by ``load_context``; None → no events) scores
the feature windows of ``maritime.features``; consecutive windows of one vessel scoring above
the model's calibrated threshold make one event, critical above the model's critical threshold
(calibrated to a ten times lower false-alarm rate). The runner drops the event when a rule
event already covers the stretch.

Windows that began before the first report in the context are not scored (their data is cut by
the context's edge, and each tick would cut them differently), nor are windows with under
``behaviour_min_window_minutes`` of reports (a window just begun says little yet).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maritime.detect.events import Event
from maritime.detect.tracks import TrackContext
from maritime.features import window_features

DETECTOR = "behaviour_outlier"


def _scored_windows(ctx: TrackContext) -> pd.DataFrame:
    model = ctx.model
    windows = window_features(ctx.tracks, ctx.vessels, model.lanes, model.window_minutes)
    begins = ctx.since if ctx.since is not None else ctx.tracks["time"].min()  # an extended track is not rescored
    windows = windows[(windows["window_start"] >= begins)
                      & (windows["span_min"] >= ctx.settings.behaviour_min_window_minutes)].reset_index(drop=True)
    windows["score"] = model.anomaly_scores(windows)
    return windows


def _episodes(flagged: pd.DataFrame, window: pd.Timedelta) -> pd.Series:
    """An episode number per flagged window: consecutive windows of one vessel share one."""
    new_vessel = flagged["mmsi"].ne(flagged["mmsi"].shift())
    not_next = flagged["window_start"].ne(flagged["window_start"].shift() + window)
    return (new_vessel | not_next).cumsum()


def detect_behaviour_outlier(ctx: TrackContext) -> list[Event]:
    model = ctx.model
    if model is None or ctx.tracks.empty:
        return []
    windows = _scored_windows(ctx)
    flagged = windows[windows["score"] > model.threshold].sort_values(["mmsi", "window_start"])
    if flagged.empty:
        return []
    flagged = flagged.assign(episode=_episodes(flagged, pd.Timedelta(minutes=model.window_minutes)).to_numpy())
    top = flagged.loc[flagged.groupby("episode")["score"].idxmax()]
    spans = flagged.groupby("episode").agg(start=("first_time", "min"), end=("last_time", "max"),
                                           detected_at=("last_time", "first"), windows=("score", "size"))
    explanations = model.explain(top)
    events = []
    for (_, best), explanation in zip(top.iterrows(), explanations):
        span = spans.loc[best["episode"]]
        score = float(best["score"])
        events.append(Event(
            kind="behaviour_outlier", mmsi=int(best["mmsi"]),
            start=span["start"].to_pydatetime(), end=span["end"].to_pydatetime(),
            lat=float(best["lat"]) if np.isfinite(best["lat"]) else None,
            lon=float(best["lon"]) if np.isfinite(best["lon"]) else None,
            severity="critical" if score > model.critical_threshold else "warning",
            score=float(np.clip(score, 0.0, 1.0)), detector=DETECTOR,
            detected_at=span["detected_at"].to_pydatetime(),
            evidence={"model_version": model.version, "estimator": model.estimator_name,
                      "score": round(score, 4), "threshold": round(model.threshold, 4),
                      "critical_threshold": round(model.critical_threshold, 4),
                      "windows": int(span["windows"]), "window_minutes": model.window_minutes,
                      "min_window_minutes": ctx.settings.behaviour_min_window_minutes,
                      "unusual_features": explanation},
        ))
    return events
