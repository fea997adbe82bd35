"""An offline base map of the Black Sea, and the fixed layers drawn on it.

The land is drawn from the GLOBE 30-arc-second land mask that ``maritime.geo.land`` ships (public
domain data from NOAA, via the MIT-licensed ``global_land_mask`` package): each row's land runs become
rectangles, their union is simplified to ~1 km (about 40 KB of GeoJSON), and the
result is a GeoJSON MultiPolygon placed in a MapLibre style with no external sources, no glyphs and no
sprites (so the browser fetches nothing: no tiles, fonts or icons).

The style's only layers are a sea-coloured background, land fill and coastline. Everything else —
lanes, the grain corridor, ports, zones, an optional online tile layer — is added per figure, so that
a layer can be toggled, and a tile server that fails cannot stop the map being drawn (tiles are a
layout layer placed below the vessel traces, never part of the style).
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import searoute
import shapely
from shapely.affinity import scale

from maritime.geo.land import REGION, _crop
from maritime.geo.ports import (ANCHORAGES, GRAIN_CORRIDOR, GRAIN_CORRIDOR_HALF_WIDTH_M, PORTS, port_by_name)

THIN = 1  # mask cells per side in one drawn cell (1 = the mask's own ~0.9 km)
SIMPLIFY_DEG = 0.008  # ~0.9 km: removes the cells' staircase, keeps headlands and harbours
MIN_ISLAND_DEG2 = 0.0005  # ~5 km²: smaller islands are left out
METRES_PER_DEG_LAT = 111_320.0

SEA = "#dbe4ec"
LAND = "#f3f1ec"
COAST = "#aaa497"
LANE = "#7d93a8"
CORRIDOR = "#2a8c82"
PORT = "#334155"
ANCHORAGE = "#64748b"

# lat_min, lat_max, lon_min, lon_max → MapLibre bounds; the map cannot be panned off the drawn land.
BOUNDS = {"west": REGION[2], "east": REGION[3], "south": REGION[0], "north": REGION[1]}
CENTER = {"lat": 43.6, "lon": 34.6}
ZOOM = 5.5


@lru_cache(maxsize=1)
def land_geometry() -> shapely.MultiPolygon:
    crop = _crop()
    rows, cols = crop.land.shape
    land = crop.land[: rows // THIN * THIN, : cols // THIN * THIN]
    land = land.reshape(rows // THIN, THIN, cols // THIN, THIN).mean(axis=(1, 3)) >= 0.5
    boxes = []
    lon_of = lambda col: crop.lon0 + (crop.col0 + col * THIN) * crop.dlon  # noqa: E731
    for i, row in enumerate(land):
        top = crop.lat0 + (crop.row0 + i * THIN) * crop.dlat
        bottom = top + THIN * crop.dlat
        edges = np.diff(np.concatenate([[0], row.astype(np.int8), [0]]))
        for start, end in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)):
            boxes.append(shapely.box(lon_of(start), bottom, lon_of(end), top))
    merged = shapely.union_all(boxes).simplify(SIMPLIFY_DEG)
    parts = [p for p in getattr(merged, "geoms", [merged]) if p.area >= MIN_ISLAND_DEG2]
    return shapely.set_precision(shapely.MultiPolygon(parts), 0.0005)


@lru_cache(maxsize=1)
def land_geojson() -> dict:
    return json.loads(shapely.to_geojson(land_geometry()))


def map_style(land: str = "vector") -> dict:
    """A MapLibre style with no external sources, glyphs or sprites. ``land``: "vector" (GeoJSON polygons,
    sharp at any zoom) or "image" (one PNG from this server, :mod:`dashboards.land_image`: much cheaper for
    a browser to draw, blurry past zoom ~9)."""
    if land == "image":
        from dashboards.land_image import URL, corners

        return {"version": 8, "name": "Black Sea (offline, image)",
                "sources": {"land": {"type": "image", "url": URL, "coordinates": corners()}},
                "layers": [{"id": "sea", "type": "background", "paint": {"background-color": SEA}},
                           {"id": "land", "type": "raster", "source": "land",
                            "paint": {"raster-fade-duration": 0, "raster-resampling": "linear"}}]}
    return {
        "version": 8,
        "name": "Black Sea (offline)",
        "sources": {"land": {"type": "geojson", "data": land_geojson()}},
        "layers": [
            {"id": "sea", "type": "background", "paint": {"background-color": SEA}},
            {"id": "land", "type": "fill", "source": "land", "paint": {"fill-color": LAND}},
            {"id": "coast", "type": "line", "source": "land", "paint": {"line-color": COAST, "line-width": 0.7}},
        ],
    }


def _feature_collection(geometries) -> dict:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))} for g in geometries]}


@lru_cache(maxsize=1)
def lanes_geojson() -> dict:
    """The shipping-lane network's path (``searoute``) from the Bosphorus to each Black Sea port."""
    start = port_by_name("Istanbul").approach
    lines = []
    for port in PORTS:
        if port.out_of_area:
            continue
        route = searoute.searoute([start[1], start[0]], [port.approach[1], port.approach[0]])
        lines.append(shapely.LineString(route["geometry"]["coordinates"]))
    return _feature_collection(lines)


@lru_cache(maxsize=1)
def grain_corridor_geojson() -> dict:
    """The grain corridor as a band of its half-width either side of its centre line."""
    line = shapely.LineString([(lon, lat) for lat, lon in GRAIN_CORRIDOR])
    k = np.cos(np.radians(44.0))  # shrink longitudes so degrees are about square at the corridor's latitudes
    band = scale(scale(line, xfact=k, origin=(0, 0)).buffer(GRAIN_CORRIDOR_HALF_WIDTH_M / METRES_PER_DEG_LAT),
                 xfact=1 / k, origin=(0, 0))
    return _feature_collection([band])


def port_points() -> list[dict]:
    return [{"name": p.name, "country": p.country, "lat": p.lat, "lon": p.lon} for p in PORTS if not p.out_of_area] + \
        [{"name": "Bosphorus (Istanbul)", "country": "TR", "lat": p.lat, "lon": p.lon} for p in PORTS if p.out_of_area]


def anchorage_points() -> list[dict]:
    return [{"name": a.name, "lat": a.lat, "lon": a.lon} for a in ANCHORAGES]


def route_layers() -> list[dict]:
    """Layout layers for the lanes and the grain corridor (below the traces). Plain fills and solid lines:
    a dashed line or a fill outline is one more WebGL program to compile, which a browser without a GPU
    does slowly (benchmarks/dashboard.py)."""
    return [
        {"sourcetype": "geojson", "source": grain_corridor_geojson(), "type": "fill", "below": "traces",
         "color": CORRIDOR, "opacity": 0.25, "name": "grain corridor"},
        {"sourcetype": "geojson", "source": lanes_geojson(), "type": "line", "below": "traces",
         "color": LANE, "opacity": 0.55, "line": {"width": 1}},
    ]


def tile_layer(url: str, attribution: str = "") -> dict:
    """An online raster tile layer, below every other layer and trace; if its server fails, the map still
    draws everything else."""
    return {"sourcetype": "raster", "source": [url], "below": "traces", "sourceattribution": attribution,
            "opacity": 1.0}
