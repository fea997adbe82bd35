"""route_deviation: a vessel leaves the lanes that traffic like it uses.

Lanes come from a :class:`~maritime.detect.lanes.TrafficLanes` fitted on stored
history (``ctx.lanes``, see :mod:`maritime.detect.lane_history`), else on
``ctx.history`` when given, else on the window's own tracks. A report is off
the lanes when it is further from the nearest lane cell of its type group than the group's learned threshold, and at least
``route_deviation_min_port_distance_m`` from ports and anchorages (approaches fan
out from the lanes). Runs of such reports shorter than
``route_deviation_min_part_minutes`` are noise (a spoofed fix or two); longer runs
less than ``route_deviation_merge_minutes`` apart, unbroken by a silence of
``gap_min_h``, are one detour (one crossing another lane on its way is still one),
and a detour is an episode once ``route_deviation_min_minutes`` of it lie off the
lanes. The detour must also leave the vessel's own line: some of
its positions lie ``route_deviation_min_detour_m`` or more from the straight line
between where the vessel was ``route_deviation_context_minutes`` before the run
and after it (or its latest position): a straight passage between two parts of
the lane network, on a route too rare to have a lane yet, is not a deviation.
Lanes learned from less than ``route_deviation_min_history_h`` of traffic are too
sparse to judge by: then nothing is flagged. Only groups with lanes are judged:
merchant ships (passenger, cargo, tanker) and high-speed craft; fishing boats,
tugs, pilots and pleasure craft go where their work is.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from maritime.detect.common import (as_datetime, cut_by_window, epoch_s, join_runs, last_of_vessel, new_vessel,
                                    newest_s, per_report, runs, ship_types, valid_positions, window_start_s)
from maritime.detect.events import Event
from maritime.detect.grid import METRES_PER_DEG
from maritime.detect.lanes import TrafficLanes, course_sector
from maritime.detect.places import away_from_ports
from maritime.detect.tracks import TrackContext

KIND = "route_deviation"


def lane_training(ctx: TrackContext) -> pd.DataFrame:
    """What lanes are learned from without stored history: the context's history, else its tracks."""
    return ctx.history if ctx.history is not None and not ctx.history.empty else ctx.tracks


def fit_lanes(ctx: TrackContext) -> TrafficLanes:
    return TrafficLanes.from_settings(ctx.settings).fit(lane_training(ctx), ship_types(ctx))


def detour_m(lat: np.ndarray, lon: np.ndarray, t: np.ndarray, a: int, b: int, lo: int, hi: int,
             context_s: float) -> float:
    """How far rows a..b stray from the straight line between the vessel's positions ``context_s``
    before row a and after row b (rows lo..hi are the vessel's), in metres."""
    before = lo + int(np.searchsorted(t[lo:hi + 1], t[a] - context_s))
    after = min(lo + int(np.searchsorted(t[lo:hi + 1], t[b] + context_s, side="right")) - 1, hi)
    scale = np.cos(np.radians(lat[before]))
    x = (lon[a:b + 1] - lon[before]) * scale * METRES_PER_DEG
    y = (lat[a:b + 1] - lat[before]) * METRES_PER_DEG
    ex, ey = (lon[after] - lon[before]) * scale * METRES_PER_DEG, (lat[after] - lat[before]) * METRES_PER_DEG
    length2 = ex * ex + ey * ey
    u = np.clip((x * ex + y * ey) / length2, 0.0, 1.0) if length2 > 0 else np.zeros(len(x))
    return float(np.max(np.hypot(x - u * ex, y - u * ey)))


def _rule_true_at(t: np.ndarray, part_starts: np.ndarray, part_ends: np.ndarray, min_s: float) -> float:
    """When the off-lane time summed over a detour's parts first reached ``min_s``."""
    before = 0.0
    for a, b in zip(part_starts, part_ends):
        if before + t[b] - t[a] >= min_s:
            return float(t[a] + min_s - before)
        before += t[b] - t[a]
    return float(t[part_ends[-1]])


def detect_route_deviation(ctx: TrackContext, lanes: Optional[TrafficLanes] = None) -> list[Event]:
    s = ctx.settings
    tracks = valid_positions(ctx.tracks)
    if len(tracks) < 2:
        return []
    lanes = lanes if lanes is not None else ctx.lanes
    if lanes is None:
        times = lane_training(ctx)["time"]
        if (times.max() - times.min()).total_seconds() < s.route_deviation_min_history_h * 3600:
            return []  # too short to learn lanes from: not worth fitting them (a tick's window, every minute)
        lanes = fit_lanes(ctx)
    if lanes.hours_ < s.route_deviation_min_history_h:
        return []
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    types = per_report(ship_types(ctx), mmsi)
    first = new_vessel(mmsi)
    distance, threshold = lanes.distance_m(lat, lon, types, sector=course_sector(tracks, first))
    with np.errstate(invalid="ignore"):
        candidate = np.nonzero(distance > threshold)[0]
    flag = np.zeros(len(t), dtype=bool)
    flag[candidate] = away_from_ports(lat[candidate], lon[candidate], s.route_deviation_min_port_distance_m)
    silence = np.concatenate(([True], np.diff(t) > s.gap_min_h * 3600.0))
    part_starts, part_ends = runs(flag, first | silence)
    substantial = t[part_ends] - t[part_starts] >= s.route_deviation_min_part_minutes * 60.0
    part_starts, part_ends = part_starts[substantial], part_ends[substantial]
    starts, ends, joined = join_runs(part_starts, part_ends, t, first | silence,
                                     s.route_deviation_merge_minutes * 60.0)
    off_lane_s = np.bincount(joined, weights=t[part_ends] - t[part_starts], minlength=len(starts))
    min_s = s.route_deviation_min_minutes * 60.0
    keep = (off_lane_s >= min_s) & ~cut_by_window(t[starts], first[starts], window_start_s(ctx, mmsi, t)[starts])

    newest = newest_s(ctx)
    last = last_of_vessel(mmsi)
    vessel_first = np.maximum.accumulate(np.where(first, np.arange(len(t)), 0))
    vessel_last = np.minimum.accumulate(np.where(last, np.arange(len(t)), len(t))[::-1])[::-1]
    context_s = s.route_deviation_context_minutes * 60.0
    times = tracks["time"]
    events = []
    for j in np.nonzero(keep)[0]:
        a, b = starts[j], ends[j]
        detour = detour_m(lat, lon, t, a, b, vessel_first[a], vessel_last[a], context_s)
        if detour < s.route_deviation_min_detour_m:
            continue
        d = distance[a:b + 1]
        furthest = a + int(np.argmax(np.where(np.isfinite(d), d, lanes.max_distance_m)))
        beyond = not np.isfinite(distance[furthest])  # further than the lanes' raster reaches
        max_d = lanes.max_distance_m if beyond else float(distance[furthest])
        minutes = float(t[b] - t[a]) / 60.0
        ongoing = bool(last[b]) and newest - t[b] < s.gap_min_h * 3600.0
        start = as_datetime(times.iloc[a])
        ratio = max_d / threshold[a]
        evidence = {
            "duration_minutes": round(minutes, 1),
            "off_lane_minutes": round(float(off_lane_s[j]) / 60.0, 1),
            "type_group": lanes.group_name(types[a]),
            "ship_type": None if not np.isfinite(types[a]) else int(types[a]),
            "max_distance_from_lane_m": round(max_d),
            "max_distance_is_lower_bound": beyond,
            "threshold_m": round(float(threshold[a])),
            "detour_m": round(detour),
            "furthest_fix": {"time": as_datetime(times.iloc[furthest]).isoformat(),
                             "lat": round(float(lat[furthest]), 5), "lon": round(float(lon[furthest]), 5)},
            "reports": int(b - a + 1),
            "thresholds": {"route_deviation_percentile": s.route_deviation_percentile,
                           "route_deviation_min_minutes": s.route_deviation_min_minutes,
                           "route_deviation_merge_minutes": s.route_deviation_merge_minutes,
                           "route_deviation_min_part_minutes": s.route_deviation_min_part_minutes,
                           "route_deviation_min_distance_m": s.route_deviation_min_distance_m,
                           "route_deviation_min_port_distance_m": s.route_deviation_min_port_distance_m,
                           "route_deviation_min_detour_m": s.route_deviation_min_detour_m,
                           "route_deviation_context_minutes": s.route_deviation_context_minutes,
                           "lanes_cell_deg": s.lanes_cell_deg, "lanes_min_vessels": s.lanes_min_vessels},
        }
        events.append(Event(
            kind=KIND, mmsi=int(mmsi[a]), start=start, end=None if ongoing else as_datetime(times.iloc[b]),
            lat=float(lat[a]), lon=float(lon[a]), severity="warning" if ratio >= 2.0 else "info",
            score=round(min(1.0, ratio / 4.0), 3), detector=KIND, evidence=evidence,
            detected_at=as_datetime(_rule_true_at(t, part_starts[joined == j], part_ends[joined == j], min_s))))
    return events
