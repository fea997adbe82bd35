"""Anomaly events out: JSON Lines, CSV, GeoJSON, and the short text a table shows.

Evidence carries radio text (vessel names, call signs), which anyone with a transmitter
chooses. It is escaped as :mod:`maritime.export` escapes stored data: ``< > &`` as
``\\u003c`` etc. in JSON (also inside the CSV's evidence cell and in GeoJSON), and
a CSV cell a spreadsheet would run as a formula gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from datetime import datetime
from typing import Iterable, TextIO

from maritime.export import csv_safe, iso, json_line
from maritime.store.events import EVENT_FIELDS

FORMATS = ("jsonl", "csv", "geojson")
SUMMARY_CHARS = 90


def _plain(value):
    return iso(value) if isinstance(value, datetime) else value


def write_jsonl(rows: Iterable[dict], handle: TextIO) -> int:
    count = 0
    for row in rows:
        handle.write(json_line({f: row[f] for f in EVENT_FIELDS}) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict], handle: TextIO) -> int:
    """One event a row; ``evidence`` is its JSON text."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(EVENT_FIELDS)
    count = 0
    for row in rows:
        cells = [json_line(row[f] or {}) if f == "evidence" else _plain(row[f]) for f in EVENT_FIELDS]
        writer.writerow([csv_safe(c) for c in cells])
        count += 1
    return count


def feature(row: dict) -> dict:
    """A GeoJSON Feature: a Point at the event's place (null geometry when it has none), the rest as properties."""
    located = row["lat"] is not None and row["lon"] is not None
    geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]} if located else None
    properties = {f: _plain(row[f]) for f in EVENT_FIELDS if f not in ("lat", "lon")}
    return {"type": "Feature", "id": row["id"], "geometry": geometry, "properties": properties}


def write_geojson(rows: Iterable[dict], handle: TextIO) -> int:
    """A FeatureCollection, written feature by feature."""
    handle.write('{"type": "FeatureCollection", "features": [\n')
    count = 0
    for row in rows:
        handle.write((",\n" if count else "") + json_line(feature(row)))
        count += 1
    handle.write("\n]}\n")
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv, "geojson": write_geojson}


def write_events(rows: Iterable[dict], handle: TextIO, fmt: str) -> int:
    return WRITERS[fmt](rows, handle)


# -- for people -----------------------------------------------------------------------------------

def printable(text: str) -> str:
    """Control and format characters (escape sequences, bidi overrides) shown as U+FFFD."""
    return "".join("\ufffd" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def _short(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}" if abs(value) >= 10 else f"{value:.3g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def summary(evidence: dict) -> str:
    """One line saying what fired: the reason if the detector gave one, the changes of an identity,
    else the first few plain values."""
    evidence = evidence or {}
    if "changes" in evidence:
        text = "; ".join(f"{c.get('field')}: {c.get('old')} → {c.get('new')}" for c in evidence["changes"])
    elif "reason" in evidence:
        text = str(evidence["reason"])
    else:
        text = ", ".join(f"{k}={_short(v)}" for k, v in evidence.items()
                         if k != "thresholds" and not isinstance(v, (dict, list)))
    text = printable(text)
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"
