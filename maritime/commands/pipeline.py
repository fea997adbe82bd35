"""`maritime feeds add|list|remove` and `maritime run`: live feeds and the scheduled pipeline."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table


def register(app: typer.Typer) -> None:
    from maritime.cli import console, engine, handle_errors, labelled, out

    feeds = typer.Typer(help="Configure live feeds: tcp://host:port, udp://host:port, file:///folder/or/glob.",
                        no_args_is_help=True)
    app.add_typer(feeds, name="feeds")

    @feeds.command("add")
    @handle_errors
    def feeds_add(url: Annotated[str, typer.Argument(help="tcp://host:port (client), udp://host:port "
                                                          "(listener) or file:///folder/or/glob (polled).")]) -> None:
        """Add a feed that `maritime run` reads."""
        from maritime.store.feeds import add_feed

        with engine().begin() as connection:
            out.print(f"added feed {add_feed(connection, url)}")

    @feeds.command("remove")
    @handle_errors
    def feeds_remove(url: str) -> None:
        """Remove a feed."""
        from maritime.store.feeds import remove_feed

        with engine().begin() as connection:
            remove_feed(connection, url)
        out.print(f"removed feed {url}")

    @feeds.command("list")
    @handle_errors
    def feeds_list() -> None:
        """The configured feeds and their latest status."""
        from maritime.store.feeds import list_feeds

        with engine().connect() as connection:
            rows = list_feeds(connection)
        if not rows:
            out.print("no feeds configured (maritime feeds add tcp://host:port)")
            return
        table = Table("url", "kind", "enabled", "latest status", "at (UTC)", show_edge=False, header_style="bold")
        for row in rows:
            at = f"{row['last_status_at']:%Y-%m-%d %H:%M:%S}" if row["last_status_at"] else "-"
            table.add_row(row["url"], row["kind"], "yes" if row["enabled"] else "no", row["last_status"] or "-", at)
        out.print(table)

    @app.command()
    @handle_errors
    def run(
        once: Annotated[bool, typer.Option("--once", help="Run one tick (file feeds, then detection) and exit.")]
        = False,
        tick_seconds: Annotated[float, typer.Option("--tick", min=5, help="Seconds between ticks.")] = 60.0,
    ) -> None:
        """The pipeline: read the feeds, store, detect and record events, on a schedule (Ctrl-C stops)."""
        from maritime.config import load_settings
        from maritime.pipeline import tick
        from maritime.scheduler import run as run_scheduler

        settings = load_settings()
        store = engine()

        def show(report) -> None:
            stored = report.ingest.total("stored") if report.ingest else 0
            window = f"{report.window[0]:%Y-%m-%d %H:%M} to {report.window[1]:%H:%M} UTC" if report.window[1] \
                else "no data yet"
            out.print(f"tick: stored {stored:,}; data {window}; events {report.new} new, {report.updated} updated, "
                      f"{report.retracted} retracted; {report.seconds:.1f} s")

        if once:
            show(tick(store, settings))
            return
        console.print(f"running a tick every {tick_seconds:g} s (Ctrl-C to stop)", highlight=False)
        run_scheduler(store, settings, tick_seconds, on_tick=show,
                      on_error=lambda exc: console.print(labelled("tick failed:", "red", str(exc)), highlight=False))
