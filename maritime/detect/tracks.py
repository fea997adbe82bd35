"""What detectors read: tracks, identities and zones for a time window, as pandas DataFrames."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

import pandas as pd
import shapely
from sqlalchemy import Connection, select

from maritime.config import DetectSettings
from maritime.model_registry import active_model_or_none
from maritime.store.schema import PositionRow, StaticRow, VesselRow, ZoneRow

TRACK_COLUMNS = ["mmsi", "time", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type", "source"]
VESSEL_COLUMNS = ["mmsi", "name", "callsign", "imo", "ship_type", "length", "beam", "draught", "destination", "flag",
                  "first_seen"]
STATIC_COLUMNS = ["mmsi", "time", "msg_type", "part", "name", "callsign", "imo", "ship_type", "destination", "draught"]


@dataclass(frozen=True)
class Zone:
    name: str
    kind: str  # restricted | mine_danger | exclusion
    polygon: shapely.Geometry


@dataclass
class TrackContext:
    """Everything a detector may look at; detectors do no I/O of their own.

    ``tracks`` are sorted by (mmsi, time); times are naive UTC ``datetime64[ns]``;
    unavailable values are NaN. ``history`` is a longer stretch of tracks before the
    window, for what is learned from the data (coverage, lanes); it may be empty.
    ``model`` is the active behaviour model (``maritime.model_registry.ScoringModel``), or None.
    """

    tracks: pd.DataFrame
    vessels: pd.DataFrame
    statics: pd.DataFrame
    zones: list[Zone] = field(default_factory=list)
    history: Optional[pd.DataFrame] = None
    settings: DetectSettings = field(default_factory=DetectSettings)
    model: Optional[Any] = None

    @property
    def newest_time(self) -> Optional[pd.Timestamp]:
        return None if self.tracks.empty else self.tracks["time"].max()


def _frame(connection: Connection, statement, columns: list[str]) -> pd.DataFrame:
    rows = connection.execute(statement).all()
    return pd.DataFrame.from_records(rows, columns=columns)


def load_tracks(connection: Connection, since: Optional[datetime], until: Optional[datetime],
                mmsis: Optional[list[int]] = None) -> pd.DataFrame:
    t = PositionRow.__table__
    statement = select(*(t.c[c] for c in TRACK_COLUMNS))
    if since is not None:
        statement = statement.where(t.c.time >= since)
    if until is not None:
        statement = statement.where(t.c.time < until)
    if mmsis is not None:
        statement = statement.where(t.c.mmsi.in_(mmsis))
    frame = _frame(connection, statement.order_by(t.c.mmsi, t.c.time), TRACK_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"])
    for column in ("lat", "lon", "sog", "cog", "heading", "nav_status"):
        frame[column] = frame[column].astype("float64")
    return frame.reset_index(drop=True)


def load_vessels(connection: Connection, mmsis: Optional[list[int]] = None) -> pd.DataFrame:
    t = VesselRow.__table__
    statement = select(*(t.c[c] for c in VESSEL_COLUMNS))
    if mmsis is not None:
        statement = statement.where(t.c.mmsi.in_(mmsis))
    frame = _frame(connection, statement, VESSEL_COLUMNS)
    frame["first_seen"] = pd.to_datetime(frame["first_seen"])  # the first report ever stored, before any window
    return frame


def load_statics(connection: Connection, since: Optional[datetime], until: Optional[datetime],
                 mmsis: Optional[list[int]] = None) -> pd.DataFrame:
    t = StaticRow.__table__
    statement = select(*(t.c[c] for c in STATIC_COLUMNS))
    if since is not None:
        statement = statement.where(t.c.time >= since)
    if until is not None:
        statement = statement.where(t.c.time < until)
    if mmsis is not None:
        statement = statement.where(t.c.mmsi.in_(mmsis))
    frame = _frame(connection, statement.order_by(t.c.mmsi, t.c.time), STATIC_COLUMNS)
    frame["time"] = pd.to_datetime(frame["time"])
    return frame


def load_zones(connection: Connection) -> list[Zone]:
    t = ZoneRow.__table__
    return [Zone(row.name, row.kind, shapely.geometry.shape(row.geometry))
            for row in connection.execute(select(t.c.name, t.c.kind, t.c.geometry).order_by(t.c.id))]


def load_context(connection: Connection, since: Optional[datetime], until: Optional[datetime],
                 settings: DetectSettings, mmsis: Optional[list[int]] = None) -> TrackContext:
    return TrackContext(
        tracks=load_tracks(connection, since, until, mmsis),
        vessels=load_vessels(connection, mmsis),
        statics=load_statics(connection, since, until, mmsis),
        zones=load_zones(connection),
        settings=settings,
        model=active_model_or_none(connection),
    )
