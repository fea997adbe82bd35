"""Benign look-alikes: normal behaviour a careless detector would flag, written to ``benign.jsonl``.

Most come straight from the plans (legs tagged ``meta["benign"]`` and anchorage
waits); GNSS outages (``position_unavailable``: lat 91 / lon 181) are applied to
the reports here; reception holes are found after reception is decided.
"""

from __future__ import annotations

import numpy as np

from maritime.simulate.labels import Label
from maritime.simulate.reporting import (COURSE_UNAVAILABLE, LAT_UNAVAILABLE, LON_UNAVAILABLE, SPEED_UNAVAILABLE,
                                         Transmitter)

GNSS_OUTAGES_PER_VESSEL_DAY = 0.03
RECEPTION_GAP_MIN_S = 15 * 60.0


def _report_span(tx: Transmitter, leg_index: int) -> tuple[int, int] | None:
    rows = np.nonzero(tx.reports.leg == leg_index)[0]
    if len(rows) == 0:
        return None
    return rows[0], rows[-1]


def plan_labels(tx: Transmitter, mmsi_of: dict[int, int], begin: float, end: float) -> list[Label]:
    """Benign labels for the legs of one vessel's plan that fall in the window."""
    labels = []
    r = tx.reports
    for index, leg in enumerate(tx.legs):
        if leg.t1 <= begin or leg.t0 >= end:
            continue
        kind = leg.meta.get("benign") or ("anchorage_wait" if leg.kind == "anchored" else None)
        if kind is None:
            continue
        if leg.silent:  # nothing reported: the label spans the silence, placed at the berth
            labels.append(Label(kind, tx.mmsi, max(leg.t0, begin), min(leg.t1, end), *leg.point))
            continue
        span = _report_span(tx, index)
        if span is None:
            continue
        a, b = span
        other = leg.meta.get("other")
        labels.append(Label(kind, tx.mmsi, float(r.t[a]), float(r.t[b]), float(r.true_lat[a]), float(r.true_lon[a]),
                            other_mmsi=mmsi_of.get(other) if other is not None else None))
    return labels


def apply_gnss_outages(tx: Transmitter, hours: float, rng: np.random.Generator) -> list[Label]:
    """Sometimes a receiver loses its fix: a few minutes of lat 91 / lon 181 (speed and course unavailable)."""
    r = tx.reports
    if len(r) < 10 or rng.random() >= GNSS_OUTAGES_PER_VESSEL_DAY * hours / 24.0:
        return []
    duration = float(rng.uniform(5, 20)) * 60.0
    start = float(rng.uniform(r.t[0], max(r.t[0] + 1, r.t[-1] - duration)))
    rows = np.nonzero((r.t >= start) & (r.t <= start + duration))[0]
    if len(rows) < 2:
        return []
    r.lat[rows], r.lon[rows] = LAT_UNAVAILABLE, LON_UNAVAILABLE
    r.sog[rows], r.cog[rows] = SPEED_UNAVAILABLE, COURSE_UNAVAILABLE
    a, b = rows[0], rows[-1]
    return [Label("position_unavailable", tx.mmsi, float(r.t[a]), float(r.t[b]), float(r.true_lat[a]),
                  float(r.true_lon[a]))]


def reception_hole_labels(mmsi: int, t: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                          heard: np.ndarray) -> list[Label]:
    """Spans of at least 15 minutes in which one transmitter's reports were all lost to reception holes.

    ``t``, ``lat``, ``lon``, ``heard`` are its position reports in time order.
    """
    labels = []
    lost = ~heard
    if not lost.any():
        return labels
    edges = np.diff(np.concatenate(([0], lost.astype(np.int8), [0])))
    for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0] - 1):
        if t[b] - t[a] >= RECEPTION_GAP_MIN_S:
            labels.append(Label("reception_hole", mmsi, float(t[a]), float(t[b]), float(lat[a]), float(lon[a])))
    return labels
