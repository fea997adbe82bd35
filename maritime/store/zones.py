"""Storing and listing zones; a zone added again under the same name replaces the old one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

import numpy as np
import shapely.geometry
from sqlalchemy import Connection, select

from maritime.geo.geodesy import EARTH_RADIUS_M
from maritime.geo.zones import ZoneSpec
from maritime.store.schema import ZoneRow


@dataclass(frozen=True)
class ZoneInfo:
    name: str
    kind: str
    area_km2: float
    bounds: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max
    added_at: datetime


def _area_km2(shape) -> float:
    """Area on the sphere, near enough for a listing (degrees² scaled at the zone's latitude)."""
    km_per_deg = np.pi * EARTH_RADIUS_M / 180.0 / 1000.0
    return float(shape.area * km_per_deg ** 2 * np.cos(np.radians(shape.centroid.y)))


def save_zones(connection: Connection, zones: Iterable[ZoneSpec]) -> tuple[int, int]:
    """Insert new zones and replace those with a known name; returns (added, replaced)."""
    table = ZoneRow.__table__
    zones = list(zones)
    known = set(connection.scalars(select(table.c.name).where(table.c.name.in_([z.name for z in zones]))))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    added = replaced = 0
    for zone in zones:
        values = {"kind": zone.kind, "geometry": zone.geometry, "added_at": now}
        if zone.name in known:
            connection.execute(table.update().where(table.c.name == zone.name).values(**values))
            replaced += 1
        else:
            connection.execute(table.insert().values(name=zone.name, **values))
            added += 1
    return added, replaced


def list_zones(connection: Connection) -> list[ZoneInfo]:
    table = ZoneRow.__table__
    rows = connection.execute(select(table.c.name, table.c.kind, table.c.geometry, table.c.added_at)
                              .order_by(table.c.name))
    infos = []
    for row in rows:
        shape = shapely.geometry.shape(row.geometry)
        infos.append(ZoneInfo(row.name, row.kind, _area_km2(shape), tuple(round(v, 4) for v in shape.bounds),
                              row.added_at))
    return infos
