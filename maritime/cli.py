"""The ``maritime`` command: parse, call one library function, print.

Every command exits 0 on success; an expected failure prints one line and exits 1
(``--debug`` shows the traceback instead).
"""

from __future__ import annotations

import functools
import sys
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table
from rich.text import Text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from maritime import __version__
from maritime.config import load_settings
from maritime.errors import MaritimeError
from maritime.store.db import describe_error

app = typer.Typer(
    help="Black Sea maritime patrol and port security monitor: AIS ingest, anomaly detection, planning, "
         "alerts and the officers' dashboard.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
# Markup is off: file names, errors, feed statuses and AIS text are printed as text, never as Rich markup.
console = Console(stderr=True, markup=False)  # progress and messages; data goes to stdout
out = Console(highlight=False, markup=False, width=None if sys.stdout.isatty() else 140)


def labelled(label: str, style: str, message: str) -> Text:
    """``label`` in ``style``, then the message as plain text."""
    return Text.assemble((label, style), " ", message)


class _State:
    db_url: Optional[str] = None
    debug: bool = False


state = _State()


def handle_errors(command: Callable) -> Callable:
    """One line and exit 1 for expected failures, instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            try:
                sys.stdout.close()
            except BrokenPipeError:
                pass
            raise typer.Exit(0) from None
        except (MaritimeError, SQLAlchemyError, OSError) as exc:
            if state.debug:
                raise
            if isinstance(exc, OperationalError):
                message = f"database error: {describe_error(exc)}"
            elif isinstance(exc, SQLAlchemyError):
                message = f"database error: {describe_error(exc)}"
            elif isinstance(exc, OSError) and not isinstance(exc, MaritimeError):
                message = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
            else:
                message = str(exc)
            console.print(labelled("error:", "bold red", message), highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            console.print("interrupted")
            raise typer.Exit(130) from None

    return wrapper


def _version(value: bool) -> None:
    if value:
        out.print(f"maritime {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db: Annotated[Optional[str], typer.Option(
        "--db", envvar="MARITIME_DB_URL", show_envvar=True,
        help="SQLAlchemy database URL, e.g. sqlite:///maritime.sqlite or postgresql://user@host/db. "
             "Default: an SQLite file in the user's data directory.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks instead of one-line errors.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    state.db_url = db
    state.debug = debug


def database_url() -> str:
    return state.db_url or load_settings().database_url


def engine():
    from maritime.store.db import open_store

    return open_store(database_url())


def parse_time(text: Optional[str]) -> Optional[datetime]:
    """ISO 8601 (naive means UTC) → naive UTC datetime."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise MaritimeError(f"not an ISO 8601 time: {text!r} (e.g. 2026-11-25T06:00:00Z)") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# -- init -----------------------------------------------------------------------------------------

@app.command()
@handle_errors
def init() -> None:
    """Create the database or migrate it to the current schema."""
    from maritime.store.db import create_db_engine, migrate, safe_url

    url = database_url()
    before, after = migrate(create_db_engine(url))
    if before == after:
        out.print(f"database {safe_url(url)} is up to date (schema {after})")
    else:
        out.print(f"database {safe_url(url)} migrated from {before or 'empty'} to schema {after}")


# -- ingest ---------------------------------------------------------------------------------------

class IngestFormat(str, Enum):
    auto = "auto"
    nmea = "nmea"
    csv = "csv"


def _bytes_progress() -> Progress:
    return Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                    TimeRemainingColumn(), console=console, transient=True)


@app.command()
@handle_errors
def ingest(
    paths: Annotated[list[str], typer.Argument(
        help="Files, folders or globs (NMEA recordings, plain or .gz, or CSV archives from MarineCadastre or "
             "the Danish Maritime Authority), or one stream URL tcp://host:port or udp://host:port.")],
    fmt: Annotated[IngestFormat, typer.Option("--format", help="Input format; auto detects per file.")] =
    IngestFormat.auto,
    seconds: Annotated[Optional[float], typer.Option(
        "--for", min=0.1, help="For tcp:// and udp:// streams: stop after this many seconds (default: until "
                               "Ctrl-C).")] = None,
) -> None:
    """Ingest AIS files or a live stream into the store; the same file twice stores nothing new.

    PATH is a file, folder or glob, or a stream: tcp://host:port (a client that reconnects with back-off)
    or udp://host:port (a listener). Prints read / decoded / stored / duplicate / rejected counts. Rejected
    input is kept, with its reason, for inspection (see `maritime status`).
    """
    from maritime.ingest import ingest_paths

    settings = load_settings()
    store = engine()
    streams = [p for p in paths if p.startswith(("tcp://", "udp://"))]
    if streams:
        if len(paths) != 1:
            raise MaritimeError("give one stream URL at a time, without files")
        _ingest_stream(store, streams[0], seconds, settings)
        return
    with _bytes_progress() as progress:
        task = progress.add_task("ingesting", total=None)
        report = ingest_paths(store, paths, fmt.value, settings.ingest,
                              progress=lambda n: progress.advance(task, n),
                              on_total=lambda total: progress.update(task, total=total))
    _print_ingest_report(report)


def _ingest_stream(store, url: str, seconds: Optional[float], settings) -> None:
    import threading

    from maritime.ingest import ingest_stream

    stop = threading.Event()
    if seconds is not None:
        threading.Timer(seconds, stop.set).start()
    console.print(f"reading {url} (Ctrl-C to stop)", highlight=False)
    with console.status("waiting for data") as status:
        def committed(report):
            c = report.counts
            status.update(f"read {c.read:,}  decoded {c.decoded:,}  stored {report.stored:,}  "
                          f"duplicates {c.duplicates:,}  rejected {c.rejected:,}")
        try:
            report = ingest_stream(store, url, stop, settings.ingest,
                                   on_status=lambda message: console.print(message, highlight=False),
                                   on_commit=committed)
        except KeyboardInterrupt:
            stop.set()
            raise
    c = report.counts
    out.print(f"{url}: read {c.read:,}  decoded {c.decoded:,}  stored {report.stored:,}  duplicates "
              f"{c.duplicates:,}  rejected {c.rejected:,}")


def _print_ingest_report(report) -> None:
    table = Table(title=None, show_edge=False, header_style="bold")
    for column in ("source", "format", "read", "decoded", "stored", "duplicates", "rejected", "note"):
        table.add_column(column, justify="right" if column not in ("source", "format", "note") else "left")
    for s in report.sources:
        note = s.error or ("unchanged, skipped" if s.skipped_unchanged else
                           f"resumed at byte {s.resumed_from:,}" if s.resumed_from else "")
        table.add_row(Path(s.source).name, s.format, f"{s.counts.read:,}", f"{s.counts.decoded:,}", f"{s.stored:,}",
                      f"{s.counts.duplicates:,}", f"{s.counts.rejected:,}", note)
    out.print(table)
    rate = report.total("read") / report.seconds if report.seconds else 0.0
    out.print(f"read {report.total('read'):,}  decoded {report.total('decoded'):,}  stored {report.total('stored'):,}"
              f"  duplicates {report.total('duplicates'):,}  rejected {report.total('rejected'):,}"
              f"  in {report.seconds:.1f} s ({rate:,.0f} lines/s)")
    for failed in report.failed:
        console.print(labelled("warning:", "yellow", f"{failed.source}: {failed.error}"), highlight=False)


# -- export ---------------------------------------------------------------------------------------

class ExportWhat(str, Enum):
    positions = "positions"
    vessels = "vessels"
    statics = "statics"


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"


@app.command()
@handle_errors
def export(
    what: Annotated[ExportWhat, typer.Argument(help="positions, vessels (latest identity) or statics (every "
                                                    "identity report).")],
    mmsi: Annotated[Optional[int], typer.Option(help="Only this MMSI.")] = None,
    since: Annotated[Optional[str], typer.Option(help="From this time (ISO 8601, UTC).")] = None,
    until: Annotated[Optional[str], typer.Option(help="Before this time (ISO 8601, UTC).")] = None,
    fmt: Annotated[ExportFormat, typer.Option("--format", help="JSON Lines or CSV.")] = ExportFormat.jsonl,
    output: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of stdout.")] = None,
) -> None:
    """Write stored data out as JSON Lines or CSV (text fields made safe for spreadsheets and HTML)."""
    from maritime.export import write_export

    store = engine()
    handle = open(output, "w", newline="", encoding="utf-8") if output else sys.stdout
    try:
        with store.connect() as connection:
            n = write_export(connection, what.value, handle, fmt.value, mmsi, parse_time(since), parse_time(until))
    finally:
        if output:
            handle.close()
    if output:
        console.print(f"wrote {n:,} {what.value} to {output}", highlight=False)


# -- status ---------------------------------------------------------------------------------------

@app.command()
@handle_errors
def status() -> None:
    """What is stored: counts, data time range, recent ingests, rejects by reason."""
    from maritime.store.db import safe_url
    from maritime.store.feeds import list_feeds, recent_ticks
    from maritime.store.queries import data_time_range, recent_ingest_runs, rejects_by_reason, table_counts

    store = engine()
    with store.connect() as connection:
        counts = table_counts(connection)
        first, last = data_time_range(connection)
        runs = recent_ingest_runs(connection, 5)
        reasons = rejects_by_reason(connection)
        ticks = recent_ticks(connection, 5)
        feeds = list_feeds(connection)
    out.print(f"database {safe_url(store)}")
    out.print("  ".join(f"{name} {n:,}" for name, n in counts.items()))
    out.print(f"positions from {first or '-'} to {last or '-'} (UTC)")
    if runs:
        table = Table("started (UTC)", "source", "status", "read", "stored", "rejected", show_edge=False,
                      header_style="bold", title="recent ingests", title_justify="left")
        for r in runs:
            table.add_row(f"{r['started_at']:%Y-%m-%d %H:%M:%S}", Path(r["source"]).name, r["status"],
                          f"{r['read']:,}", f"{r['stored']:,}", f"{r['rejected']:,}")
        out.print(table)
    if reasons:
        out.print("rejects by reason: " + ", ".join(f"{reason} {n:,}" for reason, n in reasons))
    for feed in feeds:
        out.print(f"feed {feed['url']}: {feed['last_status'] or 'no status yet'}", highlight=False)
    if ticks:
        table = Table("tick started (UTC)", "data until", "stored", "new", "updated", "retracted", "seconds",
                      show_edge=False, header_style="bold", title="recent ticks", title_justify="left")
        for t in ticks:
            table.add_row(f"{t['started_at']:%Y-%m-%d %H:%M:%S}",
                          f"{t['window_end']:%Y-%m-%d %H:%M}" if t["window_end"] else "-", f"{t['stored']:,}",
                          str(t["events_new"]), str(t["events_updated"]), str(t["events_retracted"]),
                          f"{t['seconds']:.1f}" if t["seconds"] is not None else "-")
        out.print(table)


# -- simulate and demo ------------------------------------------------------------------------------

def _run_simulation(hours: float, vessels: int, seed: int, out_dir: Path):
    from rich.progress import MofNCompleteColumn

    from maritime.simulate import simulate

    with Progress(TextColumn("[bold]simulating"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, transient=True) as progress:
        task = progress.add_task("simulating", total=None)
        return simulate(hours=hours, vessels=vessels, seed=seed, out_dir=out_dir,
                        progress=lambda done, total: progress.update(task, completed=done, total=total))


@app.command()
@handle_errors
def simulate(
    hours: Annotated[float, typer.Option(min=0.1, max=24 * 14, help="Length of the simulated period.")] = 24.0,
    vessels: Annotated[int, typer.Option(min=1, max=20_000, help="Number of vessels.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed; the same seed gives the same output.")] = 1,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for ais.nmea, labels.jsonl, zones.geojson, "
                                                        "benign.jsonl, vessels.jsonl and scenario.json.")] =
    Path("simulated"),
) -> None:
    """Simulate Black Sea AIS traffic with labelled anomalies, as real NMEA with tag-block times."""
    summary = _run_simulation(hours, vessels, seed, out_dir)
    out.print(summary.describe() if hasattr(summary, "describe") else summary)


@app.command()
@handle_errors
def demo(
    hours: Annotated[float, typer.Option(min=0.5, max=72, help="Hours of simulated traffic.")] = 24.0,
    vessels: Annotated[int, typer.Option(min=1, max=5_000, help="Number of vessels.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    serve: Annotated[bool, typer.Option("--serve/--no-serve", help="End by serving the dashboard (--no-serve: "
                                                                   "stop after preparing it, e.g. in CI).")] = True,
    host: Annotated[str, typer.Option(help="Dashboard address.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Dashboard port.")] = 8050,
) -> None:
    """Everything at once on simulated data: simulate a day of Black Sea traffic, ingest it, show what was stored,
    then serve the dashboard with a demo officer and analyst (their random passwords are printed).

    Uses its own SQLite file (demo.sqlite in the data directory) unless --db is given.
    """
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store, safe_url
    from maritime.store.queries import table_counts

    settings = load_settings()
    demo_dir = settings.data_dir / "demo"
    url = state.db_url or f"sqlite:///{settings.data_dir / 'demo.sqlite'}"
    console.print(f"simulating {hours:g} h of traffic for {vessels} vessels (seed {seed}) into {demo_dir}",
                  highlight=False)
    summary = _run_simulation(hours, vessels, seed, demo_dir)
    out.print(summary.describe() if hasattr(summary, "describe") else summary)
    store = open_store(url)
    console.print(f"ingesting into {safe_url(url)}", highlight=False)
    with _bytes_progress() as progress:
        task = progress.add_task("ingesting", total=None)
        report = ingest_paths(store, [str(demo_dir / "ais.nmea")], "nmea", settings.ingest,
                              progress=lambda n: progress.advance(task, n),
                              on_total=lambda total: progress.update(task, total=total))
    _print_ingest_report(report)
    with store.connect() as connection:
        counts = table_counts(connection)
    out.print("stored: " + "  ".join(f"{name} {n:,}" for name, n in counts.items()))
    _demo_detection(store, demo_dir, settings)
    out.print(f"explore it: maritime --db {url} status | anomalies | export vessels | export positions --mmsi N")
    from maritime.commands.dashboard import demo_accounts, serve_dashboard

    for name, role, password in demo_accounts(store):
        out.print(f"dashboard account {name} ({role}), password {password}")
    if serve:
        serve_dashboard(store, host, port, console)
    else:
        out.print(f"serve it: maritime --db {url} dashboard --host {host} --port {port}")


def _demo_detection(store, demo_dir: Path, settings) -> None:
    """Load the simulated zones, run the detectors and score them against the simulator's ground truth."""
    from maritime.commands.events import evaluation_table
    from maritime.detect.runner import detect_window
    from maritime.evaluate import evaluate_stored, load_labels
    from maritime.geo.zones import read_zones
    from maritime.store.zones import save_zones

    with store.begin() as connection:
        save_zones(connection, read_zones(demo_dir / "zones.geojson"))
    with console.status("detecting anomalies"):
        report = detect_window(store, None, None, settings.detect)
    out.print(f"detected {len(report.events):,} anomaly events in {report.seconds:.1f} s; against the simulator's "
              f"labels:")
    with store.connect() as connection:
        evaluation = evaluate_stored(connection, load_labels(demo_dir / "labels.jsonl"))
    out.print(evaluation_table(evaluation))


def _register_command_modules() -> None:
    from maritime.commands import register_all

    register_all(app)


_register_command_modules()
