"""Where an injected event may take place: open water, clearly inland points, water off every lane.

An anomaly must be the only oddity of its reports, so events are put where
nothing benign would look like them: out of ports, anchorages and zones, in
water that shore receivers cover well.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional

import numpy as np

from maritime.geo.geodesy import destination_point
from maritime.geo.land import is_land, is_land_away_from_ports
from maritime.geo.ports import PORTS, distance_to_port_or_anchorage_m
from maritime.simulate.coverage import well_covered
from maritime.simulate.itinerary import allowed_trade
from maritime.simulate.navgrid import CELL_DEG, LAT_MIN, LON_MIN, nav_grid
from maritime.simulate.routes import densified, lane
from maritime.simulate.zones import in_any_zone

OPEN_SEA_FROM_PORTS_M = 30_000.0
LANE_NEIGHBOURHOOD_M = 15_000.0  # a route deviation's far part keeps this far from every lane


def open_sea(lat, lon, from_ports_m: float = OPEN_SEA_FROM_PORTS_M) -> bool:
    """All points in open water (~2 km off any coast), ``from_ports_m`` from ports and anchorages,
    well covered by shore receivers and out of the zones."""
    lat, lon = np.atleast_1d(np.asarray(lat, dtype=float)), np.atleast_1d(np.asarray(lon, dtype=float))
    grid = nav_grid()
    cells = [grid.cell(a, b) for a, b in zip(lat[::5], lon[::5])]
    return bool(
        all(grid.clear[c] for c in cells)
        and np.all(distance_to_port_or_anchorage_m(lat, lon) >= from_ports_m)
        and np.all(well_covered(lat, lon))
        and not np.any(in_any_zone(lat, lon))
    )


@lru_cache(maxsize=1)
def lane_neighbourhood() -> np.ndarray:
    """Nav-grid cells within about LANE_NEIGHBOURHOOD_M of any lane between trading ports."""
    grid = nav_grid()
    near = np.zeros(grid.sea.shape, dtype=bool)
    for a in PORTS:
        for b in PORTS:
            if allowed_trade(a, b):
                path = densified(lane(a, b), 1_000.0)
                i = np.clip(np.round((path[:, 0] - LAT_MIN) / CELL_DEG).astype(int), 0, near.shape[0] - 1)
                j = np.clip(np.round((path[:, 1] - LON_MIN) / CELL_DEG).astype(int), 0, near.shape[1] - 1)
                near[i, j] = True
    reach_i = int(np.ceil(LANE_NEIGHBOURHOOD_M / (CELL_DEG * 111_000.0)))
    reach_j = int(np.ceil(reach_i / np.cos(np.radians(43.5))))
    grown = near.copy()
    for di in range(-reach_i, reach_i + 1):
        for dj in range(-reach_j, reach_j + 1):
            if (di / reach_i) ** 2 + (dj / reach_j) ** 2 <= 1.0:
                grown |= np.roll(np.roll(near, di, axis=0), dj, axis=1)
    return grown


def near_any_lane(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where a point is within about LANE_NEIGHBOURHOOD_M of a lane."""
    near = lane_neighbourhood()
    i = np.clip(np.round((np.asarray(lat) - LAT_MIN) / CELL_DEG).astype(int), 0, near.shape[0] - 1)
    j = np.clip(np.round((np.asarray(lon) - LON_MIN) / CELL_DEG).astype(int), 0, near.shape[1] - 1)
    return near[i, j]


def inland_point(lat: float, lon: float) -> Optional[tuple[float, float]]:
    """The nearest point at least 5 km inland within 40 km of (lat, lon), or None."""
    distances = np.repeat(np.arange(8_000.0, 40_001.0, 4_000.0), 24)
    bearings = np.tile(np.arange(0.0, 360.0, 15.0), len(distances) // 24)
    c_lat, c_lon = destination_point(np.full(len(distances), lat), np.full(len(distances), lon), bearings, distances)
    ring_lat, ring_lon = destination_point(np.repeat(c_lat, 8), np.repeat(c_lon, 8),
                                           np.tile(np.arange(0.0, 360.0, 45.0), len(c_lat)), 5_000.0)
    inland = is_land_away_from_ports(c_lat, c_lon) & is_land(ring_lat, ring_lon).reshape(-1, 8).all(axis=1)
    if not inland.any():
        return None
    k = int(np.argmax(inland))  # candidates are ordered by distance
    return float(c_lat[k]), float(c_lon[k])
