"""What readers need from the store, as plain dicts streamed in chunks (memory stays flat)."""

from __future__ import annotations

from datetime import datetime
from typing import Iterator, Optional

from sqlalchemy import Connection, func, select

from maritime.store.schema import (IngestRunRow, PositionRow, RejectRow, RejectTotalRow, StaticRow, StationRow,
                                   VesselRow)

POSITION_FIELDS = ("mmsi", "time", "lat", "lon", "sog", "cog", "heading", "nav_status", "msg_type", "source")
VESSEL_FIELDS = ("mmsi", "name", "callsign", "imo", "ship_type", "length", "beam", "draught", "destination", "flag",
                 "first_seen", "last_seen")
STATIC_FIELDS = ("mmsi", "time", "msg_type", "part", "name", "callsign", "imo", "ship_type", "to_bow", "to_stern",
                 "to_port", "to_starboard", "draught", "destination", "eta", "source")
CHUNK_ROWS = 10_000


def _stream(connection: Connection, statement) -> Iterator[dict]:
    result = connection.execution_options(yield_per=CHUNK_ROWS).execute(statement)
    for row in result.mappings():
        yield dict(row)


def _window(statement, table, mmsi: Optional[int], since: Optional[datetime], until: Optional[datetime],
            since_column: str = "time", until_column: str = "time"):
    """Rows of one MMSI (if given) whose ``since_column`` ≥ since and ``until_column`` < until."""
    if mmsi is not None:
        statement = statement.where(table.c.mmsi == mmsi)
    if since is not None:
        statement = statement.where(table.c[since_column] >= since)
    if until is not None:
        statement = statement.where(table.c[until_column] < until)
    return statement


def iter_positions(connection: Connection, mmsi: Optional[int] = None, since: Optional[datetime] = None,
                   until: Optional[datetime] = None) -> Iterator[dict]:
    t = PositionRow.__table__
    statement = select(*(t.c[f] for f in POSITION_FIELDS))
    statement = _window(statement, t, mmsi, since, until).order_by(t.c.mmsi, t.c.time, t.c.key)
    return _stream(connection, statement)


def iter_statics(connection: Connection, mmsi: Optional[int] = None, since: Optional[datetime] = None,
                 until: Optional[datetime] = None) -> Iterator[dict]:
    t = StaticRow.__table__
    statement = select(*(t.c[f] for f in STATIC_FIELDS))
    statement = _window(statement, t, mmsi, since, until).order_by(t.c.mmsi, t.c.time, t.c.id)
    return _stream(connection, statement)


def iter_vessels(connection: Connection, mmsi: Optional[int] = None, since: Optional[datetime] = None,
                 until: Optional[datetime] = None) -> Iterator[dict]:
    """Vessels seen in the window (last_seen ≥ since, first_seen < until)."""
    t = VesselRow.__table__
    statement = _window(select(*(t.c[f] for f in VESSEL_FIELDS)), t, mmsi, since, until, "last_seen", "first_seen")
    return _stream(connection, statement.order_by(t.c.mmsi))


def table_counts(connection: Connection) -> dict[str, int]:
    tables = {"positions": PositionRow, "statics": StaticRow, "vessels": VesselRow, "stations": StationRow,
              "rejects kept": RejectRow}
    counts = {name: connection.execute(select(func.count()).select_from(model)).scalar_one()
              for name, model in tables.items()}
    counts["rejects total"] = connection.execute(
        select(func.coalesce(func.sum(RejectTotalRow.count), 0))).scalar_one()
    return counts


def data_time_range(connection: Connection) -> tuple[Optional[datetime], Optional[datetime]]:
    t = PositionRow.__table__
    return tuple(connection.execute(select(func.min(t.c.time), func.max(t.c.time))).one())


def rejects_by_reason(connection: Connection) -> list[tuple[str, int]]:
    t = RejectTotalRow.__table__
    statement = select(t.c.reason, func.sum(t.c.count)).group_by(t.c.reason).order_by(func.sum(t.c.count).desc())
    return [(reason, int(n)) for reason, n in connection.execute(statement)]


def recent_ingest_runs(connection: Connection, limit: int = 10) -> list[dict]:
    t = IngestRunRow.__table__
    return [dict(r) for r in connection.execute(select(t).order_by(t.c.id.desc()).limit(limit)).mappings()]
