"""Which reports are "at sea, away from ports and anchorages", and the ship types each rule leaves alone.

The distance test is costly (a great-circle distance to every port and anchorage),
so callers pass only the rows that matter (e.g. the slow ones).
"""

from __future__ import annotations

import numpy as np

from maritime.geo.land import is_land
from maritime.geo.ports import distance_to_port_or_anchorage_m, in_fishing_ground, in_port

# AIS ship-and-cargo type codes (ITU-R M.1371-5, Annex 8, Table 53)
FISHING = (30,)
TUGS = (31, 32, 52)  # towing, towing long/wide, tug
DREDGING = (33,)
MILITARY = (35,)
PILOT = (50,)
SEARCH_AND_RESCUE = (51,)
PORT_TENDER = (53,)
LAW_ENFORCEMENT = (55,)


def away_from_ports(lat: np.ndarray, lon: np.ndarray, min_distance_m: float) -> np.ndarray:
    """True where the point is at sea (not on land: a position there is on_land's business, e.g.
    spoofing), outside every port (radius and inland fairway) and at least ``min_distance_m``
    beyond the edge of every port and anchorage circle."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if lat.size == 0:
        return np.zeros(lat.shape, dtype=bool)
    far = np.asarray(distance_to_port_or_anchorage_m(lat, lon)) >= min_distance_m
    if far.any():
        far[far] = ~np.asarray(in_port(lat[far], lon[far]), dtype=bool) & ~np.asarray(is_land(lat[far], lon[far]))
    return far


def fishing_on_grounds(types: np.ndarray, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True for reports of fishing vessels (type 30) on one of the known fishing grounds."""
    fishing = np.isin(np.nan_to_num(types, nan=-1.0), FISHING)
    if fishing.any():
        fishing[fishing] = np.asarray(in_fishing_ground(lat[fishing], lon[fishing]), dtype=bool)
    return fishing
