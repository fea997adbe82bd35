"""Health: what the ingest did (runs, rates, rejects and why), how fresh the data is, how big the store is."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import PurePath

import dash
from dash import Input, Output, callback, dcc, html

from dashboards import data
from dashboards.components import card, empty_state, key_values, page_header, table
from dashboards.text import clean, fmt_bytes, fmt_duration, fmt_number, fmt_time
from maritime.store import dashboard_queries as queries

dash.register_page(__name__, path="/health", name="Health", title="Health · Black Sea maritime monitor", order=3)

STALE_AFTER_S = 15 * 60  # a source whose newest data is older than this is marked stale


def _source_name(source: str) -> str:
    if "://" in source:
        return clean(source, 80)
    return clean(PurePath(source).name or source, 80)


def _runs(runs):
    if runs.empty:
        return empty_state("No ingest has run yet.", "Runs appear here after `maritime ingest`, `maritime run` or "
                                                     "`maritime demo`.")
    return html.Div(table([
        ("Started", lambda r: fmt_time(r["started_at"], seconds=True)),
        ("Source", lambda r: html.Span(_source_name(r["source"]), title=clean(r["source"], 500))),
        ("Status", lambda r: r["status"]), ("Read", lambda r: fmt_number(r["read"])),
        ("Decoded", lambda r: fmt_number(r["decoded"])), ("Stored", lambda r: fmt_number(r["stored"])),
        ("Duplicates", lambda r: fmt_number(r["duplicates"])), ("Rejected", lambda r: fmt_number(r["rejected"])),
        ("Lines/s", lambda r: fmt_number(r["lines_per_s"])),
        ("Took", lambda r: fmt_duration(r["finished_at"] - r["started_at"]) if r["finished_at"] is not None else "—"),
        ("Newest data", lambda r: fmt_time(r["newest_data_time"])),
        ("Note", lambda r: clean(r["message"], 200)),
    ], runs.to_dict("records"), id="health-runs",
        numeric=("Read", "Decoded", "Stored", "Duplicates", "Rejected", "Lines/s")), className="table-wrap")


def _sources(sources):
    if sources.empty:
        return empty_state("No sources yet.")

    def lag(r):
        text = fmt_duration(r["lag"])
        stale = r["lag"] is not None and r["lag"].total_seconds() > STALE_AFTER_S
        return html.Span(text, className="badge sev-warning" if stale else "badge sev-none",
                         title="How far the newest report lies behind the clock now")

    return html.Div(table([
        ("Source", lambda r: html.Span(_source_name(r["source"]), title=clean(r["source"], 500))),
        ("Runs", lambda r: f"{r['runs']:,}"), ("Last ingest finished", lambda r: fmt_time(r["last_finished"])),
        ("Newest data", lambda r: fmt_time(r["newest_data_time"])), ("Behind now", lag),
    ], sources.to_dict("records"), id="health-sources", numeric=("Runs",)), className="table-wrap")


def _rejects(totals, samples):
    if totals.empty:
        return html.P("Nothing rejected: every line read was decoded or recognised as a duplicate.",
                      className="muted")
    rows = []
    for reason, count in zip(totals["reason"], totals["count"]):
        kept = samples[samples["reason"] == reason]
        rows.append({"reason": reason, "count": int(count), "samples": [
            html.Div([html.Code(clean(raw, 160)), html.Span(f"  {clean(detail, 120)}", className="muted small")])
            for raw, detail in zip(kept["raw"], kept["detail"])]})
    return html.Div(table([("Reason", lambda r: r["reason"]), ("Count", lambda r: f"{r['count']:,}"),
                           ("Newest samples (raw input, why)", lambda r: r["samples"] or "—")],
                          rows, id="health-rejects", numeric=("Count",)), className="table-wrap")


def content():
    runs, sources, (totals, samples), size, (first, last), counts = data.read_many(
        queries.ingest_runs, queries.sources, queries.rejects_by_reason, queries.database_size_bytes,
        queries.data_window, lambda c: queries.count_events(c))
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    summary = key_values([
        ("Database size", fmt_bytes(size)), ("Data from", fmt_time(first)), ("Newest report", fmt_time(last)),
        ("Newest report behind now", fmt_duration(now - last) if last else "—"),
        ("Anomaly events stored", f"{counts:,}"), ("Checked", fmt_time(now, seconds=True)),
    ])
    return html.Div([
        html.Div([card("Store", summary), card("Sources", _sources(sources))], className="grid-2"),
        card("Ingest runs (newest first)", _runs(runs)),
        card("Rejected input by reason", _rejects(totals, samples)),
    ])


def layout(**_):
    return html.Div([
        page_header("Health", "Ingest, data freshness and storage. Refreshes every minute."),
        html.Div(content(), id="health-content"),
        dcc.Interval(id="health-refresh", interval=60_000),
    ])


@callback(Output("health-content", "children"), Input("health-refresh", "n_intervals"), prevent_initial_call=True)
def refresh(_n):
    return content()
