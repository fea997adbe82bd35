"""Who hears a transmission: shore receivers, a satellite feed offshore, and reception holes.

Shore stations hear ships within :data:`SHORE_RANGE_M` (about 60 nautical
miles from a mast on the coast); beyond that a satellite feed fills in, except
in :data:`RECEPTION_HOLES`, offshore areas where nothing is received from any
ship: a benign look-alike of ``ais_gap``. Where two shore stations overlap, the
same sentence is sometimes delivered twice, by the second station a few seconds
later (``DUPLICATE_PROBABILITY``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from maritime.geo.geodesy import haversine_m


@dataclass(frozen=True)
class Receiver:
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Hole:
    name: str
    lat: float
    lon: float
    radius_m: float


SHORE_RANGE_M = 110_000.0
# A ship this close to a shore station is in "well covered" water.
WELL_COVERED_M = 0.8 * SHORE_RANGE_M
DUPLICATE_PROBABILITY = 0.15
SATELLITE = "sat-ais"

RECEIVERS: tuple[Receiver, ...] = tuple(Receiver(f"rx-{name}", lat, lon) for name, lat, lon in (
    ("odesa", 46.48, 30.75), ("zatoka", 46.07, 30.47), ("vylkove", 45.40, 29.59), ("sulina", 45.16, 29.70),
    ("constanta", 44.17, 28.66), ("mangalia", 43.81, 28.58), ("kaliakra", 43.36, 28.46), ("varna", 43.20, 27.92),
    ("emine", 42.70, 27.90), ("burgas", 42.49, 27.47), ("igneada", 41.88, 27.98), ("kilyos", 41.24, 29.03),
    ("sile", 41.17, 29.60), ("eregli", 41.28, 31.42), ("amasra", 41.75, 32.39), ("inebolu", 41.98, 33.76),
    ("sinop", 42.02, 35.15), ("samsun", 41.29, 36.33), ("ordu", 40.98, 37.88), ("trabzon", 41.00, 39.72),
    ("rize", 41.02, 40.52), ("batumi", 41.65, 41.64), ("poti", 42.15, 41.67), ("sochi", 43.58, 39.72),
    ("tuapse", 44.09, 39.07), ("novorossiysk", 44.72, 37.79), ("anapa", 44.89, 37.32), ("kerch", 45.35, 36.47),
    ("feodosia", 45.03, 35.38), ("yalta", 44.50, 34.17), ("sevastopol", 44.60, 33.52),
    ("tarkhankut", 45.35, 32.50), ("ochakiv", 46.62, 31.54),
))

RECEPTION_HOLES: tuple[Hole, ...] = (
    Hole("central western basin", 43.35, 31.30, 60_000.0),
    Hole("central eastern basin", 43.05, 36.70, 50_000.0),
)

_RX_LAT = np.array([r.lat for r in RECEIVERS])
_RX_LON = np.array([r.lon for r in RECEIVERS])
SOURCES: tuple[str, ...] = tuple(r.name for r in RECEIVERS) + (SATELLITE,)
SATELLITE_INDEX = len(RECEIVERS)


def in_reception_hole(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    inside = np.zeros(lat.shape, dtype=bool)
    for hole in RECEPTION_HOLES:
        inside |= haversine_m(lat, lon, hole.lat, hole.lon) <= hole.radius_m
    return inside


def _two_nearest(lat: np.ndarray, lon: np.ndarray, chunk: int = 50_000) -> tuple[np.ndarray, ...]:
    """Index and distance of the nearest and second-nearest shore receiver, per point."""
    n = len(lat)
    first_i, second_i = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    first_d, second_d = np.empty(n), np.empty(n)
    for a in range(0, n, chunk):
        d = haversine_m(lat[a:a + chunk, None], lon[a:a + chunk, None], _RX_LAT[None, :], _RX_LON[None, :])
        order = np.argsort(d, axis=1)[:, :2]
        rows = np.arange(len(order))
        first_i[a:a + chunk], second_i[a:a + chunk] = order[:, 0], order[:, 1]
        first_d[a:a + chunk], second_d[a:a + chunk] = d[rows, order[:, 0]], d[rows, order[:, 1]]
    return first_i, first_d, second_i, second_d


def well_covered(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """True where a shore station is near enough that silence would be the ship's doing."""
    _, first_d, _, _ = _two_nearest(np.atleast_1d(np.asarray(lat, dtype=float)),
                                    np.atleast_1d(np.asarray(lon, dtype=float)))
    return first_d <= WELL_COVERED_M


@dataclass
class Receptions:
    """Per transmission: which source heard it first (-1: nobody), and an optional duplicate."""

    primary: np.ndarray  # index into SOURCES, -1 if not received
    duplicate: np.ndarray  # index into SOURCES, -1 if no duplicate
    duplicate_delay_s: np.ndarray  # 0–3 s


def receive(lat: np.ndarray, lon: np.ndarray, rng: np.random.Generator) -> Receptions:
    """Decide reception for transmissions made at true positions (lat, lon)."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    first_i, first_d, second_i, second_d = _two_nearest(lat, lon)
    shore = first_d <= SHORE_RANGE_M
    hole = in_reception_hole(lat, lon)
    primary = np.where(shore, first_i, np.where(hole, -1, SATELLITE_INDEX))
    dup = (second_d <= SHORE_RANGE_M) & (rng.random(len(lat)) < DUPLICATE_PROBABILITY)
    duplicate = np.where(dup, second_i, -1)
    delay = rng.integers(0, 4, len(lat))
    return Receptions(primary, duplicate, delay)
