"""The Black Sea land mask as one PNG image, for the live picture's base map.

An image source is the cheapest base map MapLibre can draw (one texture: no tessellation, no vector
tiles), which matters in a browser without a GPU (benchmarks/dashboard.py). MapLibre stretches an
image linearly between its corners in Web Mercator, so rows are sampled at equal Mercator steps, not
equal latitude steps; each pixel asks ``maritime.geo.land.is_land`` (the GLOBE 30" mask, ~0.9 km), and
land pixels that touch the sea are drawn in the coast colour. Zoomed in past ~1 km per pixel the coast
turns blurry; the vessel page, which zooms in, uses the vector land of :mod:`dashboards.basemap`.
"""

from __future__ import annotations

import struct
import zlib
from functools import lru_cache

import numpy as np

from maritime.geo.land import REGION, is_land

WIDTH_PX = 2_400  # ~0.8 km per pixel across the region: about the mask's own resolution
URL = "/basemap/land.png"


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _mercator_y(lat: np.ndarray) -> np.ndarray:
    return np.log(np.tan(np.pi / 4 + np.radians(lat) / 2))


def _png(rgb: np.ndarray) -> bytes:
    """A minimal PNG (8-bit RGB, no filtering, zlib) — enough for a map image."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@lru_cache(maxsize=4)
def land_png(sea: str, land: str, coast: str) -> bytes:
    lat_min, lat_max, lon_min, lon_max = REGION
    y_top, y_bottom = _mercator_y(np.array(lat_max)), _mercator_y(np.array(lat_min))
    height = int(round(WIDTH_PX * (y_top - y_bottom) / np.radians(lon_max - lon_min)))
    y = np.linspace(y_top, y_bottom, height, endpoint=False) + (y_bottom - y_top) / height / 2
    lats = np.degrees(2 * np.arctan(np.exp(y)) - np.pi / 2)
    lons = lon_min + (np.arange(WIDTH_PX) + 0.5) * (lon_max - lon_min) / WIDTH_PX
    mask = np.asarray(is_land(lats[:, None], lons[None, :]), dtype=bool)
    padded = np.pad(mask, 1, mode="edge")
    touches_sea = ~(padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:])
    rgb = np.empty((*mask.shape, 3), dtype=np.uint8)
    rgb[:] = _hex(sea)
    rgb[mask] = _hex(land)
    rgb[mask & touches_sea] = _hex(coast)
    return _png(rgb)


def corners() -> list[list[float]]:
    """Top-left, top-right, bottom-right, bottom-left as [lon, lat] (MapLibre's order)."""
    lat_min, lat_max, lon_min, lon_max = REGION
    return [[lon_min, lat_max], [lon_max, lat_max], [lon_max, lat_min], [lon_min, lat_min]]
