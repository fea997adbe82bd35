"""circle_spoofing: positions tracing a circle round a fixed point, as GNSS spoofers draw them.

Two signs, either is enough:

*a circle*: fixes (thinned to one per ``circle_step_s``) turning the same way step
after step at a steady speed until the course has swept ``circle_min_sweep_deg``;
a least-squares circle through them fits with radius residuals within
``circle_max_residual_ratio`` of the radius and they sweep as far around its centre.
Spoofed circles are drawn at ship speeds around a fixed point (C4ADS, "Above Us Only
Stars", 2019; SkyTruth's "crop circles" off Shanghai, 2019-2020).

*moving while moored*: nav status at anchor (1) or moored (5) with SOG above
``anchored_max_sog_kn`` for at least ``speed_min_reports`` reports and
``anchored_min_minutes``, while the fixes go nowhere (net displacement less than half
of what the reported speed would cover). A crew that forgot to change the status
under way fails the last test: its fixes make progress.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from maritime.detect.common import as_datetime, epoch_s, new_vessel, rounded, runs, valid_positions
from maritime.detect.events import Event
from maritime.detect.spoofing import fix_evidence, jump_limit_kn, step_kinematics
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import EARTH_RADIUS_M, KNOT_MS, haversine_m

MOORED_STATUSES = (1.0, 5.0)  # ITU-R M.1371 navigational status: at anchor, moored
GOING_NOWHERE_RATIO = 0.5  # net displacement / (mean SOG × duration) below this: not making way


@dataclass(frozen=True)
class Circle:
    """One vessel's circling stretch (either sign); times are unix seconds."""

    mmsi: int
    start_s: float
    end_s: float
    detected_s: float
    lat: float  # the circle's centre, or where the moored vessel lay
    lon: float
    sign: str  # "circle" | "moving_while_moored"
    evidence: dict = field(default_factory=dict)


def _local_xy(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> tuple[np.ndarray, np.ndarray]:
    k = np.pi / 180.0 * EARTH_RADIUS_M
    return (lon - lon0) * k * np.cos(np.radians(lat0)), (lat - lat0) * k


def fit_circle(x: np.ndarray, y: np.ndarray) -> Optional[tuple[float, float, float]]:
    """Least-squares (Kåsa) circle through points in metres: centre x, centre y, radius; None if degenerate."""
    xm, ym = x.mean(), y.mean()
    u, v = x - xm, y - ym
    design = np.column_stack((2 * u, 2 * v, np.ones_like(u)))
    (cu, cv, c), *_ = np.linalg.lstsq(design, u * u + v * v, rcond=None)
    r2 = c + cu * cu + cv * cv
    if not np.isfinite(r2) or r2 <= 0:
        return None
    return xm + cu, ym + cv, float(np.sqrt(r2))


def _trim(turn: np.ndarray, speed: np.ndarray, speed_before: float) -> tuple[int, int]:
    """Drop leading/trailing turns unlike the stretch's middle (the way in and out of a circle).

    A turn joins two steps: ``speed`` is the step into each turn's fix, ``speed_before``
    the step before the first.
    """
    median_turn, median_speed = np.median(np.abs(turn)), np.median(speed)
    odd_speed = np.abs(speed - median_speed) > 0.5 * median_speed
    odd_speed_before = np.concatenate(([abs(speed_before - median_speed) > 0.5 * median_speed], odd_speed[:-1]))
    unlike = ((np.abs(turn) < 0.3 * median_turn) | (np.abs(turn) > 3.0 * median_turn) | odd_speed
              | odd_speed_before)
    a, b = 0, len(turn) - 1
    while a < b and unlike[a]:
        a += 1
    while b > a and unlike[b]:
        b -= 1
    return a, b


def _circles(ctx: TrackContext) -> list[Circle]:
    s = ctx.settings
    fixes = valid_positions(ctx.tracks)
    if len(fixes) < 3:
        return []
    t = epoch_s(fixes["time"])
    mmsi = fixes["mmsi"].to_numpy()
    # one fix per step: at a few seconds apart, metres of GNSS noise swamp the course
    bucket = np.floor(t / s.circle_step_s)
    keep = new_vessel(mmsi)
    keep[1:] |= bucket[1:] != bucket[:-1]
    t, mmsi = t[keep], mmsi[keep]
    lat, lon = fixes["lat"].to_numpy(dtype=float)[keep], fixes["lon"].to_numpy(dtype=float)[keep]
    first = new_vessel(mmsi)
    _, speed, course = step_kinematics(t, lat, lon, first)
    _, _, limit = jump_limit_kn(ctx, mmsi)
    moving = (speed >= s.circle_min_speed_kn) & (speed <= limit)
    turn = np.full(len(t), np.nan)
    turn[1:] = (course[1:] - course[:-1] + 180.0) % 360.0 - 180.0
    valid = moving & np.concatenate(([False], moving[:-1])) & ~first
    turn[~valid] = np.nan
    found = []
    for direction in (1.0, -1.0):
        turning = valid & (np.sign(turn) == direction)
        # one noisy step the other way does not end a circle
        between = np.zeros_like(turning)
        between[1:-1] = valid[1:-1] & turning[:-2] & turning[2:] & ~first[1:-1] & ~first[2:]
        turning |= between
        starts, ends = runs(turning, first)
        swept = np.concatenate(([0.0], np.cumsum(np.nan_to_num(turn))))
        sweep = np.abs(swept[ends + 1] - swept[starts])
        for a, b in zip(starts[sweep >= s.circle_min_sweep_deg], ends[sweep >= s.circle_min_sweep_deg]):
            circle = _check_circle(ctx, mmsi, t, lat, lon, speed, turn, a, b)
            if circle is not None:
                found.append(circle)
    return found


def _check_circle(ctx, mmsi, t, lat, lon, speed, turn, a: int, b: int) -> Optional[Circle]:
    """Fit and test one candidate stretch: turns at rows a..b (fixes a-2..b)."""
    s = ctx.settings
    lo, hi = _trim(turn[a:b + 1], speed[a:b + 1], speed[a - 1])
    a, b = a + lo, a + hi
    rows = np.arange(a - 2, b + 1)
    if len(rows) < s.circle_min_fixes:
        return None
    x, y = _local_xy(lat[rows], lon[rows], lat[rows[0]], lon[rows[0]])
    fit = fit_circle(x, y)
    if fit is None:
        return None
    cx, cy, radius = fit
    residual = float(np.sqrt(np.mean((np.hypot(x - cx, y - cy) - radius) ** 2)) / radius)
    around = np.unwrap(np.arctan2(y - cy, x - cx))
    sweep_deg = float(np.degrees(abs(around[-1] - around[0])))
    steps = speed[rows[1:]]
    speed_cv = float(np.std(steps) / np.mean(steps))
    if residual > s.circle_max_residual_ratio or speed_cv > s.circle_max_speed_cv \
            or sweep_deg < s.circle_min_sweep_deg:
        return None
    centre_lat = lat[rows[0]] + np.degrees(cy / EARTH_RADIUS_M)
    centre_lon = lon[rows[0]] + np.degrees(cx / (EARTH_RADIUS_M * np.cos(np.radians(lat[rows[0]]))))
    course_swept = np.cumsum(np.abs(turn[a:b + 1]))
    detected = a + int(np.searchsorted(course_swept, s.circle_min_sweep_deg))
    return Circle(
        mmsi=int(mmsi[a]), start_s=float(t[rows[0]]), end_s=float(t[b]), detected_s=float(t[min(detected, b)]),
        lat=float(centre_lat), lon=float(centre_lon), sign="circle",
        evidence={"centre": {"lat": round(float(centre_lat), 5), "lon": round(float(centre_lon), 5)},
                  "radius_m": round(radius), "residual_ratio": round(residual, 3), "sweep_deg": round(sweep_deg),
                  "clockwise": bool(turn[a] > 0), "mean_speed_kn": rounded(float(np.mean(steps))),
                  "speed_cv": round(speed_cv, 3), "n_fixes": int(len(rows)),
                  "first": fix_evidence(t[rows[0]], lat[rows[0]], lon[rows[0]]),
                  "last": fix_evidence(t[b], lat[b], lon[b])},
    )


def _moving_while_moored(ctx: TrackContext) -> list[Circle]:
    s = ctx.settings
    fixes = valid_positions(ctx.tracks)
    if fixes.empty:
        return []
    sog = fixes["sog"].to_numpy(dtype=float)
    status = fixes["nav_status"].to_numpy(dtype=float)
    fast = np.isin(status, MOORED_STATUSES) & (np.nan_to_num(sog) > s.anchored_max_sog_kn)
    mmsi, t = fixes["mmsi"].to_numpy(), epoch_s(fixes["time"])
    lat, lon = fixes["lat"].to_numpy(dtype=float), fixes["lon"].to_numpy(dtype=float)
    starts, ends = runs(fast, new_vessel(mmsi))
    sustained = (ends - starts + 1 >= s.speed_min_reports) & (t[ends] - t[starts] >= s.anchored_min_minutes * 60.0)
    found = []
    for a, b in zip(starts[sustained], ends[sustained]):
        duration = t[b] - t[a]
        mean_sog = float(np.mean(sog[a:b + 1]))
        net = float(haversine_m(lat[a], lon[a], lat[b], lon[b]))
        expected = mean_sog * KNOT_MS * duration
        if net >= GOING_NOWHERE_RATIO * expected:
            continue
        lasted = a + int(np.searchsorted(t[a:b + 1], t[a] + s.anchored_min_minutes * 60.0))
        detected = max(a + s.speed_min_reports - 1, lasted)
        found.append(Circle(
            mmsi=int(mmsi[a]), start_s=float(t[a]), end_s=float(t[b]), detected_s=float(t[detected]),
            lat=float(np.mean(lat[a:b + 1])), lon=float(np.mean(lon[a:b + 1])), sign="moving_while_moored",
            evidence={"nav_status": int(status[a]), "mean_sog_kn": rounded(mean_sog),
                      "max_sog_kn": rounded(float(np.max(sog[a:b + 1]))), "n_reports": int(b - a + 1),
                      "net_displacement_m": round(net), "distance_at_sog_m": round(expected),
                      "first": fix_evidence(t[a], lat[a], lon[a]), "last": fix_evidence(t[b], lat[b], lon[b])},
        ))
    return found


def find_circles(ctx: TrackContext) -> list[Circle]:
    """Every circling stretch, both signs, sorted by vessel and time (also used by gnss_interference)."""
    return sorted(_circles(ctx) + _moving_while_moored(ctx), key=lambda c: (c.mmsi, c.start_s))


def detect_circle_spoofing(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    thresholds = {"circle_min_sweep_deg": s.circle_min_sweep_deg,
                  "circle_max_residual_ratio": s.circle_max_residual_ratio,
                  "circle_max_speed_cv": s.circle_max_speed_cv, "circle_min_speed_kn": s.circle_min_speed_kn,
                  "anchored_max_sog_kn": s.anchored_max_sog_kn, "anchored_min_minutes": s.anchored_min_minutes}
    # both signs on one stretch of one vessel are one event
    merged: list[list[Circle]] = []
    for circle in find_circles(ctx):
        if merged and merged[-1][0].mmsi == circle.mmsi and circle.start_s <= max(c.end_s for c in merged[-1]):
            merged[-1].append(circle)
        else:
            merged.append([circle])
    events = []
    for group in merged:
        main = next((c for c in group if c.sign == "circle"), group[0])
        start, end = min(c.start_s for c in group), max(c.end_s for c in group)
        both = len({c.sign for c in group}) == 2
        events.append(Event(
            kind="circle_spoofing", mmsi=main.mmsi, start=as_datetime(start), end=as_datetime(end),
            lat=main.lat, lon=main.lon, severity="critical" if both else "warning",
            score=0.9 if both else (0.8 if main.sign == "circle" else 0.6),
            detector="circle_spoofing", detected_at=as_datetime(min(c.detected_s for c in group)),
            evidence={"signs": sorted({c.sign for c in group}), **{c.sign: c.evidence for c in group},
                      **thresholds},
        ))
    return events
