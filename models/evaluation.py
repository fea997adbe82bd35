"""How well a model's anomaly scores find the behaviour kinds on held-out windows.

Per kind, the positives are the windows labelled with that kind and the negatives the windows
that touch no anomaly label (windows of other kinds are left out, so finding a rendezvous is
not counted against loitering). ``overall`` pools the behaviour kinds. PR-AUC is average
precision (``sklearn.metrics.average_precision_score``); with no positive it is ``None``.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score

from models.labels import BEHAVIOUR_KINDS


def _pr_auc(positive: np.ndarray, scores: np.ndarray) -> Optional[float]:
    if not positive.any() or positive.all():
        return None
    return round(float(average_precision_score(positive, scores)), 4)


def evaluate_scores(scores: np.ndarray, targets: pd.DataFrame, threshold: Optional[float] = None,
                    window_hours: float = 1.0, kinds: tuple[str, ...] = BEHAVIOUR_KINDS) -> dict:
    """PR-AUC per kind and overall; with a threshold also recall per kind and the false-alarm rate per
    1,000 vessel-hours (false alarms: flagged windows touching no label; hours: every window).

    ``targets`` is ``models.labels.window_targets`` for the same windows.
    """
    scores = np.asarray(scores, dtype=float)
    normal = ~targets["labelled"].to_numpy()
    pooled = targets[list(kinds)].any(axis=1).to_numpy()
    columns = {**{kind: targets[kind].to_numpy() for kind in kinds}, "overall": pooled}
    result: dict = {"pr_auc": {}, "positives": {}}
    for name, positive in columns.items():
        rows = positive | normal
        result["pr_auc"][name] = _pr_auc(positive[rows], scores[rows])
        result["positives"][name] = int(positive.sum())
    result["windows"] = int(len(scores))
    result["vessel_hours"] = round(len(scores) * window_hours, 2)
    if threshold is not None:
        raised = scores > threshold
        result["recall"] = {name: (round(float(raised[positive].mean()), 4) if positive.any() else None)
                            for name, positive in columns.items()}
        hours = len(scores) * window_hours
        result["false_alarms_per_1000_vessel_hours"] = (round(float(raised[normal].sum() * 1000.0 / hours), 3)
                                                        if hours else None)
    return result
