"""The live picture: every vessel's latest position on the offline Black Sea map.

Markers are circles coloured by the vessel's worst open anomaly and sized by its type; a short line
from each shows where it will be in :data:`VECTOR_MINUTES` at its course and speed (the speed vector of
an ECDIS or radar display), or, stopped, which way its bow points. No symbol layers are used: MapLibre
would fetch icons and fonts from the internet for them.

The figure is built as a plain dict (plotly's figure schema) with vectorised text: validating 3,000-point
traces through ``plotly.graph_objects`` costs more than the whole query (benchmarks/dashboard.py).
"""

from __future__ import annotations

from typing import Iterable, Optional

import numpy as np
import pandas as pd

from dashboards import basemap
from dashboards.text import for_figure
from dashboards.vocab import (NAV_STATUS, SEVERITY_COLOURS, TYPE_CLASS_LABELS, ZONE_COLOURS, ZONE_KIND_LABELS,
                              kind_label, type_class)

LAYERS = ("routes", "ports", "zones", "tiles")
LAYER_LABELS = {"routes": "Lanes and grain corridor", "ports": "Ports and anchorages", "zones": "Zones",
                "tiles": "Online base map"}
UIREVISION = "live-map"  # constant: a refresh keeps the officer's zoom, pan and legend choices
VECTOR_MINUTES = 30.0
MIN_VECTOR_M = 2_500.0  # a stopped vessel's heading line
STOPPED_KN = 0.5
SIZE_CLASSES = {"large": 9, "medium": 7, "small": 6}
VECTOR_COLOUR = "#3b4b5c"  # marker diameter (px) by vessel type
TYPE_SIZE = {"cargo": "large", "tanker": "large", "passenger": "large", "military_law": "medium",
             "fishing": "small", "pleasure": "small"}
METRES_PER_DEG_LAT = 111_320.0
HOVER = "%{text}<extra></extra>"


def _text(values: pd.Series, prefix: str = "") -> pd.Series:
    """Escaped text per row, with ``prefix`` where there is any, else ''."""
    text = values.map(for_figure)
    return text.where(text == "", prefix + text)


def vessel_hover(v: pd.DataFrame, newest: Optional[pd.Timestamp] = None) -> list[str]:
    """One hover card per vessel; every AIS string is escaped (see dashboards.text)."""
    if v.empty:
        return []
    name = v["name"].map(for_figure).replace("", "(no name reported)")
    imo = v["imo"].map(lambda x: f" · IMO {int(x)}" if not pd.isna(x) and x else "")
    callsign = _text(v["callsign"], " · ")
    kind = v["ship_type"].map(lambda t: TYPE_CLASS_LABELS[type_class(t)])
    flag = _text(v["flag"], " · ")
    destination = _text(v["destination"], " · to ")
    sog = v["sog"].map(lambda x: f"{x:.1f} kn" if not pd.isna(x) else "speed not reported")
    cog = v["cog"].map(lambda x: f" · course {x:.0f}°" if not pd.isna(x) else "")
    heading = v["heading"].map(lambda x: f" · heading {x:.0f}°" if not pd.isna(x) else "")
    status = v["nav_status"].map(lambda x: f" · {NAV_STATUS[int(x)]}" if not pd.isna(x) and int(x) in NAV_STATUS
                                 else "")
    reported = pd.to_datetime(v["position_time"]).dt.strftime("last report %Y-%m-%d %H:%M UTC").fillna(
        "no position time")
    open_kinds = v["open_kinds"].map(
        lambda kinds: "<br>open: " + ", ".join(kind_label(k) for k in kinds.split(",")) if kinds else "")
    cards = ("<b>" + name + "</b><br>MMSI " + v["mmsi"].astype(str) + imo + callsign + "<br>" + kind + flag
             + destination + "<br>" + sog + cog + heading + status + "<br>" + reported + open_kinds)
    return cards.tolist()


def _vectors(v: pd.DataFrame) -> tuple[list, list]:
    """Line segments (lat, lon lists with None between) for each vessel's speed vector or heading."""
    sog = np.nan_to_num(v["sog"].to_numpy(dtype=float))
    moving = sog >= STOPPED_KN
    cog = v["cog"].to_numpy(dtype=float)
    bearing = np.where(moving & ~np.isnan(cog), cog, v["heading"].to_numpy(dtype=float))
    length = np.maximum(np.where(moving, sog * 1852.0 * VECTOR_MINUTES / 60.0, 0.0), MIN_VECTOR_M)
    lat0, lon0 = v["lat"].to_numpy(dtype=float), v["lon"].to_numpy(dtype=float)
    ok = ~np.isnan(bearing)
    rad = np.radians(bearing[ok])
    lat1 = lat0[ok] + length[ok] * np.cos(rad) / METRES_PER_DEG_LAT
    lon1 = lon0[ok] + length[ok] * np.sin(rad) / (METRES_PER_DEG_LAT * np.cos(np.radians(lat0[ok])))
    n = int(ok.sum())
    lats, lons = [None] * (3 * n), [None] * (3 * n)
    lats[0::3], lats[1::3] = np.round(lat0[ok], 4).tolist(), np.round(lat1, 4).tolist()
    lons[0::3], lons[1::3] = np.round(lon0[ok], 4).tolist(), np.round(lon1, 4).tolist()
    return lats, lons


def vessel_traces(v: pd.DataFrame, newest: Optional[pd.Timestamp] = None) -> list[dict]:
    """Two traces: every vessel's speed vector, then every vessel's marker, coloured by its worst open
    anomaly and ordered so the worst are drawn last, on top. Few traces matter: MapLibre gives each trace
    its own source and layers, and that, more than the point count, is what costs a browser without a GPU
    its time (benchmarks/dashboard.py). The colour key is therefore HTML beside the map, not a plotly
    legend, and severities are chosen with the filters."""
    v = v.sort_values("worst_rank", kind="stable") if len(v) else v
    lats, lons = _vectors(v) if len(v) else ([], [])
    sizes = v["ship_type"].map(lambda t: SIZE_CLASSES[TYPE_SIZE.get(type_class(t), "medium")]) if len(v) else []
    colours = v["worst"].map(lambda s: SEVERITY_COLOURS[s if isinstance(s, str) else None]) if len(v) else []
    return [
        {"type": "scattermap", "mode": "lines", "lat": lats, "lon": lons, "hoverinfo": "skip", "showlegend": False,
         "line": {"color": VECTOR_COLOUR, "width": 1.1}, "opacity": 0.8, "name": "Speed vectors"},
        {"type": "scattermap", "mode": "markers", "lat": v["lat"].round(4).tolist() if len(v) else [],
         "lon": v["lon"].round(4).tolist() if len(v) else [], "customdata": v["mmsi"].tolist() if len(v) else [],
         "text": vessel_hover(v, newest), "hovertemplate": HOVER, "name": "Vessels", "showlegend": False,
         "marker": {"color": list(colours), "size": [int(x) + (2 if r == 3 else 0) for x, r in
                                                     zip(sizes, v["worst_rank"] if len(v) else [])],
                    "opacity": 0.95}},
    ]


def severity_counts(v: pd.DataFrame) -> dict[Optional[str], int]:
    """How many vessels in each worst-open-anomaly class (for the colour key); None: no open anomaly."""
    worst = v["worst"] if len(v) else pd.Series(dtype=object)
    return {**{s: int((worst == s).sum()) for s in ("critical", "warning", "info")}, None: int(worst.isna().sum())}


def port_traces() -> list[dict]:
    """Ports (larger, dark) and anchorages (small, lighter) in one trace."""
    ports, anchorages = basemap.port_points(), basemap.anchorage_points()
    return [{
        "type": "scattermap", "mode": "markers", "showlegend": False, "name": "Ports and anchorages",
        "lat": [p["lat"] for p in ports] + [a["lat"] for a in anchorages],
        "lon": [p["lon"] for p in ports] + [a["lon"] for a in anchorages],
        "marker": {"size": [10] * len(ports) + [6] * len(anchorages),
                   "color": [basemap.PORT] * len(ports) + [basemap.ANCHORAGE] * len(anchorages), "opacity": 0.75},
        "text": [f"Port of {for_figure(p['name'])} ({p['country']})" for p in ports]
        + [f"Anchorage: {for_figure(a['name'])}" for a in anchorages], "hovertemplate": HOVER}]


def zone_traces(zones: Iterable[dict]) -> list[dict]:
    """All zones in one translucent filled trace, coloured by kind, with name and kind on hover."""
    zones = [z for z in zones if z["kind"] in ZONE_COLOURS]
    if not zones:
        return []
    kinds = list(ZONE_COLOURS)
    features = [{"type": "Feature", "id": str(i), "properties": {}, "geometry": z["geometry"]}
                for i, z in enumerate(zones)]
    # a stepped colour scale: z = the kind's index picks its colour
    scale = []
    for i, kind in enumerate(kinds):
        scale += [[i / len(kinds), ZONE_COLOURS[kind]], [(i + 1) / len(kinds), ZONE_COLOURS[kind]]]
    return [{
        "type": "choroplethmap", "geojson": {"type": "FeatureCollection", "features": features},
        "locations": [f["id"] for f in features], "z": [kinds.index(z["kind"]) + 0.5 for z in zones],
        "zmin": 0, "zmax": len(kinds), "colorscale": scale, "showscale": False,
        "marker": {"opacity": 0.25, "line": {"color": "#5b4a6b", "width": 1.2}},
        "text": [f"{ZONE_KIND_LABELS.get(z['kind'], z['kind'])} zone: {for_figure(z['name'])}" for z in zones],
        "hovertemplate": HOVER, "name": "Zones", "showlegend": False}]


def live_map_figure(vessels: pd.DataFrame, zones: Iterable[dict] = (), layers: Iterable[str] = ("routes", "ports",
                    "zones"), tile_url: Optional[str] = None, tile_attribution: str = "",
                    newest: Optional[pd.Timestamp] = None) -> dict:
    layers = set(layers)
    map_layers = []
    if "tiles" in layers and tile_url:
        map_layers.append(basemap.tile_layer(tile_url, tile_attribution))  # first: lowest
    if "routes" in layers:
        map_layers.extend(basemap.route_layers())
    data = []
    if "zones" in layers:
        data.extend(zone_traces(zones))
    if "ports" in layers:
        data.extend(port_traces())
    data.extend(vessel_traces(vessels, newest))
    layout = {
        "map": {"style": basemap.map_style(land="image"), "center": basemap.CENTER, "zoom": basemap.ZOOM,
                "bounds": basemap.BOUNDS, "layers": map_layers},
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0}, "uirevision": UIREVISION, "clickmode": "event",
        "showlegend": False,
        "hoverlabel": {"bgcolor": "white", "bordercolor": "#94a3b8", "font": {"size": 12, "color": "#1e293b"},
                       "align": "left"},
        "paper_bgcolor": basemap.SEA,
    }
    return {"data": data, "layout": layout}
