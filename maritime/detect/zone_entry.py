"""zone_entry: a vessel enters a restricted, mine-danger or exclusion zone.

One event per vessel per visit of a zone. A visit is a run of consecutive fixes
inside the zone's polygon, or, between sparse reports, a leg whose straight line
crosses the zone while both its ends lie outside. The entry point and time are
where the leg into the zone crosses its boundary (interpolated along the leg),
or the first fix if the vessel was already inside when first seen. A visit still
inside at the vessel's latest report is open (``end`` None). A lone fix inside,
reached and left at speeds no ship makes, is a displaced position (position_jump),
not a visit.
"""

from __future__ import annotations

import numpy as np
import shapely

from maritime.detect.common import (as_datetime, cut_by_window, epoch_s, last_of_vessel, new_vessel, per_report, runs,
                                    ship_types, valid_positions, window_start_s)
from maritime.detect.coverage import intervals
from maritime.detect.events import Event
from maritime.detect.tracks import TrackContext, Zone

KIND = "zone_entry"
SEVERITY = {"mine_danger": "critical", "restricted": "warning", "exclusion": "warning"}
MAX_LEG_SPEED_KN = 50.0  # a "leg" faster than any ship is a position error, not a crossing


def _crossings(zone: Zone, lat0, lon0, lat1, lon1) -> tuple[np.ndarray, np.ndarray]:
    """For legs that meet the zone's boundary: the first and last crossing as fractions along the leg."""
    n = len(lat0)
    first, last = np.full(n, np.nan), np.full(n, np.nan)
    if n == 0:
        return first, last
    coords = np.stack([np.column_stack((lon0, lat0)), np.column_stack((lon1, lat1))], axis=1)
    legs = shapely.linestrings(coords.reshape(-1, 2), indices=np.repeat(np.arange(n), 2))
    hits = shapely.intersection(legs, shapely.boundary(zone.polygon))
    xy, owner = shapely.get_coordinates(hits, return_index=True)
    if len(owner) == 0:
        return first, last
    span = np.hypot(lon1 - lon0, lat1 - lat0)[owner]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.clip(np.where(span > 0, np.hypot(xy[:, 0] - lon0[owner], xy[:, 1] - lat0[owner]) / span, 0.0),
                       0.0, 1.0)
    np.fmin.at(first, owner, frac)
    np.fmax.at(last, owner, frac)
    return first, last


def _point(lat, lon, t, a: int, frac: float) -> dict:
    """The place and time ``frac`` of the way from report a to report a + 1."""
    return {"time": as_datetime(round(t[a] + frac * (t[a + 1] - t[a]))).isoformat(),
            "lat": round(float(lat[a] + frac * (lat[a + 1] - lat[a])), 5),
            "lon": round(float(lon[a] + frac * (lon[a + 1] - lon[a])), 5)}


def _fix(lat, lon, times, a: int) -> dict:
    return {"time": as_datetime(times.iloc[a]).isoformat(), "lat": round(float(lat[a]), 5),
            "lon": round(float(lon[a]), 5)}


def _event(zone: Zone, mmsi: int, entry: dict, exit_: dict | None, detected_at, how: str, reports: int,
           first_inside: dict | None, ship_type: float, score: float) -> Event:
    evidence = {"zone": zone.name, "zone_kind": zone.kind, "entry": entry, "how": how,
                "first_fix_inside": first_inside, "exit": exit_, "reports_inside": reports,
                "ship_type": None if not np.isfinite(ship_type) else int(ship_type)}
    return Event(kind=KIND, mmsi=int(mmsi), start=as_datetime(entry["time"]),
                 end=None if exit_ is None else as_datetime(exit_["time"]),
                 lat=entry["lat"], lon=entry["lon"], severity=SEVERITY.get(zone.kind, "warning"), score=score,
                 detector=KIND, evidence=evidence, detected_at=detected_at)


def detect_zone_entry(ctx: TrackContext) -> list[Event]:
    tracks = valid_positions(ctx.tracks)
    if tracks.empty or not ctx.zones:
        return []
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    times = tracks["time"]
    first, last = new_vessel(mmsi), last_of_vessel(mmsi)
    window_start = window_start_s(ctx, mmsi, t)
    types = per_report(ship_types(ctx), mmsi)
    legs = intervals(tracks)
    plausible = legs.speed_kn <= MAX_LEG_SPEED_KN
    leg_ok = np.zeros(len(t), dtype=bool)  # the leg from this report to the next is sailable
    leg_ok[legs.first] = plausible
    events = []
    for zone in ctx.zones:
        shapely.prepare(zone.polygon)
        minx, miny, maxx, maxy = zone.polygon.bounds
        near = (lat >= miny) & (lat <= maxy) & (lon >= minx) & (lon <= maxx)
        inside = np.zeros(len(t), dtype=bool)
        if near.any():
            inside[near] = shapely.contains_xy(zone.polygon, lon[near], lat[near])
        # legs whose bounding box meets the zone's: the only ones that can cross it
        a = legs.first
        box = (plausible & (np.minimum(lat[a], lat[a + 1]) <= maxy) & (np.maximum(lat[a], lat[a + 1]) >= miny)
               & (np.minimum(lon[a], lon[a + 1]) <= maxx) & (np.maximum(lon[a], lon[a + 1]) >= minx))
        a = a[box]
        enter, leave = _crossings(zone, lat[a], lon[a], lat[a + 1], lon[a + 1])
        crossing_first = dict(zip(a.tolist(), enter.tolist()))
        crossing_last = dict(zip(a.tolist(), leave.tolist()))

        starts, ends = runs(inside, first)
        keep = ~cut_by_window(t[starts], first[starts], window_start[starts])
        for s_row, e_row in zip(starts[keep], ends[keep]):
            reached = not first[s_row] and leg_ok[s_row - 1]
            if s_row == e_row and not (reached or leg_ok[e_row]):
                continue  # one fix inside, neither reached nor left by a sailable leg
            before = s_row - 1
            if not first[s_row] and np.isfinite(crossing_first.get(before, np.nan)):
                entry, how = _point(lat, lon, t, before, crossing_first[before]), "entered between reports"
            else:
                entry = _fix(lat, lon, times, s_row)
                how = "inside when first seen" if first[s_row] else "first fix inside"
            exit_ = None
            if not last[e_row]:
                frac = crossing_last.get(int(e_row), np.nan)
                exit_ = _point(lat, lon, t, e_row, frac if np.isfinite(frac) else 0.5)
            reports = int(e_row - s_row + 1)
            events.append(_event(zone, mmsi[s_row], entry, exit_, as_datetime(times.iloc[s_row]), how, reports,
                                 _fix(lat, lon, times, s_row), types[s_row], 1.0 if reports > 1 else 0.8))

        # legs that cross the zone with both ends outside: a visit seen only between sparse reports
        for row, enter_frac in crossing_first.items():
            if not np.isfinite(enter_frac) or inside[row] or inside[row + 1]:
                continue
            middle = _point(lat, lon, t, row, (enter_frac + crossing_last[row]) / 2.0)
            if not shapely.contains_xy(zone.polygon, middle["lon"], middle["lat"]):
                continue  # the leg only touches the boundary
            entry = _point(lat, lon, t, row, enter_frac)
            exit_ = _point(lat, lon, t, row, crossing_last[row])
            events.append(_event(zone, mmsi[row], entry, exit_, as_datetime(times.iloc[row + 1]),
                                 "crossed between reports", 0, None, types[row], 0.6))
    return events
