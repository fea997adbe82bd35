"""Vessel: identity and its history, the track with time-slider playback, speed and course, its events."""

from __future__ import annotations

import json
from datetime import timedelta

import dash
import pandas as pd
from dash import Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from dashboards import data
from dashboards.charts import playback_line, speed_course_figure
from dashboards.components import (card, empty_state, key_values, page_header, severity_badge, status_badge, table,
                                   vessel_label)
from dashboards.text import clean, fmt_duration, fmt_int, fmt_number, fmt_period, fmt_position, fmt_time
from dashboards.track_figure import POSITION_TRACE, TRAVELLED_TRACE, position_at, track_figure, travelled
from dashboards.vocab import NAV_STATUS, TYPE_CLASS_LABELS, kind_label, type_class
from maritime.store import dashboard_queries as queries

dash.register_page(__name__, path_template="/vessel/<mmsi>", name="Vessel",
                   title=lambda mmsi=None, **_: f"Vessel {mmsi} · Black Sea maritime monitor")

WINDOWS_H = {"6": 6, "24": 24, "72": 72, "all": None}
WINDOW_LABELS = {"6": "6 h", "24": "24 h", "72": "3 days", "all": "All"}
PLAYBACK_STEPS = 120  # a playback crosses the window in this many ticks
PLAYBACK_TICK_MS = 500
FIELD_LABELS = {"name": "Name", "callsign": "Callsign", "imo": "IMO", "ship_type": "Ship type",
                "destination": "Destination"}


def _parse_mmsi(mmsi) -> int | None:
    text = str(mmsi or "")
    return int(text) if text.isdigit() and len(text) <= 9 else None


def layout(mmsi=None, **_):
    number = _parse_mmsi(mmsi)
    if number is None:
        return html.Div([page_header("Vessel"), empty_state("That is not an MMSI.",
                                                            "A vessel's address is /vessel/ and its 9-digit MMSI.")])
    v, reports, events = data.read_many(lambda c: queries.vessel(c, number),
                                        lambda c: queries.identity_reports(c, number),
                                        lambda c: queries.events(c, queries.EventQuery(mmsi=number, limit=1000),
                                                                 with_evidence=True))
    if v is None:
        return html.Div([page_header(f"MMSI {number}"),
                         empty_state("Nothing stored for this MMSI.",
                                     "No position or identity report from it has been ingested.")])
    open_events = events[events["status"] == "open"]
    worst = None
    for severity in ("critical", "warning", "info"):
        if (open_events["severity"] == severity).any():
            worst = severity
            break
    title = html.Div([html.H1(vessel_label(v["name"], number)),
                      html.Span(f"MMSI {number}", className="ids"), severity_badge(worst)], className="vessel-title")
    return html.Div([
        html.Div([title, html.P([dcc.Link("Show on the live picture", href=f"/?q={number}"), " · ",
                                 dcc.Link("All alerts", href="/alerts")], className="muted")],
                 className="page-header"),
        html.Div([card("Identity", _identity(v)), card("Identity history", _history(reports))], className="grid-2"),
        card("Track", _track_controls(number)),
        card("Speed and course", dcc.Graph(id="vessel-chart", config={"displaylogo": False})),
        card(f"Anomaly events ({len(events):,})", _events(events)),
        dcc.Store(id="vessel-mmsi", data=number),
    ])


def _identity(v: dict):
    size = "—"
    if v.get("length") or v.get("beam"):
        size = f"{fmt_int(v.get('length'))} m × {fmt_int(v.get('beam'))} m"
    status = NAV_STATUS.get(v.get("nav_status")) if v.get("nav_status") is not None else None
    return key_values([
        ("Name", clean(v.get("name")) or "not reported"), ("Callsign", clean(v.get("callsign"))),
        ("IMO", fmt_int(v.get("imo")) if v.get("imo") else "—"), ("Flag (from MMSI)", v.get("flag")),
        ("Type", f"{TYPE_CLASS_LABELS[type_class(v.get('ship_type'))]} ({fmt_int(v.get('ship_type'))})"),
        ("Size", size), ("Draught", fmt_number(v.get("draught"), 1, "m")),
        ("Destination", clean(v.get("destination"))),
        ("Last position", f"{fmt_position(v.get('lat'), v.get('lon'))} at {fmt_time(v.get('position_time'))}"),
        ("Motion", f"{fmt_number(v.get('sog'), 1, 'kn')}, course {fmt_number(v.get('cog'), 0, '°')}, heading "
                   f"{fmt_number(v.get('heading'), 0, '°')}" + (f", {status}" if status else "")),
        ("Seen", f"{fmt_time(v.get('first_seen'))} to {fmt_time(v.get('last_seen'))}"),
    ])


def _history(reports: pd.DataFrame):
    if reports.empty:
        return empty_state("No identity reports stored.", "Names, callsigns and IMO numbers come from AIS message "
                                                          "types 5, 19 and 24; none has been received from it.")
    ids = queries.identities(reports)
    changes = queries.identity_changes(reports)
    id_table = table([("Name", lambda r: clean(r["name"])), ("Callsign", lambda r: clean(r["callsign"])),
                      ("IMO", lambda r: fmt_int(r["imo"])), ("First", lambda r: fmt_time(r["first"])),
                      ("Last", lambda r: fmt_time(r["last"])), ("Reports", lambda r: f"{r['reports']:,}")],
                     ids.to_dict("records"), id="vessel-identities", numeric=("Reports",))
    if changes:
        change_table = table([("Time", lambda c: fmt_time(c.time)), ("Field", lambda c: FIELD_LABELS[c.field]),
                              ("From", lambda c: clean(c.old)), ("To", lambda c: clean(c.new))],
                             changes, id="vessel-changes")
        change_part = [html.H2("Changes", className="card-title"), html.Div(change_table, className="table-wrap")]
    else:
        change_part = [html.P(f"No change of name, callsign, IMO, type or destination in {len(reports):,} "
                              "identity reports.", className="muted")]
    return html.Div([html.Div(id_table, className="table-wrap"), html.Div(change_part, style={"marginTop": "12px"})])


def _track_controls(mmsi: int):
    return html.Div([
        html.Div([dcc.RadioItems(id="vessel-window", value="24", inline=True, className="radio-row",
                                 options=[{"label": WINDOW_LABELS[k], "value": k} for k in WINDOWS_H]),
                  html.Span(id="vessel-track-note", className="muted small")], className="row"),
        dcc.Graph(id="vessel-map", className="vessel-map", config={"displaylogo": False, "scrollZoom": True}),
        html.Div([html.Button("Play", id="vessel-play", className="button secondary small"),
                  html.Div(dcc.Slider(id="vessel-slider", min=0, max=0, step=1, value=0, marks=None,
                                      updatemode="drag"), className="slider"),
                  html.Span(id="vessel-time", className="playback-time")], className="playback"),
        dcc.Interval(id="vessel-tick", interval=PLAYBACK_TICK_MS, disabled=True),
    ])


def _evidence(evidence) -> html.Pre:
    return html.Pre(json.dumps(evidence or {}, indent=1, default=str, ensure_ascii=False)[:4000], className="evidence")


def _events(events: pd.DataFrame):
    if events.empty:
        return empty_state("No anomaly events for this vessel.", "The detectors have raised nothing on its reports.")
    rows = events.sort_values("detected_at", ascending=False).to_dict("records")
    return html.Div(table([
        ("Detected", lambda e: fmt_time(e["detected_at"])), ("Kind", lambda e: kind_label(e["kind"])),
        ("Severity", lambda e: severity_badge(e["severity"])), ("Status", lambda e: status_badge(e["status"])),
        ("Period", lambda e: fmt_period(e["start"], e["end"])),
        ("Score", lambda e: fmt_number(e["score"], 2)),
        ("What fired", lambda e: html.Div([html.Span(e["detector"]), _evidence(e["evidence"])])),
    ], rows, id="vessel-events", numeric=("Score",)), className="table-wrap")


def _window(mmsi: int, window: str):
    first, last = data.read(queries.track_time_range, mmsi)
    hours = WINDOWS_H.get(window)
    since = last - timedelta(hours=hours) if last is not None and hours else None
    return since, last


@callback(Output("vessel-map", "figure"), Output("vessel-chart", "figure"), Output("vessel-slider", "max"),
          Output("vessel-slider", "value"), Output("vessel-track-note", "children"),
          Input("vessel-window", "value"), State("vessel-mmsi", "data"))
def show_track(window, mmsi):
    since, until = _window(mmsi, window)
    track, events = data.read_many(lambda c: queries.track(c, mmsi, since, until),
                                   lambda c: queries.events(c, queries.EventQuery(mmsi=mmsi, since=since, until=None,
                                                                                  limit=1000)))
    last = max(len(track) - 1, 0)
    note = (f"{len(track):,} reports shown from {fmt_time(since or (track['time'].min() if len(track) else None))} to "
            f"{fmt_time(until)}" if len(track) else "No position reports in this window.")
    return (track_figure(track, events, uirevision=f"vessel-{mmsi}-{window}"),
            speed_course_figure(track, track["time"].iloc[-1] if len(track) else None), last, last, note)


@callback(Output("vessel-map", "figure", allow_duplicate=True), Output("vessel-chart", "figure", allow_duplicate=True),
          Output("vessel-time", "children"), Input("vessel-slider", "value"), State("vessel-window", "value"),
          State("vessel-mmsi", "data"), prevent_initial_call=True)
def move_playback(index, window, mmsi):
    since, until = _window(mmsi, window)
    track = data.read(queries.track, mmsi, since, until).dropna(subset=["lat", "lon"]).reset_index(drop=True)
    if track.empty:
        return no_update, no_update, ""
    index = max(0, min(int(index or 0), len(track) - 1))
    lat, lon = travelled(track, index)
    lat_now, lon_now, text_now = position_at(track, index)
    figure = Patch()
    figure["data"][TRAVELLED_TRACE]["lat"], figure["data"][TRAVELLED_TRACE]["lon"] = lat, lon
    figure["data"][POSITION_TRACE]["lat"], figure["data"][POSITION_TRACE]["lon"] = lat_now, lon_now
    figure["data"][POSITION_TRACE]["text"] = text_now
    chart = Patch()
    chart["layout"]["shapes"] = playback_line(track["time"].iloc[index])
    row = track.iloc[index]
    elapsed = row["time"] - track["time"].iloc[0]
    return figure, chart, f"{fmt_time(row['time'], seconds=True)} (+{fmt_duration(elapsed)})"


@callback(Output("vessel-tick", "disabled"), Output("vessel-play", "children"),
          Output("vessel-slider", "value", allow_duplicate=True),
          Input("vessel-play", "n_clicks"), Input("vessel-tick", "n_intervals"),
          State("vessel-tick", "disabled"), State("vessel-slider", "value"), State("vessel-slider", "max"),
          prevent_initial_call=True)
def play(_clicks, _ticks, stopped, value, last):
    value, last = int(value or 0), int(last or 0)
    step = max(1, last // PLAYBACK_STEPS)
    if ctx.triggered_id == "vessel-play":
        if stopped:  # start (from the beginning if at the end)
            return False, "Pause", 0 if value >= last else no_update
        return True, "Play", no_update
    if value >= last:
        return True, "Play", last
    return False, "Pause", min(last, value + step)
