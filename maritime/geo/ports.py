"""Black Sea ports, anchorages, fishing grounds and the Ukrainian grain corridor, as data.

Coordinates are WGS84 degrees, approximate (a few hundred metres): good enough to
say "in port", "at the anchorage" or "on the fishing grounds", not to navigate.

- A port is a centre and a radius that covers its basins, its berths and its pilot
  station (``approach``, the sea buoy ships pass on the way in and out). Harbour
  basins are narrower than the 1 km land mask, so reports inside a port's radius
  may fall "on land": :func:`maritime.geo.land.is_land_away_from_ports` allows for it.
- Izmail lies 80 km up the Danube; its ``fairway`` (the Chilia arm and the Bystre
  channel) is part of the port area: ships on it are not on land.
- "Istanbul" is the northern entrance of the Bosphorus: its radius covers the
  northern half of the strait, through which ships leave the Black Sea.

Functions take scalars or numpy arrays and answer per point.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Union

import numpy as np
import shapely

from maritime.geo.geodesy import densify, haversine_m

LatLon = tuple[float, float]
ArrayLike = Union[float, np.ndarray]


@dataclass(frozen=True)
class Port:
    name: str
    country: str  # ISO 3166-1 alpha-2
    locode: str  # UN/LOCODE
    lat: float
    lon: float
    radius_m: float
    approach: LatLon  # pilot station / sea buoy, at sea
    destination: str  # how crews usually type it in the AIS destination field
    traffic_weight: float  # relative number of port calls (Istanbul: Bosphorus transits), for simulation
    fairway: tuple[LatLon, ...] = ()  # berth → approach through inland water, if any
    out_of_area: bool = False  # ships "in" this port have left the Black Sea


@dataclass(frozen=True)
class Anchorage:
    name: str
    port: str
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class FishingGround:
    name: str
    polygon: tuple[LatLon, ...]  # (lat, lon) vertices
    home_ports: tuple[str, ...]


# Danube, Chilia arm and Bystre channel, from Izmail down to the sea buoy.
_IZMAIL_FAIRWAY: tuple[LatLon, ...] = (
    (45.345, 28.845), (45.330, 28.950), (45.360, 29.080), (45.420, 29.180), (45.445, 29.270),
    (45.430, 29.420), (45.405, 29.590), (45.370, 29.680), (45.335, 29.745), (45.330, 29.800),
)

PORTS: tuple[Port, ...] = (
    Port("Odesa", "UA", "UAODS", 46.495, 30.745, 9_000, (46.450, 30.820), "ODESSA", 3.0),
    Port("Chornomorsk", "UA", "UAILK", 46.300, 30.655, 7_500, (46.270, 30.720), "CHORNOMORSK", 3.0),
    Port("Pivdennyi", "UA", "UAYUZ", 46.615, 31.015, 9_000, (46.550, 31.050), "PIVDENNYI", 2.0),
    Port("Izmail", "UA", "UAIZM", 45.345, 28.845, 4_000, (45.330, 29.800), "IZMAIL", 1.0, _IZMAIL_FAIRWAY),
    Port("Sulina", "RO", "ROSUL", 45.155, 29.665, 9_000, (45.150, 29.760), "SULINA", 0.8),
    Port("Constanta", "RO", "ROCND", 44.165, 28.655, 7_500, (44.140, 28.720), "CONSTANTA", 4.0),
    Port("Mangalia", "RO", "ROMAG", 43.805, 28.585, 5_000, (43.800, 28.630), "MANGALIA", 0.5),
    Port("Varna", "BG", "BGVAR", 43.195, 27.925, 6_000, (43.190, 27.980), "VARNA", 2.0),
    Port("Burgas", "BG", "BGBOJ", 42.490, 27.475, 7_500, (42.480, 27.550), "BURGAS", 2.0),
    Port("Istanbul", "TR", "TRIST", 41.160, 29.080, 16_000, (41.250, 29.120), "ISTANBUL", 14.0,
         ((41.040, 29.025), (41.080, 29.060), (41.120, 29.070), (41.170, 29.075), (41.200, 29.110),
          (41.250, 29.120)), out_of_area=True),
    Port("Sinop", "TR", "TRSIC", 42.018, 35.153, 5_000, (41.990, 35.170), "SINOP", 0.3),
    Port("Samsun", "TR", "TRSSX", 41.295, 36.335, 6_000, (41.320, 36.380), "SAMSUN", 2.0),
    Port("Trabzon", "TR", "TRTZX", 41.005, 39.745, 4_000, (41.020, 39.740), "TRABZON", 1.0),
    Port("Batumi", "GE", "GEBUS", 41.650, 41.645, 4_000, (41.660, 41.620), "BATUMI", 1.5),
    Port("Poti", "GE", "GEPTI", 42.155, 41.655, 4_000, (42.160, 41.620), "POTI", 1.5),
    Port("Novorossiysk", "RU", "RUNVS", 44.715, 37.795, 8_500, (44.660, 37.840), "NOVOROSSIYSK", 3.0),
)

ANCHORAGES: tuple[Anchorage, ...] = (
    Anchorage("Bosphorus North anchorage (Kilyos)", "Istanbul", 41.300, 29.020, 4_000),
    Anchorage("Bosphorus North anchorage (Riva)", "Istanbul", 41.290, 29.240, 4_000),
    Anchorage("Odesa outer anchorage", "Odesa", 46.400, 30.900, 4_000),
    Anchorage("Chornomorsk anchorage", "Chornomorsk", 46.220, 30.780, 3_000),
    Anchorage("Pivdennyi anchorage", "Pivdennyi", 46.520, 31.120, 3_000),
    Anchorage("Sulina roads", "Sulina", 45.130, 29.820, 4_000),
    Anchorage("Izmail (Bystre) roads", "Izmail", 45.280, 29.880, 3_000),
    Anchorage("Constanta anchorage", "Constanta", 44.100, 28.800, 5_000),
    Anchorage("Mangalia anchorage", "Mangalia", 43.800, 28.680, 2_000),
    Anchorage("Varna anchorage", "Varna", 43.160, 28.060, 3_000),
    Anchorage("Burgas anchorage", "Burgas", 42.450, 27.720, 2_000),
    Anchorage("Samsun anchorage", "Samsun", 41.360, 36.420, 3_000),
    Anchorage("Trabzon anchorage", "Trabzon", 41.050, 39.800, 2_000),
    Anchorage("Batumi anchorage", "Batumi", 41.700, 41.580, 3_000),
    Anchorage("Poti anchorage", "Poti", 42.170, 41.550, 3_000),
    Anchorage("Novorossiysk outer anchorage", "Novorossiysk", 44.580, 37.850, 3_000),
)

FISHING_GROUNDS: tuple[FishingGround, ...] = (
    FishingGround("NW shelf off Romania", ((44.35, 28.90), (44.70, 29.15), (44.70, 29.45), (44.35, 29.20)),
                  ("Constanta", "Mangalia", "Sulina")),
    FishingGround("Bulgarian shelf off Shabla", ((43.30, 28.62), (43.70, 28.78), (43.60, 29.00), (43.25, 28.85)),
                  ("Varna", "Mangalia")),
    FishingGround("Turkish coast off Bafra (Samsun–Sinop)",
                  ((41.80, 35.45), (42.00, 35.40), (42.00, 36.10), (41.82, 36.10)), ("Samsun", "Sinop")),
    FishingGround("Turkish coast off Trabzon–Rize",
                  ((41.15, 39.40), (41.30, 39.40), (41.28, 40.30), (41.13, 40.30)), ("Trabzon",)),
    FishingGround("Georgian shelf off Poti", ((41.80, 41.45), (42.05, 41.45), (42.05, 41.58), (41.80, 41.65)),
                  ("Poti", "Batumi")),
)

# The Ukrainian humanitarian (grain) corridor, approximately: from the Odesa ports
# south-west along the Ukrainian coast, then along the Romanian and Bulgarian
# territorial waters to the Bosphorus.
GRAIN_CORRIDOR: tuple[LatLon, ...] = (
    (46.420, 30.830), (46.200, 30.700), (45.850, 30.350), (45.400, 29.950), (44.900, 29.800),
    (44.300, 29.150), (43.600, 28.850), (43.000, 28.400), (42.400, 28.150), (41.750, 28.700),
    (41.330, 29.100), (41.250, 29.120),
)
GRAIN_CORRIDOR_HALF_WIDTH_M = 5_000.0
GRAIN_CORRIDOR_PORTS = frozenset({"Odesa", "Chornomorsk", "Pivdennyi", "Izmail"})

FAIRWAY_HALF_WIDTH_M = 1_500.0

_PORT_INDEX = {p.name: p for p in PORTS}


def port_by_name(name: str) -> Port:
    """The port called ``name`` (as in :data:`PORTS`); KeyError if unknown."""
    return _PORT_INDEX[name]


def anchorages_of(port_name: str) -> tuple[Anchorage, ...]:
    """The anchorages that serve ``port_name`` (possibly none)."""
    return tuple(a for a in ANCHORAGES if a.port == port_name)


def _as_arrays(lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray, bool]:
    lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    return lat_a, lon_a, lat_a.ndim == 0


def _circle_arrays(areas) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (np.array([a.lat for a in areas]), np.array([a.lon for a in areas]),
            np.array([a.radius_m for a in areas], dtype=float))


def _in_any_circle(lat: np.ndarray, lon: np.ndarray, areas) -> np.ndarray:
    """True where a point lies within ``radius_m`` of an area's centre.

    A cheap latitude/longitude box test first, so that only the few points near
    an area pay for a great-circle distance.
    """
    inside = np.zeros(lat.shape, dtype=bool)
    for c_lat, c_lon, radius in zip(*_circle_arrays(areas)):
        dlat = radius / 111_000.0 * 1.01
        dlon = dlat / np.cos(np.radians(c_lat))
        near = (np.abs(lat - c_lat) <= dlat) & (np.abs(lon - c_lon) <= dlon) & ~inside
        if near.any():
            inside[near] = haversine_m(lat[near], lon[near], c_lat, c_lon) <= radius
    return inside


@lru_cache(maxsize=1)
def _fairway_points() -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """Each port fairway densified to 300 m steps, as (lats, lons)."""
    return tuple(
        densify(np.array([p[0] for p in port.fairway]), np.array([p[1] for p in port.fairway]), 300.0)
        for port in PORTS if port.fairway
    )


def _min_distance_m(lat: np.ndarray, lon: np.ndarray, c_lat: np.ndarray, c_lon: np.ndarray,
                    chunk: int = 20_000) -> np.ndarray:
    """For each point, the distance to the nearest of the centres (in chunks to bound memory)."""
    out = np.empty(lat.shape, dtype=float)
    flat_lat, flat_lon, flat_out = lat.ravel(), lon.ravel(), out.reshape(-1)
    for i in range(0, flat_lat.size, chunk):
        d = haversine_m(flat_lat[i:i + chunk, None], flat_lon[i:i + chunk, None], c_lat[None, :], c_lon[None, :])
        flat_out[i:i + chunk] = d.min(axis=1)
    return out


def _on_fairway(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    result = np.zeros(lat.shape, dtype=bool)
    margin = FAIRWAY_HALF_WIDTH_M / 111_000.0 * 2
    for f_lat, f_lon in _fairway_points():
        box = ((lat >= f_lat.min() - margin) & (lat <= f_lat.max() + margin)
               & (lon >= f_lon.min() - margin) & (lon <= f_lon.max() + margin))
        if box.any():
            result[box] |= _min_distance_m(lat[box], lon[box], f_lat, f_lon) <= FAIRWAY_HALF_WIDTH_M
    return result


def nearest_port(lat: float, lon: float) -> tuple[Port, float]:
    """The port whose centre is closest to (lat, lon), and that distance in metres."""
    index, distance = nearest_port_indices(lat, lon)
    return PORTS[int(index)], float(distance)


def nearest_port_indices(lat: ArrayLike, lon: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised :func:`nearest_port`: indices into :data:`PORTS` and distances in metres."""
    lat_a, lon_a, _ = _as_arrays(lat, lon)
    p_lat = np.array([p.lat for p in PORTS])
    p_lon = np.array([p.lon for p in PORTS])
    d = haversine_m(lat_a[..., None], lon_a[..., None], p_lat, p_lon)
    index = np.argmin(d, axis=-1)
    return index, np.take_along_axis(d, index[..., None], axis=-1)[..., 0]


def in_port(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """True where the point is within a port's radius or on a port's inland fairway."""
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    inside = _in_any_circle(lat_a, lon_a, PORTS) | _on_fairway(lat_a, lon_a)
    return bool(inside) if scalar else inside


def in_anchorage(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """True where the point is inside one of the named :data:`ANCHORAGES`."""
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    inside = _in_any_circle(lat_a, lon_a, ANCHORAGES)
    return bool(inside) if scalar else inside


def in_port_or_anchorage(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """True where the point is in a port (radius or fairway) or a named anchorage.

    The detectors use it to leave alone what ships normally do there: lie still,
    move slowly side by side, go quiet while moored.
    """
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    inside = _in_any_circle(lat_a, lon_a, (*PORTS, *ANCHORAGES)) | _on_fairway(lat_a, lon_a)
    return bool(inside) if scalar else inside


def distance_to_port_or_anchorage_m(lat: ArrayLike, lon: ArrayLike) -> ArrayLike:
    """Metres from the point to the edge of the nearest port or anchorage circle (0 inside one).

    Inland fairways are not counted: use :func:`in_port` for those.
    """
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    c_lat, c_lon, c_rad = _circle_arrays((*PORTS, *ANCHORAGES))
    out = np.full(lat_a.shape, np.inf)
    for la, lo, r in zip(c_lat, c_lon, c_rad):
        out = np.minimum(out, haversine_m(lat_a, lon_a, la, lo) - r)
    out = np.maximum(out, 0.0)
    return float(out) if scalar else out


@lru_cache(maxsize=1)
def fishing_ground_polygons() -> tuple[shapely.Polygon, ...]:
    """The fishing grounds as shapely polygons in (lon, lat) order, like GeoJSON."""
    return tuple(shapely.Polygon([(lon, lat) for lat, lon in g.polygon]) for g in FISHING_GROUNDS)


def in_fishing_ground(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """True where the point lies on one of the :data:`FISHING_GROUNDS`."""
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    inside = np.zeros(lat_a.shape, dtype=bool)
    for poly in fishing_ground_polygons():
        inside |= shapely.contains_xy(poly, lon_a, lat_a)
    return bool(inside) if scalar else inside


def distance_to_grain_corridor_m(lat: ArrayLike, lon: ArrayLike) -> ArrayLike:
    """Metres from the point to the grain corridor's centre line (to its nearest densified vertex)."""
    lat_a, lon_a, scalar = _as_arrays(lat, lon)
    c_lat, c_lon = densify(np.array([p[0] for p in GRAIN_CORRIDOR]), np.array([p[1] for p in GRAIN_CORRIDOR]), 500.0)
    out = _min_distance_m(lat_a, lon_a, c_lat, c_lon)
    return float(out) if scalar else out


def port_for_destination(text: Optional[str]) -> Optional[Port]:
    """The port an AIS destination field names (by name or UN/LOCODE, spaces ignored), else None."""
    if not text:
        return None
    key = text.upper().replace(" ", "").replace("-", "")
    for port in PORTS:
        if key in (port.destination.replace(" ", ""), port.locode, port.name.upper()):
            return port
    return None
