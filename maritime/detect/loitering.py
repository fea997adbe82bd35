"""loitering: a vessel that should be transiting drifts slowly at sea, away from ports and anchorages.

A report is *slow* when the vessel's mean speed over a centred window of
``loiter_smoothing_minutes`` is below ``loiter_max_mean_sog_kn``. A run of slow
reports at least ``loiter_min_port_distance_m`` from every port and anchorage,
unbroken by a silence of ``gap_min_h`` (that is an ais_gap), lasting at least
``loiter_min_h`` with a mean speed below the threshold, is one episode; it stays
open (``end`` None) while it reaches the vessel's latest report.

Left alone: fishing vessels on their fishing grounds, and the vessels whose work
is to wait at sea: tugs, pilots, dredgers, search and rescue, law enforcement and
military.
"""

from __future__ import annotations

import numpy as np

from maritime.detect.common import (as_datetime, centred_mean, cut_by_window, epoch_s, in_types, last_of_vessel,
                                    new_vessel, newest_s, per_report, rounded, runs, ship_types, speed_kn,
                                    valid_positions, window_start_s)
from maritime.detect.events import Event
from maritime.detect.places import (DREDGING, LAW_ENFORCEMENT, MILITARY, PILOT, SEARCH_AND_RESCUE, TUGS,
                                    away_from_ports, fishing_on_grounds)
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import haversine_m

KIND = "loitering"
EXEMPT_TYPES = TUGS + PILOT + DREDGING + SEARCH_AND_RESCUE + LAW_ENFORCEMENT + MILITARY


def detect_loitering(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    tracks = valid_positions(ctx.tracks)
    if len(tracks) < 2:
        return []
    newest = newest_s(ctx)
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    first = new_vessel(mmsi)
    speed = speed_kn(tracks, t, first)
    types = per_report(ship_types(ctx), mmsi)

    mean_speed = centred_mean(speed, mmsi, t, s.loiter_smoothing_minutes * 30.0)
    candidate = np.nonzero((mean_speed < s.loiter_max_mean_sog_kn) & ~in_types(types, EXEMPT_TYPES))[0]
    flag = np.zeros(len(t), dtype=bool)
    flag[candidate] = (away_from_ports(lat[candidate], lon[candidate], s.loiter_min_port_distance_m)
                       & ~fishing_on_grounds(types[candidate], lat[candidate], lon[candidate]))
    silence = np.concatenate(([True], np.diff(t) > s.gap_min_h * 3600.0))
    starts, ends = runs(flag, first | silence)
    keep = (t[ends] - t[starts] >= s.loiter_min_h * 3600.0) & ~cut_by_window(t[starts], first[starts], window_start_s(ctx, mmsi, t)[starts])
    starts, ends = starts[keep], ends[keep]

    last = last_of_vessel(mmsi)
    times = tracks["time"]
    thresholds = {"loiter_max_mean_sog_kn": s.loiter_max_mean_sog_kn, "loiter_min_h": s.loiter_min_h,
                  "loiter_min_port_distance_m": s.loiter_min_port_distance_m,
                  "loiter_smoothing_minutes": s.loiter_smoothing_minutes}
    events = []
    for a, b in zip(starts, ends):
        run_speed = float(np.nanmean(speed[a:b + 1])) if np.isfinite(speed[a:b + 1]).any() else np.nan
        if not run_speed < s.loiter_max_mean_sog_kn:
            continue
        hours = float(t[b] - t[a]) / 3600.0
        ongoing = bool(last[b]) and newest - t[b] < s.gap_min_h * 3600.0
        start = as_datetime(times.iloc[a])
        evidence = {
            "duration_h": round(hours, 2),
            "mean_sog_kn": rounded(run_speed, 2),
            "reports": int(b - a + 1),
            "first_fix": {"time": start.isoformat(), "lat": round(float(lat[a]), 5), "lon": round(float(lon[a]), 5)},
            "last_fix": {"time": as_datetime(times.iloc[b]).isoformat(), "lat": round(float(lat[b]), 5),
                         "lon": round(float(lon[b]), 5)},
            "displacement_m": round(float(haversine_m(lat[a], lon[a], lat[b], lon[b]))),
            "ship_type": None if not np.isfinite(types[a]) else int(types[a]),
            "thresholds": thresholds,
        }
        events.append(Event(
            kind=KIND, mmsi=int(mmsi[a]), start=start, end=None if ongoing else as_datetime(times.iloc[b]),
            lat=float(lat[a]), lon=float(lon[a]), severity="warning",
            score=round(min(1.0, hours / (2.0 * s.loiter_min_h)), 3), detector=KIND, evidence=evidence,
            detected_at=as_datetime(t[a] + s.loiter_min_h * 3600.0)))
    return events
