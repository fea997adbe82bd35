"""`maritime zones add|list`: the restricted, mine-danger and exclusion zones the detectors watch."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table


class ZoneKind(str, Enum):
    restricted = "restricted"
    mine_danger = "mine_danger"
    exclusion = "exclusion"


def register(app: typer.Typer) -> None:
    from maritime.cli import engine, handle_errors, out

    zones_app = typer.Typer(help="Restricted, mine-danger and exclusion zones (GeoJSON polygons).",
                            no_args_is_help=True)
    app.add_typer(zones_app, name="zones")

    @zones_app.command("add")
    @handle_errors
    def add(
        file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection of Polygon/MultiPolygon features, "
                                                  "each with a 'name' property.")],
        kind: Annotated[Optional[ZoneKind], typer.Option(
            help="Kind of every zone in the file; default: each feature's 'kind' property.")] = None,
    ) -> None:
        """Load zones from a GeoJSON file; a zone with a known name replaces the stored one."""
        from maritime.geo.zones import read_zones
        from maritime.store.zones import save_zones

        zones = read_zones(file, kind.value if kind else None)
        store = engine()
        with store.begin() as connection:
            added, replaced = save_zones(connection, zones)
        kinds = sorted({z.kind for z in zones})
        counts = ", ".join(f"{k} {sum(z.kind == k for z in zones)}" for k in kinds)
        out.print(f"{added} zone{'s' if added != 1 else ''} added, {replaced} replaced ({counts}) from {file}")

    @zones_app.command("list")
    @handle_errors
    def list_() -> None:
        """The stored zones: name, kind, area and extent."""
        from maritime.store.zones import list_zones

        store = engine()
        with store.connect() as connection:
            zones = list_zones(connection)
        if not zones:
            out.print("no zones (add some with: maritime zones add FILE.geojson)")
            return
        table = Table("name", "kind", "area km²", "lon", "lat", "added (UTC)", show_edge=False, header_style="bold")
        for z in zones:
            lon_min, lat_min, lon_max, lat_max = z.bounds
            table.add_row(z.name, z.kind, f"{z.area_km2:,.0f}", f"{lon_min:.3f} – {lon_max:.3f}",
                          f"{lat_min:.3f} – {lat_max:.3f}", f"{z.added_at:%Y-%m-%d %H:%M}")
        out.print(table)
        out.print(f"{len(zones)} zone{'s' if len(zones) != 1 else ''}")
