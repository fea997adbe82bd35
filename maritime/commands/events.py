"""`maritime anomalies` (list or export stored events) and `maritime evaluate` (score them against labels)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Iterator, Optional, TextIO

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from maritime.detect.events import KINDS, STATUSES

Kind = Enum("Kind", {k: k for k in KINDS}, type=str)
Status = Enum("Status", {s: s for s in STATUSES}, type=str)


class AnomalyFormat(str, Enum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


class EvaluateFormat(str, Enum):
    table = "table"
    json = "json"


SEVERITY_STYLE = {"info": "cyan", "warning": "yellow", "critical": "bold red"}


@contextmanager
def _output(path: Optional[Path]) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", newline="", encoding="utf-8") as handle:
        yield handle


def _events_table(rows: list[dict]) -> Table:
    """Newest first. Every cell is a Text, so radio text is never read as Rich markup."""
    from maritime.event_export import summary

    table = Table(show_edge=False, header_style="bold")
    for column in ("start (UTC)", "kind", "severity", "mmsi", "other", "lat", "lon", "score", "status", "evidence"):
        table.add_column(column, justify="right" if column in ("mmsi", "other", "lat", "lon", "score") else "left",
                         overflow="fold", no_wrap=column != "evidence", min_width=30 if column == "evidence" else None)
    for row in sorted(rows, key=lambda r: (r["start"], r["id"]), reverse=True):
        table.add_row(
            Text(f"{row['start']:%Y-%m-%d %H:%M:%S}"), Text(row["kind"]),
            Text(row["severity"], style=SEVERITY_STYLE.get(row["severity"], "")),
            Text(str(row["mmsi"] or "")), Text(str(row["other_mmsi"] or "")),
            Text("" if row["lat"] is None else f"{row['lat']:.4f}"),
            Text("" if row["lon"] is None else f"{row['lon']:.4f}"),
            Text(f"{row['score']:.2f}"), Text(row["status"]), Text(summary(row["evidence"])))
    return table


def _cell(value: Optional[float], digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def evaluation_table(evaluation) -> Table:
    table = Table(show_edge=False, header_style="bold")
    for column in ("kind", "labels", "events", "TP", "FP", "FN", "precision", "recall", "F1",
                   "TTA mean (min)", "TTA median (min)", "false alarms / 1000 vh"):
        table.add_column(column, justify="left" if column == "kind" else "right")
    rows = [(s.kind, s) for s in evaluation.kinds] + [("all (micro)", evaluation.total)]
    for i, (name, s) in enumerate(rows):
        table.add_row(name, str(s.labels), str(s.events), str(s.true_positives), str(s.false_positives),
                      str(s.false_negatives), _cell(s.precision), _cell(s.recall), _cell(s.f1),
                      _cell(s.time_to_alert_mean_min, 1), _cell(s.time_to_alert_median_min, 1),
                      _cell(s.false_alarms_per_1000_vessel_hours, 2),
                      style="bold" if i == len(rows) - 1 else "", end_section=i == len(rows) - 2)
    return table


def register(app: typer.Typer) -> None:
    from maritime.cli import console, engine, handle_errors, out, parse_time

    @app.command()
    @handle_errors
    def anomalies(
        kind: Annotated[Optional[Kind], typer.Option(metavar="KIND", help="Only this kind: "
                                                     + ", ".join(KINDS) + ".")] = None,
        since: Annotated[Optional[str], typer.Option(help="Events still going at or after this data time "
                                                         "(ISO 8601, UTC).")] = None,
        until: Annotated[Optional[str], typer.Option(help="Events that began before this data time.")] = None,
        mmsi: Annotated[Optional[int], typer.Option(help="Only events naming this MMSI (either of a pair).")] = None,
        status: Annotated[Optional[Status], typer.Option(help="Only events with this status.")] = None,
        fmt: Annotated[AnomalyFormat, typer.Option("--format", help="A table (newest first), or JSON Lines, CSV "
                                                   "or GeoJSON (oldest first).")] = AnomalyFormat.table,
        output: Annotated[Optional[Path], typer.Option("--out", help="Write to this file instead of stdout.")] =
        None,
    ) -> None:
        """List or export stored anomaly events (radio text in the evidence is made safe for HTML and
        spreadsheets)."""
        from maritime.event_export import write_events
        from maritime.store.events import iter_events

        store = engine()
        filters = {"kind": kind.value if kind else None, "since": parse_time(since), "until": parse_time(until),
                   "mmsi": mmsi, "statuses": (status.value,) if status else None}
        with store.connect() as connection, _output(output) as handle:
            rows = iter_events(connection, **filters)
            if fmt is AnomalyFormat.table:
                rows = list(rows)
                target = Console(file=handle, highlight=False, width=200) if output else out
                target.print(_events_table(rows) if rows else "no events")
                n = len(rows)
            else:
                n = write_events(rows, handle, fmt.value)
        if output or fmt is AnomalyFormat.table:
            console.print(f"{n:,} events" + (f" written to {output}" if output else ""), highlight=False)

    @app.command()
    @handle_errors
    def evaluate(
        labels: Annotated[Path, typer.Option(help="Ground truth, one JSON object a line (`maritime simulate`'s "
                                                  "labels.jsonl).")],
        since: Annotated[Optional[str], typer.Option(help="From this data time (ISO 8601, UTC).")] = None,
        until: Annotated[Optional[str], typer.Option(help="Before this data time (ISO 8601, UTC).")] = None,
        tolerance: Annotated[float, typer.Option("--tolerance-minutes", min=0.0, help="Slack on the time overlap "
                                                 "of an event and a label.")] = 30.0,
        fmt: Annotated[EvaluateFormat, typer.Option("--format", help="A table, or JSON figures.")] =
        EvaluateFormat.table,
    ) -> None:
        """Score stored events against ground truth: per kind precision, recall, F1, time to alert and false
        alarms per 1,000 vessel-hours; retracted events do not count."""
        import json
        from datetime import timedelta

        from maritime.evaluate import evaluate_stored, load_labels

        truth = load_labels(labels)
        store = engine()
        with store.connect() as connection:
            evaluation = evaluate_stored(connection, truth, parse_time(since), parse_time(until),
                                         timedelta(minutes=tolerance))
        if fmt is EvaluateFormat.json:
            out.print_json(json.dumps(evaluation.as_dict()))
            return
        if evaluation.kinds:
            out.print(evaluation_table(evaluation))
        else:
            out.print("no events and no labels of anomaly kinds in the window")
        out.print(f"{evaluation.vessel_hours:,.1f} vessel-hours observed; time overlap tolerance "
                  f"{evaluation.tolerance_minutes:g} min; {evaluation.ignored_labels:,} labels of other kinds "
                  "ignored")
