"""Typed records that every feed produces and the store writes.

Times are float unix seconds (UTC) inside the pipeline; the store turns them
into timestamps. Unavailable values (lat 91, lon 181, speed 102.3, course 360,
heading 511) are already ``None`` here.

``key`` is the stable identity of a record for idempotent storage: the same
report ingested twice has the same key, so the store keeps it once.

Records are named tuples: immutable, typed, cheap to create by the million and
cheap to hand to the writer process as plain tuples.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
STATIC_TYPES = frozenset({5, 19, 24})
STATION_TYPES = frozenset({4, 21})


class Position(NamedTuple):
    mmsi: int
    time: float
    lat: Optional[float]
    lon: Optional[float]
    sog: Optional[float]
    cog: Optional[float]
    heading: Optional[int]
    nav_status: Optional[int]
    msg_type: int
    source: str
    time_reported: bool
    key: bytes


class Static(NamedTuple):
    """An identity/voyage report (type 5, 19, 24 part A or B, or a CSV archive row)."""

    mmsi: int
    time: float
    msg_type: int
    part: Optional[str]
    name: Optional[str]
    callsign: Optional[str]
    imo: Optional[int]
    ship_type: Optional[int]
    to_bow: Optional[int]
    to_stern: Optional[int]
    to_port: Optional[int]
    to_starboard: Optional[int]
    draught: Optional[float]
    destination: Optional[str]
    eta: Optional[str]
    source: str
    time_reported: bool
    key: bytes


class Station(NamedTuple):
    """A fixed station kept apart from vessels: base station (type 4) or aid to navigation (type 21)."""

    kind: str  # "base_station" | "aton"
    mmsi: int
    time: float
    lat: Optional[float]
    lon: Optional[float]
    name: Optional[str]
    aid_type: Optional[int]
    source: str
    time_reported: bool
    key: bytes


class Reject(NamedTuple):
    """Input that did not become a record, with a reason code and the raw text."""

    reason: str
    detail: str
    raw: str
    source: str
    line_no: Optional[int] = None


Record = Position | Static | Station
