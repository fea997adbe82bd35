"""route_deviation: a vessel leaves the lanes that traffic like it uses.

Lanes come from a :class:`~maritime.detect.lanes.TrafficLanes` fitted on history
(``ctx.history`` when given, else the window's own tracks); a pipeline can fit one
and pass it in. A report is off the lanes when it is further from the nearest lane
cell of its type group than the group's learned threshold, and at least
``route_deviation_min_port_distance_m`` from ports and anchorages (approaches fan
out from the lanes). A run of such reports lasting ``route_deviation_min_minutes``,
unbroken by a silence of ``gap_min_h``, is one episode; shorter runs are noise
(a spoofed fix or two). Only groups with lanes are judged: cargo, tankers,
passenger ships and high-speed craft; fishing boats, tugs, pilots and pleasure
craft go where their work is.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from maritime.detect.common import (as_datetime, epoch_s, last_of_vessel, new_vessel, newest_s, per_report, runs,
                                    ship_types, valid_positions)
from maritime.detect.events import Event
from maritime.detect.lanes import TrafficLanes
from maritime.detect.places import away_from_ports
from maritime.detect.tracks import TrackContext

KIND = "route_deviation"


def fit_lanes(ctx: TrackContext) -> TrafficLanes:
    """Lanes learned from the context's history, or from its tracks when there is none."""
    history = ctx.history if ctx.history is not None and not ctx.history.empty else ctx.tracks
    return TrafficLanes.from_settings(ctx.settings).fit(history, ship_types(ctx))


def detect_route_deviation(ctx: TrackContext, lanes: Optional[TrafficLanes] = None) -> list[Event]:
    s = ctx.settings
    tracks = valid_positions(ctx.tracks)
    if len(tracks) < 2:
        return []
    lanes = lanes if lanes is not None else fit_lanes(ctx)
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    types = per_report(ship_types(ctx), mmsi)
    distance, threshold = lanes.distance_m(lat, lon, types)
    with np.errstate(invalid="ignore"):
        candidate = np.nonzero(distance > threshold)[0]
    flag = np.zeros(len(t), dtype=bool)
    flag[candidate] = away_from_ports(lat[candidate], lon[candidate], s.route_deviation_min_port_distance_m)
    silence = np.concatenate(([True], np.diff(t) > s.gap_min_h * 3600.0))
    starts, ends = runs(flag, new_vessel(mmsi) | silence)
    long_enough = t[ends] - t[starts] >= s.route_deviation_min_minutes * 60.0
    starts, ends = starts[long_enough], ends[long_enough]

    newest = newest_s(ctx)
    last = last_of_vessel(mmsi)
    times = tracks["time"]
    events = []
    for a, b in zip(starts, ends):
        d = distance[a:b + 1]
        furthest = a + int(np.argmax(np.where(np.isfinite(d), d, lanes.max_distance_m)))
        max_d = float(distance[furthest]) if np.isfinite(distance[furthest]) else None
        minutes = float(t[b] - t[a]) / 60.0
        ongoing = bool(last[b]) and newest - t[b] < s.gap_min_h * 3600.0
        start = as_datetime(times.iloc[a])
        ratio = (max_d if max_d is not None else lanes.max_distance_m) / threshold[a]
        evidence = {
            "duration_minutes": round(minutes, 1),
            "type_group": lanes.group_name(types[a]),
            "ship_type": None if not np.isfinite(types[a]) else int(types[a]),
            "max_distance_from_lane_m": None if max_d is None else round(max_d),
            "beyond_m": lanes.max_distance_m if max_d is None else None,
            "threshold_m": round(float(threshold[a])),
            "furthest_fix": {"time": as_datetime(times.iloc[furthest]).isoformat(),
                             "lat": round(float(lat[furthest]), 5), "lon": round(float(lon[furthest]), 5)},
            "reports": int(b - a + 1),
            "thresholds": {"route_deviation_percentile": s.route_deviation_percentile,
                           "route_deviation_min_minutes": s.route_deviation_min_minutes,
                           "route_deviation_min_distance_m": s.route_deviation_min_distance_m,
                           "route_deviation_min_port_distance_m": s.route_deviation_min_port_distance_m,
                           "lanes_cell_deg": s.lanes_cell_deg, "lanes_min_vessels": s.lanes_min_vessels},
        }
        evidence = {k: v for k, v in evidence.items() if v is not None or k == "ship_type"}
        events.append(Event(
            kind=KIND, mmsi=int(mmsi[a]), start=start, end=None if ongoing else as_datetime(times.iloc[b]),
            lat=float(lat[a]), lon=float(lon[a]), severity="warning" if ratio >= 2.0 else "info",
            score=round(min(1.0, ratio / 4.0), 3), detector=KIND, evidence=evidence,
            detected_at=as_datetime(t[a] + s.route_deviation_min_minutes * 60.0)))
    return events
