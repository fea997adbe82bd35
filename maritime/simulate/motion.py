"""Kinematics: legs of a vessel's plan and where the vessel is, how fast and which way, at given times.

A plan is a list of :class:`Leg` objects in time order, each either *moving*
(along a densified path at constant speed, from ``t0`` to ``t1``) or
*stationary* (moored at a berth, anchored and swinging round the anchor).
:func:`sample_leg` evaluates one leg at an array of times, vectorised.
Times are unix seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from maritime.geo.geodesy import KNOT_MS, destination_point, initial_bearing_deg, path_length_m

# ITU-R M.1371 navigational status codes used by the simulator
UNDER_WAY = 0
AT_ANCHOR = 1
MOORED = 5
FISHING = 7
UNDER_WAY_SAILING = 8

MOVING_KINDS = frozenset({"harbour", "transit", "fishing", "drift", "escort", "trip"})
STATIONARY_KINDS = frozenset({"moored", "anchored", "away"})


@dataclass(frozen=True)
class Voyage:
    """Voyage data a crew enters: destination as typed, ETA (unix seconds), present draught."""

    destination: str
    eta: Optional[float]
    draught_m: float


@dataclass
class Leg:
    kind: str  # one of MOVING_KINDS or STATIONARY_KINDS
    t0: float
    t1: float
    status: int
    path: Optional[np.ndarray] = None  # N×2 (lat, lon), moving legs
    point: Optional[tuple[float, float]] = None  # stationary legs
    voyage: Optional[Voyage] = None
    silent: bool = False  # transmitter off (or out of the area)
    heading_deg: float = 0.0  # stationary legs: the ship's heading at the berth / mean anchor heading
    meta: dict = field(default_factory=dict)  # e.g. the port, the escorted vessel

    @property
    def moving(self) -> bool:
        return self.kind in MOVING_KINDS

    @property
    def duration_s(self) -> float:
        return self.t1 - self.t0

    @property
    def length_m(self) -> float:
        return float(path_length_m(self.path[:, 0], self.path[:, 1])[-1]) if self.moving else 0.0

    @property
    def speed_kn(self) -> float:
        if not self.moving or self.duration_s <= 0:
            return 0.0
        return self.length_m / self.duration_s / KNOT_MS

    @property
    def start(self) -> tuple[float, float]:
        return (float(self.path[0, 0]), float(self.path[0, 1])) if self.moving else self.point

    @property
    def end(self) -> tuple[float, float]:
        return (float(self.path[-1, 0]), float(self.path[-1, 1])) if self.moving else self.point

    def shifted(self, dt: float) -> "Leg":
        return replace(self, t0=self.t0 + dt, t1=self.t1 + dt)


def moving_leg(kind: str, path: np.ndarray, speed_kn: float, t0: float, status: int = UNDER_WAY,
               voyage: Optional[Voyage] = None, **meta) -> Leg:
    """A leg along ``path`` at ``speed_kn`` starting at ``t0``; its end time follows from the length."""
    path = np.asarray(path, dtype=float)
    length = float(path_length_m(path[:, 0], path[:, 1])[-1])
    duration = max(length / (speed_kn * KNOT_MS), 1.0)
    return Leg(kind, t0, t0 + duration, status, path=path, voyage=voyage, meta=dict(meta))


def stationary_leg(kind: str, point: tuple[float, float], t0: float, t1: float, status: int,
                   voyage: Optional[Voyage] = None, heading_deg: float = 0.0, silent: bool = False,
                   **meta) -> Leg:
    return Leg(kind, t0, t1, status, point=point, voyage=voyage, silent=silent, heading_deg=heading_deg,
               meta=dict(meta))


def position_at(leg: Leg, t: float) -> tuple[float, float]:
    """Where a vessel on ``leg`` is at time ``t`` (clamped to the leg)."""
    if not leg.moving:
        return leg.point
    lat, lon, _ = _along(leg, np.array([t], dtype=float))
    return float(lat[0]), float(lon[0])


def _along(leg: Leg, times: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    path = leg.path
    cum = path_length_m(path[:, 0], path[:, 1])
    frac = np.clip((times - leg.t0) / max(leg.duration_s, 1e-9), 0.0, 1.0)
    s = frac * cum[-1]
    lat = np.interp(s, cum, path[:, 0])
    lon = np.interp(s, cum, path[:, 1])
    seg_bearing = initial_bearing_deg(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1])
    seg = np.clip(np.searchsorted(cum, s, side="right") - 1, 0, len(path) - 2)
    return lat, lon, np.asarray(seg_bearing)[seg]


def cut_path(leg: Leg, ta: float, tb: float) -> np.ndarray:
    """The part of a moving leg's path travelled between times ``ta`` and ``tb``."""
    length = leg.length_m
    fa, fb = (np.clip((t - leg.t0) / max(leg.duration_s, 1e-9), 0.0, 1.0) for t in (ta, tb))
    return subpath(leg.path, fa * length, fb * length)


def lateral_offset(path: np.ndarray, offset_m: float) -> np.ndarray:
    """The path shifted ``offset_m`` to starboard (negative: to port), vertex by vertex."""
    if len(path) < 2:
        return path.copy()
    ahead = initial_bearing_deg(path[:-1, 0], path[:-1, 1], path[1:, 0], path[1:, 1])
    bearing = np.concatenate((np.atleast_1d(ahead), np.atleast_1d(ahead)[-1:]))
    lat, lon = destination_point(path[:, 0], path[:, 1], bearing + 90.0, offset_m)
    return np.column_stack((lat, lon))


@dataclass
class Kinematics:
    """True state at report times; ``cog`` and ``heading`` in degrees, ``sog`` in knots."""

    lat: np.ndarray
    lon: np.ndarray
    sog: np.ndarray
    cog: np.ndarray
    heading: np.ndarray


def sample_leg(leg: Leg, times: np.ndarray, rng: np.random.Generator) -> Kinematics:
    """The vessel's state on ``leg`` at ``times`` (with GNSS, log and compass noise)."""
    n = len(times)
    if leg.moving:
        lat, lon, bearing = _along(leg, times)
        speed = leg.speed_kn
        sog = np.maximum(speed * (1.0 + rng.normal(0.0, 0.015, n)) + rng.normal(0.0, 0.08, n), 0.0)
        cog_noise = 1.0 if speed > 3 else 6.0  # at low speed the GNSS course wanders
        cog = (bearing + rng.normal(0.0, cog_noise, n)) % 360.0
        heading = (bearing + rng.normal(0.0, 1.5) + rng.normal(0.0, 0.7, n)) % 360.0
    elif leg.kind == "anchored":
        # the ship lies downwind of its anchor, swinging slowly as the wind veers
        swing_m = float(leg.meta.get("swing_m", 120.0))
        phase = float(leg.meta.get("phase", 0.0))
        angle = leg.heading_deg + 35.0 * np.sin(2 * np.pi * (times - leg.t0) / 21_600.0 + phase)
        lat, lon = destination_point(np.full(n, leg.point[0]), np.full(n, leg.point[1]), angle + 180.0, swing_m)
        sog = np.abs(rng.normal(0.0, 0.15, n))
        cog = rng.uniform(0.0, 360.0, n)
        heading = angle % 360.0
    else:
        lat, lon = np.full(n, leg.point[0]), np.full(n, leg.point[1])
        sog = np.where(rng.random(n) < 0.1, 0.1, 0.0)
        cog = np.full(n, rng.uniform(0.0, 360.0))
        heading = np.full(n, leg.heading_deg % 360.0)
    # GNSS noise of a few metres
    lat = lat + rng.normal(0.0, 3.0 / 111_000.0, n)
    lon = lon + rng.normal(0.0, 3.0 / 111_000.0, n) / np.cos(np.radians(lat))
    return Kinematics(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), sog, cog, heading)


def subpath(path: np.ndarray, s0: float, s1: float) -> np.ndarray:
    """The part of a polyline between distances ``s0`` and ``s1`` (metres from its start)."""
    cum = path_length_m(path[:, 0], path[:, 1])
    s0, s1 = float(np.clip(s0, 0.0, cum[-1])), float(np.clip(s1, 0.0, cum[-1]))
    inside = (cum > s0) & (cum < s1)
    start = [np.interp(s0, cum, path[:, 0]), np.interp(s0, cum, path[:, 1])]
    end = [np.interp(s1, cum, path[:, 0]), np.interp(s1, cum, path[:, 1])]
    return np.vstack([start, path[inside], end])


def point_along(path: np.ndarray, s: float) -> tuple[float, float]:
    """The point ``s`` metres along a polyline."""
    cum = path_length_m(path[:, 0], path[:, 1])
    return float(np.interp(s, cum, path[:, 0])), float(np.interp(s, cum, path[:, 1]))
