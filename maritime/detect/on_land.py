"""on_land: a vessel reporting positions well inside land, away from ports and their fairways.

The land mask has 1 km cells, so the coast, harbour basins and river fairways read
as land in places. A fix counts as inland when it is land away from ports
(:func:`maritime.geo.land.is_land_away_from_ports`) and the points
``on_land_min_inland_m`` north, east, south and west of it are land too, so a ship
close inshore or in a narrow bay is not inland, a position over 1 km up a hillside
is. ``on_land_min_fixes`` consecutive inland fixes make an event; inland stretches
of one vessel less than ``jump_merge_minutes`` apart are one event.
"""

from __future__ import annotations

import numpy as np

from maritime.detect.common import as_datetime, epoch_s, new_vessel, runs, valid_positions
from maritime.detect.events import Event
from maritime.detect.spoofing import episode_ids, fix_evidence, place_name
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import destination_point
from maritime.geo.land import is_land, is_land_away_from_ports

LONG_STRETCH_MIN = 10.0  # a false position held this long is deliberate, not a glitch: critical


def inland(lat: np.ndarray, lon: np.ndarray, margin_m: float) -> np.ndarray:
    """True where the point and the four points ``margin_m`` away (N, E, S, W) are all land, outside ports."""
    result = np.asarray(is_land(lat, lon), dtype=bool).copy()
    for bearing in (0.0, 90.0, 180.0, 270.0):
        if not result.any():
            return result
        rows = np.nonzero(result)[0]
        a, b = destination_point(lat[rows], lon[rows], bearing, margin_m)
        result[rows] = is_land(a, b)
    rows = np.nonzero(result)[0]
    if len(rows):
        result[rows] = is_land_away_from_ports(lat[rows], lon[rows])
    return result


def detect_on_land(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    fixes = valid_positions(ctx.tracks)
    if fixes.empty:
        return []
    lat, lon = fixes["lat"].to_numpy(dtype=float), fixes["lon"].to_numpy(dtype=float)
    mmsi, t = fixes["mmsi"].to_numpy(), epoch_s(fixes["time"])
    starts, ends = runs(inland(lat, lon, s.on_land_min_inland_m), new_vessel(mmsi))
    long_enough = ends - starts + 1 >= s.on_land_min_fixes
    starts, ends = starts[long_enough], ends[long_enough]
    if len(starts) == 0:
        return []
    # a fix at sea in between (a receiver's stale fix, a true position) does not end the episode
    episode = episode_ids(mmsi[starts], t[starts], t[ends], s.jump_merge_minutes * 60.0)
    events = []
    _, first_run = np.unique(episode, return_index=True)
    for members in np.split(np.arange(len(episode)), first_run[1:]):
        a, b = starts[members[0]], ends[members[-1]]
        inland_rows = np.concatenate([np.arange(starts[m], ends[m] + 1) for m in members])
        detected = starts[members[0]] + s.on_land_min_fixes - 1
        minutes = (t[b] - t[a]) / 60.0
        events.append(Event(
            kind="on_land", mmsi=int(mmsi[a]), start=as_datetime(t[a]), end=as_datetime(t[b]),
            lat=float(lat[a]), lon=float(lon[a]),
            severity="critical" if minutes >= LONG_STRETCH_MIN else "warning",
            score=round(min(1.0, 0.5 + 0.5 * len(inland_rows) / (4.0 * s.on_land_min_fixes)), 3),
            detector="on_land", detected_at=as_datetime(t[detected]),
            evidence={"place": place_name(lat[a], lon[a]), "n_inland_fixes": int(len(inland_rows)),
                      "first": fix_evidence(t[a], lat[a], lon[a]), "last": fix_evidence(t[b], lat[b], lon[b]),
                      "fixes": [fix_evidence(t[i], lat[i], lon[i]) for i in inland_rows[:20]],
                      "minutes": round(minutes, 1), "on_land_min_fixes": s.on_land_min_fixes,
                      "on_land_min_inland_m": s.on_land_min_inland_m},
        ))
    return events
