"""Alerts: anomaly events newest first, filtered and sorted; acknowledge or dismiss with a comment."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import dash
import pandas as pd
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboards import data
from dashboards.auth import Forbidden, current_user, require
from dashboards.charts import event_counts_figure
from dashboards.components import card, empty_state, key_values, page_header, severity_badge, status_badge, table
from dashboards.live_filters import in_zone
from dashboards.text import clean, fmt_number, fmt_period, fmt_position, fmt_time
from dashboards.vocab import KIND_LABELS, SEVERITY_LABELS, STATUS_LABELS, kind_label
from maritime.store import dashboard_queries as queries

dash.register_page(__name__, path="/alerts", name="Alerts", title="Alerts · Black Sea maritime monitor", order=1)

WINDOWS_H = {"6": 6, "24": 24, "168": 168, "all": None}
WINDOW_LABELS = {"6": "6 h", "24": "24 h", "168": "7 days", "all": "All"}
SORTS = {"detected_at": "Detected", "start": "Start", "severity": "Severity", "score": "Score", "kind": "Kind"}
LIMIT = 300
COMMENT_MAX = 1000


def _filter(label, control):
    return html.Div([html.Label(label, className="filter-label"), control], className="filter")


def layout(**_):
    zones = data.read(queries.zones)
    persist = {"persistence": True, "persistence_type": "session"}
    filters = html.Div([
        _filter("Kind", dcc.Dropdown(id="alerts-kind", multi=True, placeholder="Any kind", **persist,
                                     options=[{"label": label, "value": kind} for kind, label in KIND_LABELS.items()])),
        _filter("Severity", dcc.Dropdown(id="alerts-severity", multi=True, placeholder="Any", **persist,
                                         options=[{"label": SEVERITY_LABELS[s], "value": s}
                                                  for s in ("critical", "warning", "info")])),
        _filter("Status", dcc.Dropdown(id="alerts-status", multi=True, value=["open", "acknowledged"], **persist,
                                       options=[{"label": label, "value": s} for s, label in STATUS_LABELS.items()])),
        _filter("Zone", dcc.Dropdown(id="alerts-zone", placeholder="Anywhere", **persist,
                                     options=[{"label": z["name"], "value": z["name"]} for z in zones])),
        _filter("Time", dcc.RadioItems(id="alerts-window", value="all", inline=True, className="radio-row", **persist,
                                       options=[{"label": WINDOW_LABELS[k], "value": k} for k in WINDOWS_H])),
        _filter("Sort by", dcc.Dropdown(id="alerts-sort", value="detected_at", clearable=False, **persist,
                                        options=[{"label": label, "value": key} for key, label in SORTS.items()])),
        _filter("Order", dcc.Dropdown(id="alerts-order", value="desc", clearable=False, **persist,
                                      options=[{"label": "Newest, highest first", "value": "desc"},
                                               {"label": "Oldest, lowest first", "value": "asc"}])),
    ], className="filters-row card")
    user = current_user()
    review = card("Review", html.Div([
        html.Div(id="alerts-detail", children=html.P("Choose an alert with Review to see its evidence and "
                                                     "acknowledge or dismiss it.", className="muted")),
        dcc.Textarea(id="alerts-comment", className="text-input", maxLength=COMMENT_MAX, style={"height": "70px"},
                     placeholder="Comment (what you checked, who you told)"),
        html.Div([html.Button("Acknowledge", id="alerts-ack", className="button"),
                  html.Button("Dismiss", id="alerts-dismiss", className="button secondary")], className="row",
                 style={"marginTop": "8px"}),
        html.Div(id="alerts-message"),
        html.P(f"Signed in as {user.name} ({user.role})." if user else "", className="muted small"),
    ], className="stack"), className="review-panel")
    return html.Div([
        page_header("Alerts", "Anomaly events raised by the detectors. Times are data times (UTC)."),
        filters,
        card("Events per kind, per hour of detection", dcc.Graph(id="alerts-counts", config={"displaylogo": False})),
        html.Div([card("Events", html.Div(id="alerts-table")), review], className="alerts-layout"),
        dcc.Store(id="alerts-selected"),
        dcc.Store(id="alerts-version", data=0),
        dcc.Interval(id="alerts-refresh", interval=int(data.view_settings().refresh_s * 1000)),
    ])


def _query(kinds, severities, statuses, window, sort, order) -> queries.EventQuery:
    newest = data.read(queries.newest_report_time)
    hours = WINDOWS_H.get(window)
    return queries.EventQuery(kinds=tuple(kinds or ()), severities=tuple(severities or ()),
                              statuses=tuple(statuses or ()),
                              since=newest - timedelta(hours=hours) if newest and hours else None,
                              sort=sort if sort in SORTS else "detected_at", descending=order != "asc", limit=LIMIT)


def in_named_zone(events: pd.DataFrame, zone: dict) -> pd.Series:
    """Events placed inside the zone, or naming it in their evidence (zone_entry)."""
    if events.empty:
        return pd.Series(dtype=bool)
    placed = events["lat"].notna() & events["lon"].notna()
    inside = pd.Series(False, index=events.index)
    inside[placed] = in_zone(zone["geometry"], events.loc[placed, "lat"], events.loc[placed, "lon"])
    named = events["evidence"].map(lambda e: isinstance(e, dict) and e.get("zone") == zone["name"])
    return inside | named


def event_rows(events: pd.DataFrame, names: dict[int, str], selected: str | None):
    def vessel(e):
        if pd.isna(e["mmsi"]):
            return html.Span("area event", className="muted")
        mmsi = int(e["mmsi"])
        return dcc.Link(clean(names.get(mmsi)) or f"MMSI {mmsi}", href=f"/vessel/{mmsi}",
                        id={"type": "alerts-vessel", "id": e["id"]})

    def where(e):
        if pd.isna(e["lat"]):
            return "—"
        target = f"/?q={int(e['mmsi'])}" if not pd.isna(e["mmsi"]) else "/"
        return dcc.Link(fmt_position(e["lat"], e["lon"], 3), href=target, title="Show on the live picture")

    return table([
        ("Detected", lambda e: fmt_time(e["detected_at"])), ("Severity", lambda e: severity_badge(e["severity"])),
        ("Kind", lambda e: kind_label(e["kind"])), ("Vessel", vessel), ("Where", where),
        ("Period", lambda e: fmt_period(e["start"], e["end"])),
        ("Score", lambda e: fmt_number(e["score"], 2)), ("Status", lambda e: status_badge(e["status"])),
        ("", lambda e: html.Button("Review", id={"type": "alerts-review", "id": e["id"]},
                                   className="button secondary small")),
    ], events.to_dict("records"), id="alerts-events", numeric=("Score",),
        row_class=lambda e: "selected" if e["id"] == selected else "")


@callback(Output("alerts-table", "children"), Output("alerts-counts", "figure"),
          Input("alerts-kind", "value"), Input("alerts-severity", "value"), Input("alerts-status", "value"),
          Input("alerts-zone", "value"), Input("alerts-window", "value"), Input("alerts-sort", "value"),
          Input("alerts-order", "value"), Input("alerts-refresh", "n_intervals"), Input("alerts-version", "data"),
          Input("alerts-selected", "data"))
def show_events(kinds, severities, statuses, zone, window, sort, order, _n, _version, selected):
    q = _query(kinds, severities, statuses, window, sort, order)
    zones = {z["name"]: z for z in data.read(queries.zones)}
    if isinstance(zone, str) and zone in zones:  # placed in the zone or naming it: decided here, over every matching event
        events = data.read(queries.events, replace(q, limit=None), with_evidence=True)
        events = events[in_named_zone(events, zones[zone])]
        total, events = len(events), events.head(LIMIT)
    else:
        events, total = data.read(queries.events, q), data.read(queries.count_events, q)
    names = data.read(queries.vessel_names, [int(m) for m in events["mmsi"].dropna().unique()])
    figure = event_counts_figure(data.read(queries.event_counts, q.since, None))
    if events.empty:
        if data.read(queries.count_events) == 0:
            return empty_state("No anomaly events yet.", "Events appear here as the detectors raise them."), figure
        return empty_state("No events match these filters."), figure
    note = html.P(f"Showing {len(events):,} of {total:,} events.", className="muted small") if total > len(events) \
        else None
    return html.Div([note, html.Div(event_rows(events, names, selected), className="table-wrap")]), figure


@callback(Output("alerts-selected", "data"), Output("alerts-message", "children", allow_duplicate=True),
          Input({"type": "alerts-review", "id": ALL}, "n_clicks"), prevent_initial_call=True)
def choose(clicks):
    if not any(clicks or []) or not isinstance(ctx.triggered_id, dict):
        return no_update, no_update
    return ctx.triggered_id["id"], None


@callback(Output("alerts-detail", "children"), Input("alerts-selected", "data"), Input("alerts-version", "data"),
          prevent_initial_call=True)
def show_detail(event_id, _version):
    event_id = event_id if isinstance(event_id, str) else None  # a forged request gets the empty state
    e = data.read(queries.event, event_id) if event_id else None
    if e is None:
        return html.P("Choose an alert with Review." if not event_id else "That event is no longer stored.",
                      className="muted")
    decided = []
    if e["status_by"]:
        decided = [("Status set by", f"{e['status_by']} at {fmt_time(e['status_at'])}"),
                   ("Comment", e["status_comment"] or "—")]
    vessel = dcc.Link(f"MMSI {e['mmsi']}", href=f"/vessel/{e['mmsi']}") if e["mmsi"] else "area event"
    return html.Div([
        html.Div([severity_badge(e["severity"]), " ", html.B(kind_label(e["kind"])), " ", status_badge(e["status"])]),
        key_values([("Vessel", vessel), ("Other vessel", e["other_mmsi"]), ("Where", fmt_position(e["lat"], e["lon"])),
                    ("Start", fmt_time(e["start"])), ("End", fmt_time(e["end"])),
                    ("Detected (data time)", fmt_time(e["detected_at"])), ("Score", fmt_number(e["score"], 2)),
                    ("Detector", e["detector"]), *decided]),
        html.Div("Evidence", className="filter-label", style={"marginTop": "8px"}),
        html.Pre(json.dumps(e["evidence"] or {}, indent=1, default=str, ensure_ascii=False)[:6000],
                 className="evidence"),
    ])


def decide(event_id: str | None, status: str, comment: str | None):
    """Acknowledge or dismiss (server-side role check); returns the message to show."""
    try:
        user = require("acknowledge")
    except Forbidden as exc:
        return html.P(f"Not recorded: {exc}.", className="notice error")
    if not isinstance(event_id, str) or not event_id:
        return html.P("Choose an alert first.", className="notice error")
    comment = (comment if isinstance(comment, str) else "").strip()[:COMMENT_MAX]
    if data.write(queries.set_event_status, event_id, status, user.name, comment):
        return html.P(f"{'Acknowledged' if status == 'acknowledged' else 'Dismissed'} by {user.name}.",
                      className="notice ok")
    return html.P("Not recorded: the event is not open (it was already decided or retracted).",
                  className="notice error")


@callback(Output("alerts-message", "children"), Output("alerts-version", "data"),
          Output("alerts-comment", "value"),
          Input("alerts-ack", "n_clicks"), Input("alerts-dismiss", "n_clicks"),
          State("alerts-selected", "data"), State("alerts-comment", "value"), State("alerts-version", "data"),
          prevent_initial_call=True)
def act(_ack, _dismiss, event_id, comment, version):
    status = "acknowledged" if ctx.triggered_id == "alerts-ack" else "dismissed"
    message = decide(event_id, status, comment)
    recorded = "ok" in (message.className or "")
    return message, (version or 0) + 1, "" if recorded else no_update
