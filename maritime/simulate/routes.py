"""Sea lanes between Black Sea ports that stay at sea.

A lane runs from one port's pilot station (``Port.approach``) to another's:

0. If the straight line between them keeps ~2 km off every coast, that is the lane.
1. Otherwise ``searoute`` gives the shipping-lane network path between the two
   points. Voyages to or from Ukrainian ports follow
   :data:`~maritime.geo.ports.GRAIN_CORRIDOR` instead, joining it at its nearest points.
2. The end legs are pulled taut (searoute snaps to network nodes that can lie
   behind the start, or across a headland from it).
3. Every leg is sampled every 400 m against the land mask; a leg that touches
   land is replaced by an A* path through water at least ~2 km from the coast.

Lanes are cached per process; the harbour legs (berth to pilot station, or a
river fairway) come from :func:`harbour_leg`.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import searoute

from maritime.geo.geodesy import densify, destination_point, haversine_m, initial_bearing_deg
from maritime.geo.land import is_land
from maritime.geo.ports import GRAIN_CORRIDOR, GRAIN_CORRIDOR_PORTS, Port
from maritime.simulate.navgrid import nav_grid

LatLon = tuple[float, float]
LANE_STEP_M = 1_000.0
# pilot stations lie 1.5–4 km off the coast; legs from them may pass that close
INSHORE_END_M = 5_000.0


def _round(p: LatLon) -> LatLon:
    return round(p[0], 4), round(p[1], 4)


@lru_cache(maxsize=4096)
def sea_route(a: LatLon, b: LatLon) -> tuple[LatLon, ...]:
    """Vertices (lat, lon) of a path from a to b that never touches land; a and b must be at sea."""
    grid = nav_grid()
    if grid.segment_clear(a, b, inshore_ends_m=INSHORE_END_M):
        return a, b
    raw = searoute.searoute([a[1], a[0]], [b[1], b[0]])["geometry"]["coordinates"]
    points = [a] + [(float(lat), float(lon)) for lon, lat in raw] + [b]
    points = _pull_ends_taut(points)
    repaired: list[LatLon] = [points[0]]
    for p, q in zip(points[:-1], points[1:]):
        if grid.segment_at_sea(p, q):
            repaired.append(q)
        else:
            repaired.extend(grid.astar(p, q)[1:])
    return tuple(_dedupe(repaired))


def _pull_ends_taut(points: list[LatLon]) -> list[LatLon]:
    """Skip the network nodes near each end that a direct leg, clear of the coast, can bypass."""
    grid = nav_grid()

    def skip_from_start(pts: list[LatLon]) -> list[LatLon]:
        for k in range(min(len(pts) - 1, 5), 1, -1):
            if grid.segment_clear(pts[0], pts[k], inshore_ends_m=INSHORE_END_M):
                return [pts[0]] + pts[k:]
        return pts

    for _ in range(2):  # skipping at one end can open a shortcut at the other
        points = list(reversed(skip_from_start(list(reversed(skip_from_start(points))))))
    return points


def _dedupe(points: list[LatLon]) -> list[LatLon]:
    out = [points[0]]
    for p in points[1:]:
        if haversine_m(out[-1][0], out[-1][1], p[0], p[1]) > 50.0:
            out.append(p)
    if len(out) == 1:
        out.append(points[-1])
    return out


@lru_cache(maxsize=1)
def _corridor_points() -> np.ndarray:
    return densified(GRAIN_CORRIDOR, LANE_STEP_M)


@lru_cache(maxsize=1024)
def lane(origin: Port, destination: Port) -> tuple[LatLon, ...]:
    """Vertices (lat, lon) of the lane from ``origin.approach`` to ``destination.approach``.

    Voyages to or from the Ukrainian ports join the grain corridor at its nearest
    point to each end and follow it in between.
    """
    a, b = _round(origin.approach), _round(destination.approach)
    if origin.name not in GRAIN_CORRIDOR_PORTS and destination.name not in GRAIN_CORRIDOR_PORTS:
        return sea_route(a, b)
    corridor = _corridor_points()
    i = int(np.argmin(haversine_m(corridor[:, 0], corridor[:, 1], a[0], a[1])))
    j = int(np.argmin(haversine_m(corridor[:, 0], corridor[:, 1], b[0], b[1])))
    step = 1 if j >= i else -1
    middle = [(float(lat), float(lon)) for lat, lon in corridor[np.arange(i, j + step, step)]]
    if len(middle) == 1:
        return tuple(_dedupe([*sea_route(a, middle[0]), *sea_route(middle[0], b)[1:]]))
    return tuple(_dedupe([*sea_route(a, middle[0]), *middle[1:-1], *sea_route(middle[-1], b)]))


def harbour_leg(port: Port, outbound: bool) -> tuple[LatLon, ...]:
    """Berth to pilot station (outbound) or back: the port's fairway if it has one, else straight."""
    berth_to_sea = port.fairway if port.fairway else ((port.lat, port.lon), port.approach)
    return tuple(berth_to_sea) if outbound else tuple(reversed(berth_to_sea))


def offset_path(points: np.ndarray, offset_m: float, taper_m: float = 8_000.0) -> np.ndarray:
    """The polyline (N×2 lat, lon) shifted ``offset_m`` to starboard, easing in and out over ``taper_m``.

    Ships on one lane spread over a few hundred metres to a few km; the shift is
    returned only if it stays at sea, else the original path.
    """
    if offset_m == 0.0 or len(points) < 3:
        return points
    lat, lon = points[:, 0], points[:, 1]
    dist = np.concatenate(([0.0], np.cumsum(haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:]))))
    total = dist[-1]
    if total < 3 * taper_m:
        return points
    ahead = initial_bearing_deg(lat[:-1], lon[:-1], lat[1:], lon[1:])
    bearing = np.concatenate((ahead, ahead[-1:]))
    weight = np.clip(np.minimum(dist, total - dist) / taper_m, 0.0, 1.0)
    new_lat, new_lon = destination_point(lat, lon, bearing + 90.0, offset_m * weight)
    shifted = np.column_stack((new_lat, new_lon))
    d_lat, d_lon = densify(shifted[:, 0], shifted[:, 1], 400.0)
    if np.any(is_land(d_lat, d_lon)):
        return points
    return shifted


def densified(points: tuple[LatLon, ...] | np.ndarray, step_m: float = LANE_STEP_M) -> np.ndarray:
    """The path as an N×2 array (lat, lon) with at most ``step_m`` between vertices."""
    arr = np.asarray(points, dtype=float)
    lat, lon = densify(arr[:, 0], arr[:, 1], step_m)
    return np.column_stack((lat, lon))
