"""Plain charts: a vessel's speed and course over time, events per kind over time."""

from __future__ import annotations

from typing import Optional

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards.vocab import KIND_LABELS, kind_label

AXIS = {"gridcolor": "#e7ecf1", "zerolinecolor": "#d5dce4", "linecolor": "#d5dce4"}
FONT = {"family": "system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, sans-serif", "size": 12,
        "color": "#334155"}
# a muted qualitative palette (one colour per event kind, stable across pages)
KIND_COLOURS = dict(zip(KIND_LABELS, ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
                                      "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295", "#499894", "#79706e")))


def _plain(figure: go.Figure, height: int) -> go.Figure:
    figure.update_layout(height=height, margin={"l": 56, "r": 16, "t": 10, "b": 36}, font=FONT,
                         paper_bgcolor="white", plot_bgcolor="white", hovermode="x unified",
                         legend={"orientation": "h", "y": -0.18})
    figure.update_xaxes(**AXIS)
    figure.update_yaxes(**AXIS)
    return figure


def playback_line(time: Optional[pd.Timestamp]) -> list[dict]:
    if time is None or pd.isna(time):
        return []
    return [{"type": "line", "xref": "x", "yref": "paper", "x0": time, "x1": time, "y0": 0, "y1": 1,
             "line": {"color": "#0f2f52", "width": 1.5, "dash": "dot"}}]


def speed_course_figure(track: pd.DataFrame, at: Optional[pd.Timestamp] = None) -> go.Figure:
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    figure.add_trace(go.Scatter(x=track["time"], y=track["sog"], mode="lines", name="Speed over ground (kn)",
                                line={"color": "#1f5f99", "width": 1.5}, hovertemplate="%{y:.1f} kn"), 1, 1)
    # course wraps at 360°, so it is drawn as points rather than a line that would jump across the chart
    figure.add_trace(go.Scatter(x=track["time"], y=track["cog"], mode="markers", name="Course over ground (°)",
                                marker={"color": "#b07aa1", "size": 3}, hovertemplate="%{y:.0f}°"), 2, 1)
    figure.update_yaxes(title_text="kn", rangemode="tozero", row=1, col=1)
    figure.update_yaxes(title_text="°", range=[0, 360], tickvals=[0, 90, 180, 270, 360], row=2, col=1)
    figure.update_layout(shapes=playback_line(at), uirevision="speed-course")
    return _plain(figure, 300)


def event_counts_figure(counts: pd.DataFrame) -> go.Figure:
    """Stacked bars: events per kind per time bucket (columns time, kind, events)."""
    figure = go.Figure()
    for kind in sorted(counts["kind"].unique(), key=lambda k: list(KIND_LABELS).index(k) if k in KIND_LABELS else 99):
        part = counts[counts["kind"] == kind]
        figure.add_trace(go.Bar(x=part["time"], y=part["events"], name=kind_label(kind),
                                marker_color=KIND_COLOURS.get(kind, "#94a3b8"),
                                hovertemplate=f"{kind_label(kind)}: %{{y}}<extra></extra>"))
    figure.update_layout(barmode="stack", bargap=0.15)
    figure.update_yaxes(title_text="events", rangemode="tozero")
    return _plain(figure, 230)
