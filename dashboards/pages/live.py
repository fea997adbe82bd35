"""Live picture: every vessel's latest position on the Black Sea, filtered, refreshed every 30 s."""

from __future__ import annotations

from datetime import datetime, timezone

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboards import data
from dashboards.components import empty_state
from dashboards.live_filters import NO_ANOMALY, WINDOWS_H, LiveFilters, filter_vessels
from dashboards.map_figure import LAYER_LABELS, live_map_figure, severity_counts
from dashboards.text import fmt_time
from dashboards.vocab import (KIND_LABELS, SEVERITY_COLOURS, SEVERITY_LABELS, TYPE_CLASS_LABELS, TYPE_CLASSES,
                              ZONE_KIND_LABELS, type_class)
from maritime.store import dashboard_queries as queries

dash.register_page(__name__, path="/", name="Live picture", title="Live picture · Black Sea maritime monitor",
                   order=0)

FILTER_IDS = ("live-search", "live-type", "live-flag", "live-severity", "live-kind", "live-zone", "live-window")
WINDOW_LABELS = {"1": "1 h", "6": "6 h", "24": "24 h", "all": "All"}
FOCUS_ZOOM = 8.5


def _choices(type_codes: list[int], flags: list[str], zones: list[dict]) -> dict:
    classes = {type_class(code) for code in type_codes} | {"unknown"}
    return {
        "types": [{"label": TYPE_CLASS_LABELS[c], "value": c} for c in TYPE_CLASSES if c in classes],
        "flags": [{"label": f, "value": f} for f in flags],
        "severities": [{"label": SEVERITY_LABELS[s], "value": s} for s in ("critical", "warning", "info")]
        + [{"label": SEVERITY_LABELS[None], "value": NO_ANOMALY}],
        "kinds": [{"label": label, "value": kind} for kind, label in KIND_LABELS.items()],
        "zones": [{"label": f"{z['name']} ({ZONE_KIND_LABELS.get(z['kind'], z['kind'])})", "value": z["name"]}
                  for z in zones],
    }


def _filter(label: str, control) -> html.Div:
    return html.Div([html.Label(label, className="filter-label"), control], className="filter")


def layout(q: str = "", **_):
    settings = data.view_settings()
    (type_codes, flags), zones, newest = data.read_many(queries.vessel_choices, queries.zones,
                                                          queries.newest_report_time)
    choices = _choices(type_codes, flags, zones)
    first_layers = default_layers()
    layer_options = [{"label": LAYER_LABELS[k], "value": k} for k in first_layers]
    persist = {"persistence": True, "persistence_type": "session"}
    sidebar = html.Aside([
        _filter("Search", dcc.Input(id="live-search", type="search", value=q[:64], debounce=True,
                                    placeholder="MMSI, IMO, name, callsign", className="text-input", **persist)),
        _filter("Vessel type", dcc.Dropdown(id="live-type", options=choices["types"], multi=True,
                                            placeholder="Any type", **persist)),
        _filter("Flag", dcc.Dropdown(id="live-flag", options=choices["flags"], multi=True, placeholder="Any flag",
                                     **persist)),
        _filter("Worst open anomaly", dcc.Dropdown(id="live-severity", options=choices["severities"], multi=True,
                                                   placeholder="Any", **persist)),
        _filter("Open anomaly kind", dcc.Dropdown(id="live-kind", options=choices["kinds"], multi=True,
                                                  placeholder="Any kind", **persist)),
        _filter("Inside zone", dcc.Dropdown(id="live-zone", options=choices["zones"], placeholder="Anywhere",
                                            **persist)),
        _filter("Last report within", dcc.RadioItems(
            id="live-window", options=[{"label": WINDOW_LABELS[k], "value": k} for k in WINDOWS_H], value="all",
            inline=True, className="radio-row", **persist)),
        _filter("Layers", dcc.Checklist(id="live-layers", options=layer_options, className="check-column",
                                        value=first_layers, **persist)),
        html.Button("Clear filters", id="live-clear", className="button secondary"),
        html.P(["Windows count back from the newest report stored. Colour: worst open anomaly. Size: vessel type "
                "(cargo, tanker, passenger largest). Line: where the vessel will be in 30 min at its course and "
                "speed, or its heading when stopped."], className="muted small legend-note"),
    ], className="sidebar")
    empty = None
    if newest is None:
        empty = empty_state("No vessel positions stored yet.",
                            "Ingest AIS data (maritime ingest PATH) or run maritime demo; vessels appear here as "
                            "soon as their first position report is stored.", id="live-empty")
    figure, first_summary, first_key = build(LiveFilters.from_inputs(search=q), first_layers, q.strip()[:64])
    return html.Div([
        sidebar,
        html.Div([
            html.Div(id="live-summary", className="summary-line", children=first_summary),
            html.Div([dcc.Graph(id="live-map", figure=figure, className="live-map", responsive=True,
                                config={"displaylogo": False, "scrollZoom": True,
                                        "modeBarButtonsToRemove": ["select2d", "lasso2d", "toImage"]}),
                      html.Div(first_key, id="live-key", className="map-key"), empty], className="map-frame"),
        ], className="map-column"),
        dcc.Interval(id="live-refresh", interval=int(settings.refresh_s * 1000)),
        dcc.Store(id="live-focus", data=q.strip()[:64] if q else ""),
        dcc.Location(id="live-nav", refresh="callback-nav"),
    ], className="live-page")


def summary(shown: pd.DataFrame, total: int, newest) -> list:
    flagged = int((shown["worst_rank"] > 0).sum()) if len(shown) else 0
    critical = int((shown["worst"] == "critical").sum()) if len(shown) else 0
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    parts = [html.B(f"{len(shown):,}"), f" of {total:,} vessels shown · ", html.B(f"{flagged:,}"),
             " with open anomalies", f" ({critical:,} critical)" if critical else "",
             f" · newest report {fmt_time(newest)} · refreshed {now:%H:%M:%S} UTC"]
    return parts


def colour_key(shown: pd.DataFrame) -> list:
    counts = severity_counts(shown)
    return [html.Div("Worst open anomaly", className="map-key-title")] + [
        html.Div([html.Span(className="dot", style={"background": SEVERITY_COLOURS[s]}),
                  f"{SEVERITY_LABELS[s]} ({counts[s]:,})"], className="map-key-row")
        for s in ("critical", "warning", "info", None)]


def build(filters: LiveFilters, layers, focus: str = ""):
    """Figure, summary and colour key for the given filters (the refresh callback's whole work)."""
    settings = data.view_settings()
    vessels, zones = data.read_many(queries.live_vessels, queries.zones)
    shown = filter_vessels(vessels, filters, zones)
    newest = vessels["last_seen"].max() if len(vessels) else None
    figure = live_map_figure(shown, zones, layers=layers or (), tile_url=settings.tile_url,
                             tile_attribution=settings.tile_attribution, newest=newest)
    if focus and filters.search == focus and len(shown) == 1:
        row = shown.iloc[0]
        figure["layout"]["map"].update(center={"lat": float(row["lat"]), "lon": float(row["lon"])}, zoom=FOCUS_ZOOM)
        figure["layout"]["uirevision"] = f"live-focus-{focus}"
    return figure, summary(shown, len(vessels), newest), colour_key(shown)


@callback(Output("live-map", "figure"), Output("live-summary", "children"), Output("live-key", "children"),
          Input("live-refresh", "n_intervals"), Input("live-search", "value"), Input("live-type", "value"),
          Input("live-flag", "value"), Input("live-severity", "value"), Input("live-kind", "value"),
          Input("live-zone", "value"), Input("live-window", "value"), Input("live-layers", "value"),
          State("live-focus", "data"))
def refresh(_n, search, types, flags, severities, kinds, zone, window, layers, focus):
    filters = LiveFilters.from_inputs(types, flags, kinds, severities, zone, window, search)
    if ctx.triggered_id is None and filters == LiveFilters.from_inputs(search=focus) \
            and set(layers or ()) == set(default_layers()):
        return no_update, no_update, no_update  # the page was drawn with exactly these filters: nothing to redo
    return build(filters, layers, focus or "")


def default_layers() -> list[str]:
    return ["routes", "ports", "zones"] + (["tiles"] if data.view_settings().tile_url else [])


@callback(*(Output(i, "value") for i in FILTER_IDS), Input("live-clear", "n_clicks"), prevent_initial_call=True)
def clear(_clicks):
    return "", [], [], [], [], None, "all"


@callback(Output("live-nav", "href"), Input("live-map", "clickData"), prevent_initial_call=True)
def open_vessel(click):
    points = (click or {}).get("points") or []
    mmsi = points[0].get("customdata") if points else None
    if isinstance(mmsi, list):
        mmsi = mmsi[0] if mmsi else None
    if isinstance(mmsi, int) or (isinstance(mmsi, str) and mmsi.isdigit()):
        return f"/vessel/{int(mmsi)}"
    return no_update
