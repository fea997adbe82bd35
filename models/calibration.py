"""Thresholds calibrated to a stated false-alarm rate on held-out windows.

A false alarm is a held-out window that touches no anomaly label yet scores above the
threshold. Each window is one vessel-hour (``maritime.features.WINDOW_MINUTES``), so the
rate is counted per 1,000 vessel-hours of held-out data. Counting windows rather than merged
events is conservative: consecutive flagged windows of one vessel become one event.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

DEFAULT_FALSE_ALARMS_PER_1000_VESSEL_HOURS = 1.0
CRITICAL_RATE_FACTOR = 0.1  # critical events: ten times rarer among normal windows than warnings


@dataclass(frozen=True)
class Calibration:
    threshold: float  # alarm when the anomaly score is above it
    target_per_1000_vessel_hours: float
    achieved_per_1000_vessel_hours: float
    false_alarms: int
    vessel_hours: float


def calibrate_threshold(scores: np.ndarray, normal: np.ndarray, vessel_hours: float,
                        per_1000_vessel_hours: float = DEFAULT_FALSE_ALARMS_PER_1000_VESSEL_HOURS) -> Calibration:
    """The lowest threshold at which the normal windows' anomaly ``scores`` raise at most
    ``per_1000_vessel_hours`` alarms per 1,000 of the ``vessel_hours`` they cover.

    ``scores`` are anomaly scores (higher = more anomalous) of held-out windows; ``normal``
    marks those that touch no anomaly label. Ties at the threshold count as not raised.
    """
    if not per_1000_vessel_hours >= 0:
        raise ValueError(f"false-alarm rate must be >= 0, got {per_1000_vessel_hours}")
    if vessel_hours <= 0:
        raise ValueError("no held-out vessel-hours to calibrate on")
    negatives = np.sort(np.asarray(scores, dtype=float)[np.asarray(normal, dtype=bool)])[::-1]
    if len(negatives) == 0:
        raise ValueError("no normal held-out window to calibrate on")
    allowed = math.floor(per_1000_vessel_hours * vessel_hours / 1000.0 + 1e-9)
    threshold = float(negatives[allowed]) if allowed < len(negatives) else float(np.nextafter(negatives[-1], -np.inf))
    raised = int((negatives > threshold).sum())
    return Calibration(threshold, float(per_1000_vessel_hours), raised * 1000.0 / vessel_hours, raised,
                       float(vessel_hours))
