"""`maritime detect`: run the rule detectors over stored tracks."""

from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table


def register(app: typer.Typer) -> None:
    from maritime.cli import console, engine, handle_errors, out, parse_time

    @app.command()
    @handle_errors
    def detect(
        since: Annotated[Optional[str], typer.Option(help="From this data time (ISO 8601, UTC).")] = None,
        until: Annotated[Optional[str], typer.Option(help="Before this data time (ISO 8601, UTC).")] = None,
    ) -> None:
        """Run every rule detector over stored tracks and record the events (idempotent: a rerun updates,
        never duplicates)."""
        from maritime.config import load_settings
        from maritime.detect.runner import detect_window

        store = engine()
        with console.status("detecting"):
            report = detect_window(store, parse_time(since), parse_time(until), load_settings().detect)
        table = Table("kind", "events", show_edge=False, header_style="bold")
        for kind, n in sorted(report.by_kind().items()):
            table.add_row(kind, f"{n:,}")
        if report.events:
            out.print(table)
        out.print(f"{len(report.events):,} events ({report.new:,} new, {report.updated:,} updated) from "
                  f"{report.positions:,} positions of {report.vessels:,} vessels in {report.seconds:.1f} s")
