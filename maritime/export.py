"""Stored data out as JSON Lines or CSV, safe to open in a spreadsheet or paste into HTML.

AIS text is attacker-controlled radio text. In JSON, ``<``, ``>`` and ``&`` are written
as ``\\u003c`` etc. (the value is unchanged when parsed, inert if pasted into a page).
In CSV, a cell that a spreadsheet would run as a formula (starting ``= + - @``, tab or
carriage return) gets a leading apostrophe (OWASP CSV injection advice).
"""

from __future__ import annotations

import csv
import json
from datetime import datetime
from typing import Optional, TextIO

from sqlalchemy import Connection

from maritime.store import queries

FIELDS = {"positions": queries.POSITION_FIELDS, "vessels": queries.VESSEL_FIELDS, "statics": queries.STATIC_FIELDS}
READERS = {"positions": queries.iter_positions, "vessels": queries.iter_vessels, "statics": queries.iter_statics}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def iso(value: datetime) -> str:
    return value.isoformat(timespec="seconds") + "Z"


def _plain_value(value):
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, float) and value != value:  # NaN: JSON has no such number
        return None
    return value


def _plain(row: dict) -> dict:
    return {k: _plain_value(v) for k, v in row.items()}


def json_line(row: dict) -> str:
    return json.dumps(_plain(row), ensure_ascii=False, allow_nan=False).translate(_JSON_ESCAPES)


def csv_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_export(connection: Connection, what: str, handle: TextIO, fmt: str = "jsonl", mmsi: Optional[int] = None,
                 since: Optional[datetime] = None, until: Optional[datetime] = None) -> int:
    rows = READERS[what](connection, mmsi, since, until)
    count = 0
    if fmt == "csv":
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FIELDS[what])
        for row in rows:
            plain = _plain(row)
            writer.writerow([csv_safe(plain[f]) for f in FIELDS[what]])
            count += 1
    else:
        for row in rows:
            handle.write(json_line(row) + "\n")
            count += 1
    return count
