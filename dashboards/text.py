"""Showing radio text safely, and formatting numbers and times the same way on every page.

AIS names, callsigns and destinations are whatever a transmitter sends. Dash components render
strings as text, but plotly's hover and marker text understand a little HTML (``<br>``, ``<b>``,
``<a href>``, ``<span style>``), so a broadcast name could forge lines or links in a hover card.
Every string bound for a figure goes through :func:`for_figure`, which escapes ``&``, ``<`` and
``>`` (plotly shows entities as the characters, and never parses them as tags) and removes control
characters.
"""

from __future__ import annotations

import html
import math
import re
from datetime import datetime, timedelta
from typing import Optional

import pandas as pd

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
MAX_FIGURE_TEXT = 120


def clean(value: object, max_chars: int = MAX_FIGURE_TEXT) -> str:
    """Printable text: control characters become spaces, runs of spaces one, ends trimmed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"


def for_figure(value: object, max_chars: int = MAX_FIGURE_TEXT) -> str:
    """Text for plotly hover/marker labels: cleaned and HTML-escaped."""
    return html.escape(clean(value, max_chars), quote=False)


def missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def fmt_time(value: Optional[datetime], seconds: bool = False) -> str:
    """``2026-11-25 06:00 UTC`` (times are stored as naive UTC)."""
    if missing(value):
        return "—"
    return f"{pd.Timestamp(value):%Y-%m-%d %H:%M{':%S' if seconds else ''}} UTC"


def fmt_period(start: Optional[datetime], end: Optional[datetime]) -> str:
    """``2026-11-20 06:29–07:29 UTC`` within a day, ``… – 2026-11-21 01:00 UTC`` across days, ``from … (open)``."""
    if missing(start):
        return "—"
    start = pd.Timestamp(start)
    if missing(end):
        return f"from {fmt_time(start)} (still open)"
    end = pd.Timestamp(end)
    if end.date() == start.date():
        return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M} UTC"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"


def fmt_duration(delta: Optional[timedelta]) -> str:
    """``3 d 4 h``, ``2 h 05 min``, ``45 s``."""
    if missing(delta):
        return "—"
    seconds = int(pd.Timedelta(delta).total_seconds())
    sign, seconds = ("-" if seconds < 0 else ""), abs(seconds)
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days} d {hours} h"
    if hours:
        return f"{sign}{hours} h {minutes:02d} min"
    if minutes:
        return f"{sign}{minutes} min"
    return f"{sign}{secs} s"


def fmt_number(value: object, digits: int = 0, unit: str = "") -> str:
    if missing(value):
        return "—"
    text = f"{float(value):,.{digits}f}"
    return f"{text}{unit}" if unit == "°" else f"{text} {unit}".rstrip()


def fmt_bytes(n: Optional[int]) -> str:
    if n is None:
        return "unknown"
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.0f} {unit}" if unit == "B" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{n} B"


def fmt_position(lat: object, lon: object, digits: int = 4) -> str:
    if missing(lat) or missing(lon):
        return "—"
    lat, lon = float(lat), float(lon)
    return f"{abs(lat):.{digits}f}° {'N' if lat >= 0 else 'S'}, {abs(lon):.{digits}f}° {'E' if lon >= 0 else 'W'}"


def fmt_int(value: object) -> str:
    return "—" if missing(value) else f"{int(value)}"
