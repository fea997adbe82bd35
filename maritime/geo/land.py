"""Land or sea, from the ``global_land_mask`` package (GLOBE 30 arc-second grid, about 1 km).

The mask ships inside the package, so no network is needed. Loading the whole
globe takes about 4 s and 1 GB, so the Black Sea region (:data:`REGION`) is kept
as a small crop of the same grid in ``data/black_sea_land_mask.npz``; points in
the region are looked up there with the package's own index arithmetic (the
answers are identical), points outside it fall back to the package. The crop is
rebuilt from the package if the file is missing.

At 1 km, harbour basins, river fairways (the Danube to Izmail) and narrow spots
of the Bosphorus read as land: a ship moored there would look "on land".
:func:`is_land_away_from_ports` is the test to use on reported positions: land,
and not inside a port's radius or fairway (:func:`maritime.geo.ports.in_port`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Union

import numpy as np

from maritime.geo.ports import in_port

ArrayLike = Union[float, np.ndarray]

REGION = (39.0, 48.5, 25.0, 43.0)  # lat_min, lat_max, lon_min, lon_max of the stored crop
REGION_FILE = Path(__file__).with_name("data") / "black_sea_land_mask.npz"


@dataclass(frozen=True)
class _Crop:
    land: np.ndarray  # bool, rows from north to south as in the package
    lat0: float  # the package's first latitude and step (negative)
    dlat: float
    lon0: float
    dlon: float
    row0: int  # where the crop starts in the package's grid
    col0: int


def _globe():
    from global_land_mask import globe  # imported on demand: it inflates a 1 GB grid

    return globe


def _build_crop() -> _Crop:
    globe = _globe()
    lat0, dlat = float(globe._lat[0]), float(globe._lat[1] - globe._lat[0])
    lon0, dlon = float(globe._lon[0]), float(globe._lon[1] - globe._lon[0])
    lat_min, lat_max, lon_min, lon_max = REGION
    row0, row1 = int((lat_max - lat0) / dlat), int((lat_min - lat0) / dlat) + 1
    col0, col1 = int((lon_min - lon0) / dlon), int((lon_max - lon0) / dlon) + 1
    land = ~globe._mask[row0:row1 + 1, col0:col1 + 1]  # the package stores "is ocean"
    return _Crop(land, lat0, dlat, lon0, dlon, row0, col0)


def _save_crop(crop: _Crop, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, land=np.packbits(crop.land, axis=1), shape=np.array(crop.land.shape),
                        grid=np.array([crop.lat0, crop.dlat, crop.lon0, crop.dlon]),
                        origin=np.array([crop.row0, crop.col0]))


@lru_cache(maxsize=1)
def _crop() -> _Crop:
    if REGION_FILE.exists():
        with np.load(REGION_FILE) as f:
            rows, cols = (int(v) for v in f["shape"])
            land = np.unpackbits(f["land"], axis=1, count=cols).astype(bool)[:rows]
            lat0, dlat, lon0, dlon = (float(v) for v in f["grid"])
            row0, col0 = (int(v) for v in f["origin"])
        return _Crop(land, lat0, dlat, lon0, dlon, row0, col0)
    crop = _build_crop()
    try:
        _save_crop(crop, REGION_FILE)
    except OSError:
        pass  # read-only install: rebuild next time
    return crop


def is_land(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """True where the GLOBE mask says land. Latitudes outside ±90 (e.g. 91, "unavailable") are not land."""
    lat_a, lon_a = np.broadcast_arrays(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float))
    valid = (np.abs(lat_a) <= 90.0) & (np.abs(lon_a) <= 180.0) & np.isfinite(lat_a) & np.isfinite(lon_a)
    lat_min, lat_max, lon_min, lon_max = REGION
    regional = valid & (lat_a >= lat_min) & (lat_a <= lat_max) & (lon_a >= lon_min) & (lon_a <= lon_max)
    result = np.zeros(lat_a.shape, dtype=bool)
    if regional.any():
        c = _crop()
        rows = ((lat_a[regional] - c.lat0) / c.dlat).astype(int) - c.row0
        cols = ((lon_a[regional] - c.lon0) / c.dlon).astype(int) - c.col0
        result[regional] = c.land[rows, cols]
    elsewhere = valid & ~regional
    if elsewhere.any():
        result[elsewhere] = _globe().is_land(lat_a[elsewhere].copy(), lon_a[elsewhere].copy())
    return bool(result) if result.ndim == 0 else result


def is_land_away_from_ports(lat: ArrayLike, lon: ArrayLike) -> Union[bool, np.ndarray]:
    """Land per the mask and outside every port area: where a ship cannot be."""
    land = np.asarray(is_land(lat, lon))
    if land.any():
        land = land & ~np.asarray(in_port(lat, lon))
    return bool(land) if land.ndim == 0 else land
