"""Restricted, mine-danger and exclusion zones from GeoJSON, checked before they are stored.

A zone file is a GeoJSON FeatureCollection (or a single Feature) of Polygon or
MultiPolygon features, each with a ``name`` property and, unless the caller gives
the kind for the whole file, a ``kind`` property. Coordinates are (lon, lat), as
RFC 7946 has them. Anything else is refused with one line saying which feature
and why.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import shapely
import shapely.geometry

from maritime.errors import MaritimeError

ZONE_KINDS = ("restricted", "mine_danger", "exclusion")
POLYGON_TYPES = ("Polygon", "MultiPolygon")


class ZoneFileError(MaritimeError):
    """A zone file is not valid GeoJSON, or one of its zones is unusable."""


@dataclass(frozen=True)
class ZoneSpec:
    name: str
    kind: str  # one of ZONE_KINDS
    geometry: dict[str, Any]  # a GeoJSON Polygon or MultiPolygon

    @property
    def shape(self) -> shapely.Geometry:
        return shapely.geometry.shape(self.geometry)


def _label(index: int, properties: dict) -> str:
    name = properties.get("name")
    return f"zone {name!r}" if isinstance(name, str) and name.strip() else f"feature {index + 1}"


def _geometry(geometry: Any, label: str) -> dict[str, Any]:
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGON_TYPES:
        found = geometry.get("type") if isinstance(geometry, dict) else geometry
        raise ZoneFileError(f"{label}: geometry is {found!r}; zones must be Polygon or MultiPolygon")
    polygons = geometry.get("coordinates")
    polygons = [polygons] if geometry["type"] == "Polygon" else polygons
    try:
        rings = [ring for polygon in polygons for ring in polygon]
        closed = all(len(ring) >= 4 and list(ring[0]) == list(ring[-1]) for ring in rings)
    except TypeError:
        raise ZoneFileError(f"{label}: unreadable {geometry['type']} coordinates") from None
    if not rings or not closed:
        raise ZoneFileError(f"{label}: a ring is not closed (RFC 7946: at least 4 positions, the last "
                            f"repeating the first)")
    try:
        shape = shapely.geometry.shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError, shapely.errors.GEOSException) as exc:
        raise ZoneFileError(f"{label}: unreadable {geometry['type']} coordinates ({exc})") from None
    if shape.is_empty:
        raise ZoneFileError(f"{label}: the geometry is empty")
    minx, miny, maxx, maxy = shape.bounds
    if not (-180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0):
        raise ZoneFileError(f"{label}: coordinates outside longitude ±180 / latitude ±90 "
                            f"(GeoJSON is [lon, lat])")
    if not shape.is_valid:
        raise ZoneFileError(f"{label}: invalid geometry: {shapely.is_valid_reason(shape)}")
    return shapely.geometry.mapping(shape)


def parse_zones(data: Any, kind: Optional[str] = None, source: str = "zone file") -> list[ZoneSpec]:
    """Zones from parsed GeoJSON; ``kind``, if given, applies to every feature."""
    if kind is not None and kind not in ZONE_KINDS:
        raise ZoneFileError(f"unknown zone kind {kind!r}: use one of {', '.join(ZONE_KINDS)}")
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise ZoneFileError(f"{source}: a FeatureCollection needs a list of features")
    elif isinstance(data, dict) and data.get("type") == "Feature":
        features = [data]
    else:
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ZoneFileError(f"{source}: expected a GeoJSON FeatureCollection or Feature, got {found!r}")
    if not features:
        raise ZoneFileError(f"{source}: no zones in the file")
    zones: list[ZoneSpec] = []
    seen: set[str] = set()
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ZoneFileError(f"{source}: item {index + 1} is not a GeoJSON Feature")
        properties = feature.get("properties") or {}
        label = _label(index, properties)
        name = properties.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ZoneFileError(f"{label}: no 'name' property")
        name = name.strip()
        if len(name) > 200:
            raise ZoneFileError(f"{label}: the name is longer than 200 characters")
        if name in seen:
            raise ZoneFileError(f"{source}: two zones are named {name!r}")
        seen.add(name)
        zone_kind = kind or properties.get("kind")
        if zone_kind is None:
            raise ZoneFileError(f"{label}: no 'kind' property; give --kind {'|'.join(ZONE_KINDS)}")
        if zone_kind not in ZONE_KINDS:
            raise ZoneFileError(f"{label}: kind {zone_kind!r} is not one of {', '.join(ZONE_KINDS)}")
        zones.append(ZoneSpec(name, zone_kind, _geometry(feature.get("geometry"), label)))
    return zones


def read_zones(path: Path, kind: Optional[str] = None) -> list[ZoneSpec]:
    """Zones from a GeoJSON file (see :func:`parse_zones`)."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ZoneFileError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    return parse_zones(data, kind, str(path))
