"""The restricted, mine-danger and exclusion zones of the simulated scenario.

They are placed off the lanes that normal traffic uses, so that every vessel
inside one is an injected ``zone_entry``. Written to ``zones.geojson`` for
``maritime zones add``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import shapely

ZONE_KINDS = ("restricted", "mine_danger", "exclusion")


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str  # one of ZONE_KINDS
    polygon: tuple[tuple[float, float], ...]  # (lat, lon) vertices, not closed

    @cached_property
    def shape(self) -> shapely.Polygon:
        return shapely.Polygon([(lon, lat) for lat, lon in self.polygon])

    @property
    def centre(self) -> tuple[float, float]:
        c = self.shape.centroid
        return c.y, c.x

    def contains(self, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        return shapely.contains_xy(self.shape, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


ZONES: tuple[Zone, ...] = (
    Zone("Odesa approaches mine danger area", "mine_danger",
         ((46.05, 31.25), (46.30, 31.45), (46.10, 31.90), (45.80, 31.70))),
    Zone("Sevastopol naval base restricted area", "restricted",
         ((44.52, 33.10), (44.68, 33.12), (44.68, 33.36), (44.52, 33.36))),
    Zone("Tarkhankut naval firing area", "exclusion",
         ((45.10, 31.90), (45.40, 31.95), (45.40, 32.35), (45.10, 32.30))),
)


def in_any_zone(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    inside = np.zeros(np.shape(lat), dtype=bool)
    for zone in ZONES:
        inside |= zone.contains(lat, lon)
    return inside


def zones_geojson() -> dict:
    """A GeoJSON FeatureCollection: one Polygon Feature per zone, properties ``name`` and ``kind``."""
    features = []
    for zone in ZONES:
        ring = [[lon, lat] for lat, lon in zone.polygon]
        ring.append(ring[0])
        if shapely.LinearRing(ring).is_ccw is False:
            ring.reverse()  # RFC 7946: exterior rings counter-clockwise
        features.append({
            "type": "Feature",
            "properties": {"name": zone.name, "kind": zone.kind},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })
    return {"type": "FeatureCollection", "features": features}


def write_zones(path: Path) -> None:
    path.write_text(json.dumps(zones_geojson(), indent=1) + "\n", encoding="utf-8")
