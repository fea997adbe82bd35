"""One vessel's track on the offline map, with a playback position, and its events where they happened."""

from __future__ import annotations

import math
from typing import Optional

import pandas as pd
import plotly.graph_objects as go

from dashboards import basemap
from dashboards.text import fmt_number, fmt_time, for_figure
from dashboards.vocab import SEVERITY_COLOURS, kind_label

TRACK = "#8194a8"
TRAVELLED = "#1f5f99"
POSITION = "#0f2f52"
# trace order, so that playback can patch the right ones
TRACK_TRACE, TRAVELLED_TRACE, POSITION_TRACE, EVENTS_TRACE = range(4)


def view_for(lats: pd.Series, lons: pd.Series, width_px: int = 900, height_px: int = 460) -> dict:
    """Centre and zoom that fit the points into a map of about this size."""
    if lats.empty:
        return {"center": basemap.CENTER, "zoom": basemap.ZOOM}
    lat_min, lat_max, lon_min, lon_max = lats.min(), lats.max(), lons.min(), lons.max()
    centre = {"lat": float((lat_min + lat_max) / 2), "lon": float((lon_min + lon_max) / 2)}
    span_lon = max(float(lon_max - lon_min), 0.02) * 1.3
    span_lat = max(float(lat_max - lat_min), 0.02) * 1.3 / math.cos(math.radians(centre["lat"]))
    zoom = min(math.log2(width_px * 360 / (256 * span_lon)), math.log2(height_px * 360 / (256 * span_lat)))
    return {"center": centre, "zoom": max(3.0, min(12.0, zoom))}


def point_hover(track: pd.DataFrame) -> list[str]:
    return [f"{fmt_time(t, seconds=True)}<br>{fmt_number(s, 1, 'kn')} · course {fmt_number(c, 0, '°')}"
            for t, s, c in zip(track["time"], track["sog"], track["cog"])]


def travelled(track: pd.DataFrame, index: int) -> tuple[list, list]:
    part = track.iloc[: index + 1]
    return part["lat"].round(5).tolist(), part["lon"].round(5).tolist()


def position_at(track: pd.DataFrame, index: int) -> tuple[list, list, list]:
    if track.empty:
        return [], [], []
    row = track.iloc[index]
    return [row["lat"]], [row["lon"]], [f"<b>Playback position</b><br>{fmt_time(row['time'], seconds=True)}<br>"
                                         f"{fmt_number(row['sog'], 1, 'kn')} · course {fmt_number(row['cog'], 0, '°')}"]


def event_hover(events: pd.DataFrame) -> list[str]:
    return [f"<b>{for_figure(kind_label(e.kind))}</b> ({for_figure(e.severity)})<br>{fmt_time(e.start)} – "
            f"{fmt_time(e.end)}<br>{for_figure(e.detector)}" for e in events.itertuples(index=False)]


def track_figure(track: pd.DataFrame, events: pd.DataFrame, index: Optional[int] = None,
                 uirevision: str = "vessel") -> go.Figure:
    track = track.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    index = len(track) - 1 if index is None else max(0, min(index, len(track) - 1))
    lat_travelled, lon_travelled = travelled(track, index) if len(track) else ([], [])
    lat_now, lon_now, text_now = position_at(track, index)
    placed = events.dropna(subset=["lat", "lon"]) if len(events) else events
    figure = go.Figure([
        go.Scattermap(lat=track["lat"].round(5).tolist(), lon=track["lon"].round(5).tolist(), mode="lines+markers",
                      line={"color": TRACK, "width": 1.5}, marker={"size": 3, "color": TRACK},
                      text=point_hover(track), hovertemplate="%{text}<extra></extra>", name="Track"),
        go.Scattermap(lat=lat_travelled, lon=lon_travelled, mode="lines", line={"color": TRAVELLED, "width": 3},
                      hoverinfo="skip", name="Travelled (to playback time)"),
        go.Scattermap(lat=lat_now, lon=lon_now, mode="markers", marker={"size": 13, "color": POSITION},
                      text=text_now, hovertemplate="%{text}<extra></extra>", name="Playback position"),
        go.Scattermap(lat=placed["lat"].tolist() if len(placed) else [], lon=placed["lon"].tolist() if len(placed)
                      else [], mode="markers",
                      marker={"size": 12, "color": [SEVERITY_COLOURS.get(s, SEVERITY_COLOURS[None])
                                                    for s in (placed["severity"] if len(placed) else [])]},
                      text=event_hover(placed) if len(placed) else [], hovertemplate="%{text}<extra></extra>",
                      name="Anomaly events"),
    ])
    view = view_for(track["lat"], track["lon"])
    figure.update_layout(
        map={"style": basemap.map_style(), "center": view["center"], "zoom": view["zoom"], "bounds": basemap.BOUNDS},
        margin={"l": 0, "r": 0, "t": 0, "b": 0}, uirevision=uirevision, paper_bgcolor=basemap.SEA,
        legend={"x": 0.01, "y": 0.99, "bgcolor": "rgba(255,255,255,0.88)", "bordercolor": "#c9d1da", "borderwidth": 1},
        hoverlabel={"bgcolor": "white", "bordercolor": "#94a3b8", "font": {"size": 12, "color": "#1e293b"}},
    )
    return figure
