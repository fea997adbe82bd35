"""The live picture: every vessel's latest position on the offline Black Sea map.

Markers are circles coloured by the vessel's worst open anomaly and sized by its type; a short line
from each shows where it will be in :data:`VECTOR_MINUTES` at its course and speed (the speed vector of
an ECDIS or radar display), or, stopped, which way its bow points. No symbol layers are used: MapLibre
would fetch icons and fonts from the internet for them.
"""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboards import basemap
from dashboards.text import fmt_number, fmt_time, for_figure
from dashboards.vocab import (NAV_STATUS, SEVERITY_COLOURS, SEVERITY_LABELS, TYPE_CLASS_LABELS, ZONE_COLOURS,
                              ZONE_KIND_LABELS, kind_label, type_class)

LAYERS = ("routes", "ports", "zones", "tiles")
LAYER_LABELS = {"routes": "Lanes and grain corridor", "ports": "Ports and anchorages", "zones": "Zones",
                "tiles": "Online base map"}
UIREVISION = "live-map"  # constant: a refresh keeps the officer's zoom, pan and legend choices
VECTOR_MINUTES = 30.0
MIN_VECTOR_M = 2_500.0  # a moored vessel's heading line
STOPPED_KN = 0.5
TYPE_SIZES = {"cargo": 9, "tanker": 9, "passenger": 9, "military_law": 8, "fishing": 6, "pleasure": 6}
DEFAULT_SIZE = 7
METRES_PER_DEG_LAT = 111_320.0


def vessel_hover(v: pd.DataFrame, newest: Optional[pd.Timestamp]) -> list[str]:
    """One hover card per vessel; every AIS string is escaped (see dashboards.text)."""
    cards = []
    for row in v.itertuples(index=False):
        name = for_figure(row.name) or "(no name reported)"
        ids = [f"MMSI {row.mmsi}"]
        if not pd.isna(row.imo):
            ids.append(f"IMO {int(row.imo)}")
        if row.callsign and not pd.isna(row.callsign):
            ids.append(for_figure(row.callsign))
        kind = TYPE_CLASS_LABELS[type_class(row.ship_type)]
        place = [kind]
        if row.flag and not pd.isna(row.flag):
            place.append(for_figure(row.flag))
        if row.destination and not pd.isna(row.destination):
            place.append("to " + for_figure(row.destination))
        motion = [fmt_number(row.sog, 1, "kn")]
        if not pd.isna(row.cog):
            motion.append(f"course {row.cog:.0f}°")
        if not pd.isna(row.heading):
            motion.append(f"heading {row.heading:.0f}°")
        if not pd.isna(row.nav_status) and int(row.nav_status) in NAV_STATUS:
            motion.append(NAV_STATUS[int(row.nav_status)])
        lines = [f"<b>{name}</b>", " · ".join(ids), " · ".join(place), " · ".join(motion),
                 f"last report {fmt_time(row.position_time)}"]
        if row.open_kinds:
            lines.append("open: " + ", ".join(kind_label(k) for k in row.open_kinds.split(",")))
        cards.append("<br>".join(lines))
    return cards


def _vectors(v: pd.DataFrame) -> tuple[list, list]:
    """Line segments (lat, lon lists with None between) for each vessel's speed vector or heading."""
    sog = v["sog"].to_numpy(dtype=float)
    moving = np.nan_to_num(sog) >= STOPPED_KN
    bearing = np.where(moving & ~np.isnan(v["cog"].to_numpy(dtype=float)), v["cog"], v["heading"]).astype(float)
    length = np.where(moving, np.nan_to_num(sog) * 1852.0 * VECTOR_MINUTES / 60.0, 0.0)
    length = np.maximum(length, MIN_VECTOR_M)
    lat0, lon0 = v["lat"].to_numpy(dtype=float), v["lon"].to_numpy(dtype=float)
    rad = np.radians(bearing)
    lat1 = lat0 + length * np.cos(rad) / METRES_PER_DEG_LAT
    lon1 = lon0 + length * np.sin(rad) / (METRES_PER_DEG_LAT * np.cos(np.radians(lat0)))
    ok = ~np.isnan(bearing)
    n = int(ok.sum())
    lats = np.full(n * 3, np.nan, dtype=object)
    lons = np.full(n * 3, np.nan, dtype=object)
    lats[0::3], lats[1::3], lats[2::3] = np.round(lat0[ok], 5), np.round(lat1[ok], 5), None
    lons[0::3], lons[1::3], lons[2::3] = np.round(lon0[ok], 5), np.round(lon1[ok], 5), None
    return lats.tolist(), lons.tolist()


def vessel_traces(v: pd.DataFrame, newest: Optional[pd.Timestamp] = None) -> list[go.Scattermap]:
    """Per severity class (none, info, warning, critical — worst drawn last, on top): vectors, then markers."""
    traces = []
    for severity in (None, "info", "warning", "critical"):
        group = v[v["worst"].isna()] if severity is None else v[v["worst"] == severity]
        colour = SEVERITY_COLOURS[severity]
        name = f"{SEVERITY_LABELS[severity]} ({len(group):,})"
        legendgroup = severity or "none"
        lats, lons = _vectors(group) if len(group) else ([], [])
        traces.append(go.Scattermap(lat=lats, lon=lons, mode="lines", line={"color": colour, "width": 1.2},
                                    hoverinfo="skip", showlegend=False, legendgroup=legendgroup,
                                    name=f"{name} vectors"))
        sizes = [TYPE_SIZES.get(type_class(t), DEFAULT_SIZE) + (2 if severity == "critical" else 0)
                 for t in group["ship_type"]]
        traces.append(go.Scattermap(
            lat=group["lat"].round(5).tolist(), lon=group["lon"].round(5).tolist(), mode="markers",
            marker={"color": colour, "size": sizes, "opacity": 0.95}, name=name, legendgroup=legendgroup,
            text=vessel_hover(group, newest), hovertemplate="%{text}<extra></extra>",
            customdata=group["mmsi"].tolist()))
    return traces


def port_traces() -> list[go.Scattermap]:
    """Ports as rings (a dark disc under a land-coloured one), anchorages as small open dots."""
    ports = basemap.port_points()
    anchorages = basemap.anchorage_points()
    hover = [f"Port of {for_figure(p['name'])} ({p['country']})" for p in ports]
    common = {"mode": "markers", "showlegend": False, "legendgroup": "ports"}
    return [
        go.Scattermap(lat=[p["lat"] for p in ports], lon=[p["lon"] for p in ports], marker={"size": 11,
                      "color": basemap.PORT}, text=hover, hovertemplate="%{text}<extra></extra>", name="Ports",
                      **common),
        go.Scattermap(lat=[p["lat"] for p in ports], lon=[p["lon"] for p in ports], marker={"size": 5,
                      "color": basemap.LAND}, hoverinfo="skip", name="Ports (centre)", **common),
        go.Scattermap(lat=[a["lat"] for a in anchorages], lon=[a["lon"] for a in anchorages],
                      marker={"size": 6, "color": basemap.ANCHORAGE, "opacity": 0.7},
                      text=[f"Anchorage: {for_figure(a['name'])}" for a in anchorages],
                      hovertemplate="%{text}<extra></extra>", name="Anchorages", **common),
    ]


def zone_traces(zones: Iterable[dict]) -> list[go.Choroplethmap]:
    """One translucent filled trace per zone kind, with the zone's name and kind on hover."""
    traces = []
    zones = list(zones)
    for kind in ZONE_COLOURS:
        chosen = [z for z in zones if z["kind"] == kind]
        if not chosen:
            continue
        features = [{"type": "Feature", "id": str(i), "properties": {}, "geometry": z["geometry"]}
                    for i, z in enumerate(chosen)]
        colour = ZONE_COLOURS[kind]
        traces.append(go.Choroplethmap(
            geojson={"type": "FeatureCollection", "features": features}, locations=[f["id"] for f in features],
            z=[1] * len(features), colorscale=[[0, colour], [1, colour]], showscale=False,
            marker={"opacity": 0.22, "line": {"color": colour, "width": 1.5}},
            text=[f"{ZONE_KIND_LABELS.get(kind, kind)} zone: {for_figure(z['name'])}" for z in chosen],
            hovertemplate="%{text}<extra></extra>", name=f"{ZONE_KIND_LABELS.get(kind, kind)} zones",
            showlegend=False))
    return traces


def live_map_figure(vessels: pd.DataFrame, zones: Iterable[dict] = (), layers: Iterable[str] = ("routes", "ports",
                    "zones"), tile_url: Optional[str] = None, tile_attribution: str = "",
                    newest: Optional[pd.Timestamp] = None) -> go.Figure:
    layers = set(layers)
    map_layers = []
    if "tiles" in layers and tile_url:
        map_layers.append(basemap.tile_layer(tile_url, tile_attribution))
    if "routes" in layers:
        map_layers.extend(basemap.route_layers())
    data = []
    if "zones" in layers:
        data.extend(zone_traces(zones))
    if "ports" in layers:
        data.extend(port_traces())
    data.extend(vessel_traces(vessels, newest))
    figure = go.Figure(data=data)
    figure.update_layout(
        map={"style": basemap.map_style(), "center": basemap.CENTER, "zoom": basemap.ZOOM,
             "bounds": basemap.BOUNDS, "layers": map_layers},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, uirevision=UIREVISION, clickmode="event",
        legend={"x": 0.01, "y": 0.99, "xanchor": "left", "yanchor": "top", "bgcolor": "rgba(255,255,255,0.88)",
                "bordercolor": "#c9d1da", "borderwidth": 1, "font": {"size": 12}, "title": {
                    "text": "Worst open anomaly"}},
        hoverlabel={"bgcolor": "white", "bordercolor": "#94a3b8", "font": {"size": 12, "color": "#1e293b"},
                    "align": "left"},
        paper_bgcolor=basemap.SEA,
    )
    return figure

