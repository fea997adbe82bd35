"""Distances, bearings and destination points on a spherical Earth.

Every function takes scalars or numpy arrays (broadcast against each other) and
returns a float for scalar input, an array otherwise. Angles are degrees,
distances metres. A sphere of mean radius is within 0.5 % of the ellipsoid,
which is well inside AIS position noise at the ranges the detectors use.
"""

from __future__ import annotations

from typing import Union

import numpy as np

EARTH_RADIUS_M = 6_371_008.8  # IUGG mean radius
METRES_PER_NM = 1852.0
KNOT_MS = METRES_PER_NM / 3600.0  # one knot in metres per second

ArrayLike = Union[float, np.ndarray]


def _out(value: np.ndarray) -> ArrayLike:
    return float(value) if np.ndim(value) == 0 else value


def haversine_m(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> ArrayLike:
    """Great-circle distance in metres between (lat1, lon1) and (lat2, lon2)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2.0) ** 2
    return _out(2.0 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def initial_bearing_deg(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> ArrayLike:
    """Initial true bearing (0–360°, clockwise from north) from point 1 towards point 2.

    Coincident points give 0.
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlam = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    y = np.sin(dlam) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlam)
    return _out(np.degrees(np.arctan2(y, x)) % 360.0)


def destination_point(
    lat: ArrayLike, lon: ArrayLike, bearing_deg: ArrayLike, distance_m: ArrayLike
) -> tuple[ArrayLike, ArrayLike]:
    """The point reached from (lat, lon) after ``distance_m`` along the initial ``bearing_deg``."""
    p1, l1 = np.radians(lat), np.radians(lon)
    theta = np.radians(bearing_deg)
    delta = np.asarray(distance_m, dtype=float) / EARTH_RADIUS_M
    p2 = np.arcsin(np.sin(p1) * np.cos(delta) + np.cos(p1) * np.sin(delta) * np.cos(theta))
    l2 = l1 + np.arctan2(np.sin(theta) * np.sin(delta) * np.cos(p1), np.cos(delta) - np.sin(p1) * np.sin(p2))
    lon2 = (np.degrees(l2) + 540.0) % 360.0 - 180.0
    return _out(np.degrees(p2)), _out(lon2)


def path_length_m(lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Cumulative distance along a polyline, starting at 0 (same length as the input)."""
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    steps = haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:]) if len(lats) > 1 else np.empty(0)
    return np.concatenate(([0.0], np.cumsum(steps)))


def densify(lats: np.ndarray, lons: np.ndarray, max_step_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The polyline with points inserted so that no step is longer than ``max_step_m``.

    Inserted points are linear in latitude/longitude, which at Black Sea scales
    (steps of a few km) is indistinguishable from the great circle.
    """
    lats, lons = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    if len(lats) < 2:
        return lats.copy(), lons.copy()
    steps = haversine_m(lats[:-1], lons[:-1], lats[1:], lons[1:])
    pieces = np.maximum(1, np.ceil(steps / max_step_m).astype(int))
    seg = np.repeat(np.arange(len(steps)), pieces)
    frac = np.concatenate([np.arange(n) / n for n in pieces])
    out_lat = lats[seg] + (lats[seg + 1] - lats[seg]) * frac
    out_lon = lons[seg] + (lons[seg + 1] - lons[seg]) * frac
    return np.append(out_lat, lats[-1]), np.append(out_lon, lons[-1])
