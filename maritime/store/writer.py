"""Bulk writes of decoded records: one call per batch, inside the caller's transaction.

Appends use ``INSERT ... ON CONFLICT (key) DO NOTHING`` so that a record written
twice (a re-ingested file, a resumed ingest) is stored once. The ``vessels``
table is merged with an upsert whose rules make the order of batches irrelevant:
earliest first_seen, latest last_seen, the newest position, and identity fields
from the newest report that has them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from hashlib import blake2b
from typing import Callable, Iterable, Optional

import numpy as np

from sqlalchemy import Connection, case, func
from sqlalchemy.dialects import postgresql, sqlite

from maritime.ais.mid import flag_of
from maritime.ais.records import Position, Reject, Static, Station
from maritime.errors import StoreError
from maritime.store.schema import CheckpointRow, PositionRow, RejectRow, RejectTotalRow, StaticRow, StationRow, VesselRow


def key_hash(material: bytes) -> int:
    """A stable signed 63-bit hash (fits BIGINT) of a record's identity."""
    return int.from_bytes(blake2b(material, digest_size=8).digest(), "big") >> 1


def utc(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)


def _utc_times(seconds: list[float]) -> list[datetime]:
    return [utc(x) for x in seconds]


@dataclass
class WriteCounts:
    positions: int = 0
    statics: int = 0
    stations: int = 0
    rejects: int = 0

    @property
    def stored(self) -> int:
        return self.positions + self.statics + self.stations


def _insert(connection: Connection, table):
    dialect = connection.dialect.name
    if dialect == "sqlite":
        return sqlite.insert(table)
    if dialect == "postgresql":
        return postgresql.insert(table)
    raise StoreError(f"bulk writes are written for SQLite and PostgreSQL, not {dialect}")


def _append(connection: Connection, table, rows: list[dict], unique=("key",)) -> int:
    """Insert rows whose key is new; returns how many were new."""
    if not rows:
        return 0
    statement = _insert(connection, table).on_conflict_do_nothing(index_elements=list(unique))
    if connection.dialect.name == "sqlite":  # sqlite3's executemany sums the rows it changed
        return max(connection.execute(statement, rows).rowcount, 0)
    # psycopg's executemany gives no total: have the new rows' keys returned instead.
    return len(connection.execute(statement.returning(table.c.key), rows).all())


_SQLITE_POSITIONS = (
    "INSERT INTO positions (mmsi, time, lat, lon, sog, cog, heading, nav_status, msg_type, source, time_reported, key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (mmsi, time, key) DO NOTHING")


@lru_cache(maxsize=1024)
def _day_text(day: int) -> str:
    return datetime.fromtimestamp(day * 86_400, timezone.utc).strftime("%Y-%m-%d")


def sqlite_time(seconds: float) -> str:
    """A unix time in the text form SQLAlchemy's DateTime uses on SQLite (so comparisons match)."""
    whole = int(seconds // 1)
    micro = round((seconds - whole) * 1_000_000)
    if micro >= 1_000_000:
        whole, micro = whole + 1, micro - 1_000_000
    day, second_of_day = divmod(whole, 86_400)
    hour, rest = divmod(second_of_day, 3_600)
    minute, second = divmod(rest, 60)
    return f"{_day_text(day)} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"


def sqlite_times(seconds) -> list[str]:
    """:func:`sqlite_time` of many times at once, to the same microsecond (rounded the same way)."""
    values = np.asarray(seconds, dtype=np.float64)
    whole = np.floor(values)
    micros = whole.astype(np.int64) * 1_000_000 + np.round((values - whole) * 1_000_000).astype(np.int64)
    return [text.replace("T", " ") for text in np.datetime_as_string(micros.astype("datetime64[us]")).tolist()]


def _append_positions(connection: Connection, positions: list[Position]) -> int:
    if connection.dialect.name != "sqlite":
        return _append(connection, PositionRow.__table__, [
            {"mmsi": p.mmsi, "time": utc(p.time), "lat": p.lat, "lon": p.lon, "sog": p.sog, "cog": p.cog,
             "heading": p.heading, "nav_status": p.nav_status, "msg_type": p.msg_type, "source": p.source,
             "time_reported": p.time_reported, "key": key_hash(p.key)}
            for p in positions], unique=("mmsi", "time", "key"))
    if not positions:
        return 0
    # Positions are the bulk of every ingest: on SQLite they skip SQLAlchemy's per-value
    # processing (benchmarks/ingest.py measured it at a third of the write time).
    times = sqlite_times([p.time for p in positions])
    rows = [(p.mmsi, time, p.lat, p.lon, p.sog, p.cog, p.heading, p.nav_status, p.msg_type, p.source,
             p.time_reported, key_hash(p.key)) for p, time in zip(positions, times)]
    return max(connection.exec_driver_sql(_SQLITE_POSITIONS, rows).rowcount, 0)


def write_batch(connection: Connection, records: Iterable, rejects: Iterable[Reject],
                rejects_kept: int, now: Optional[datetime] = None) -> WriteCounts:
    positions, statics, stations = [], [], []
    for record in records:
        kind = type(record)
        if kind is Position:
            positions.append(record)
        elif kind is Static:
            statics.append(record)
        elif kind is Station:
            stations.append(record)
    counts = WriteCounts()
    counts.positions = _append_positions(connection, positions)
    counts.statics = _append(connection, StaticRow.__table__, [
        {"mmsi": s.mmsi, "time": utc(s.time), "msg_type": s.msg_type, "part": s.part, "name": s.name,
         "callsign": s.callsign, "imo": s.imo, "ship_type": s.ship_type, "to_bow": s.to_bow,
         "to_stern": s.to_stern, "to_port": s.to_port, "to_starboard": s.to_starboard, "draught": s.draught,
         "destination": s.destination, "eta": s.eta, "source": s.source, "time_reported": s.time_reported,
         "key": key_hash(s.key)}
        for s in statics])
    counts.stations = _append(connection, StationRow.__table__, [
        {"kind": s.kind, "mmsi": s.mmsi, "time": utc(s.time), "lat": s.lat, "lon": s.lon, "name": s.name,
         "aid_type": s.aid_type, "source": s.source, "time_reported": s.time_reported, "key": key_hash(s.key)}
        for s in stations])
    merge_vessels(connection, positions, statics)
    counts.rejects = write_rejects(connection, list(rejects), rejects_kept, now)
    return counts


def save_checkpoint(connection: Connection, source: str, values: dict, expected_offset=...) -> None:
    """Store where an ingest of ``source`` has got to.

    With ``expected_offset`` (None: no checkpoint yet) the write only succeeds if nobody moved the
    checkpoint meanwhile, so two ingests of one file (or a killed ingest's writer still finishing)
    can never both store the same stretch: the second fails and its transaction is rolled back.
    """
    table = CheckpointRow.__table__
    if expected_offset is ...:
        statement = _insert(connection, table).values(source=source, **values)
        connection.execute(statement.on_conflict_do_update(index_elements=["source"], set_=values))
        return
    if expected_offset is None:
        inserted = _insert(connection, table).values(source=source, **values).on_conflict_do_nothing()
        changed = len(connection.execute(inserted.returning(table.c.source)).all())
    else:
        changed = connection.execute(table.update().where(
            table.c.source == source, table.c.offset == expected_offset).values(**values)).rowcount
    if changed != 1:
        raise StoreError(f"another ingest of {source} stored data meanwhile; run the ingest again "
                         "(it continues from where that one got to)")


# -- rejects --------------------------------------------------------------------------------------

def write_rejects(connection: Connection, rejects: list[Reject], kept: int, now: Optional[datetime]) -> int:
    if not rejects:
        return 0
    now = now or datetime.now(timezone.utc).replace(tzinfo=None)
    totals: dict[tuple[str, str], int] = {}
    for r in rejects:
        totals[(r.source, r.reason)] = totals.get((r.source, r.reason), 0) + 1
    table = RejectTotalRow.__table__
    statement = _insert(connection, table)
    statement = statement.on_conflict_do_update(
        index_elements=["source", "reason"], set_={"count": table.c.count + statement.excluded.count})
    connection.execute(statement, [{"source": s, "reason": reason, "count": n} for (s, reason), n in totals.items()])
    if kept <= 0:
        return len(rejects)
    newest = rejects[-kept:]
    _append(connection, RejectRow.__table__, [
        {"created_at": now, "source": r.source, "line_no": r.line_no, "reason": r.reason, "detail": r.detail[:300],
         "raw": r.raw.replace("\x00", "\\x00"), "key": key_hash(f"{r.source}|{r.line_no}|{r.reason}|{r.raw}".encode("utf-8", "replace"))}
        for r in newest])
    table = RejectRow.__table__
    newest_id = connection.execute(func.max(table.c.id).select()).scalar_one()
    connection.execute(table.delete().where(table.c.id <= newest_id - kept))
    return len(rejects)


# -- vessels --------------------------------------------------------------------------------------

_IDENTITY_FIELDS = ("name", "callsign", "imo", "ship_type", "length", "beam", "draught", "destination")
_POSITION_FIELDS = ("lat", "lon", "sog", "cog", "heading", "nav_status")


def _size(a: Optional[int], b: Optional[int]) -> Optional[int]:
    return a + b if a and b else None


def _position_summary(positions: list[Position]) -> tuple[dict[int, list[float]], dict[int, Position]]:
    """Per MMSI of the batch: [first, last] report time, and its newest report with a position (of equal
    times, the later in the batch). Vectorised: a batch holds tens of thousands of reports."""
    if not positions:
        return {}, {}
    columns = list(zip(*positions))
    mmsi = np.array(columns[0], dtype=np.int64)
    t = np.array(columns[1], dtype=np.float64)
    located = ~np.isnan(np.array(columns[2], dtype=np.float64)) & ~np.isnan(np.array(columns[3], dtype=np.float64))
    order = np.lexsort((t, mmsi))
    boundary = np.flatnonzero(np.diff(mmsi[order])) + 1
    firsts, lasts = order[np.r_[0, boundary]], order[np.r_[boundary - 1, len(order) - 1]]
    spans = {int(mmsi[a]): [float(t[a]), float(t[b])] for a, b in zip(firsts, lasts)}
    rows = np.flatnonzero(located)
    latest: dict[int, Position] = {}
    if len(rows):
        order = rows[np.lexsort((rows, t[rows], mmsi[rows]))]
        newest = order[np.r_[np.flatnonzero(np.diff(mmsi[order])), len(order) - 1]]
        latest = {int(mmsi[i]): positions[i] for i in newest}
    return spans, latest


def _vessel_columns(positions: list[Position], statics: list[Static], times: Callable) -> dict[str, list]:
    """One row per MMSI of the batch, as columns: its time span, newest known position and merged
    identity; times are given by ``times(list of unix seconds)``."""
    spans, latest = _position_summary(positions)
    identities: dict[int, dict] = {}
    for s in sorted(statics, key=lambda s: s.time):
        span = spans.setdefault(s.mmsi, [s.time, s.time])
        span[0], span[1] = min(span[0], s.time), max(span[1], s.time)
        identity = identities.setdefault(s.mmsi, {})
        values = {"name": s.name, "callsign": s.callsign, "imo": s.imo, "ship_type": s.ship_type,
                  "length": _size(s.to_bow, s.to_stern), "beam": _size(s.to_port, s.to_starboard),
                  "draught": s.draught, "destination": s.destination}
        identity.update((name, value) for name, value in values.items() if value is not None)
        identity["identity_time"] = s.time
    mmsis = list(spans)
    if not mmsis:
        return {}
    newest = [latest.get(m) for m in mmsis]
    columns = {
        "mmsi": mmsis, "flag": [flag_of(m) for m in mmsis],
        "first_seen": times([spans[m][0] for m in mmsis]), "last_seen": times([spans[m][1] for m in mmsis]),
        "position_time": _optional_times([p.time if p is not None else None for p in newest], times),
        "identity_time": _optional_times([identities.get(m, {}).get("identity_time") for m in mmsis], times),
    }
    for name in _POSITION_FIELDS:
        columns[name] = [getattr(p, name) if p is not None else None for p in newest]
    for name in _IDENTITY_FIELDS:
        columns[name] = [identities.get(m, {}).get(name) for m in mmsis]
    return columns


def _optional_times(values: list, times: Callable) -> list:
    known = [i for i, v in enumerate(values) if v is not None]
    out: list = [None] * len(values)
    for i, text in zip(known, times([values[i] for i in known])):
        out[i] = text
    return out


def _earliest(a, b):
    return case((b.is_(None), a), (a.is_(None), b), (a < b, a), else_=b)


def _latest(a, b):
    return case((b.is_(None), a), (a.is_(None), b), (a > b, a), else_=b)


def merge_vessels(connection: Connection, positions: list[Position], statics: list[Static]) -> None:
    sqlite_dialect = connection.dialect.name == "sqlite"
    columns = _vessel_columns(positions, statics, sqlite_times if sqlite_dialect else _utc_times)
    if not columns:
        return
    table = VesselRow.__table__
    statement = _insert(connection, table)
    new = statement.excluded
    newer_position = (table.c.position_time.is_(None)) | (new.position_time >= table.c.position_time)
    newer_identity = (table.c.identity_time.is_(None)) | (new.identity_time >= table.c.identity_time)
    updates = {
        "first_seen": _earliest(table.c.first_seen, new.first_seen),
        "last_seen": _latest(table.c.last_seen, new.last_seen),
        "position_time": _latest(table.c.position_time, new.position_time),
        "identity_time": _latest(table.c.identity_time, new.identity_time),
        "flag": new.flag,
    }
    for name in _POSITION_FIELDS:
        updates[name] = case((new.position_time.is_not(None) & newer_position, new[name]), else_=table.c[name])
    for name in _IDENTITY_FIELDS:
        updates[name] = case((newer_identity, func.coalesce(new[name], table.c[name])),
                             else_=func.coalesce(table.c[name], new[name]))
    upsert = statement.on_conflict_do_update(index_elements=["mmsi"], set_=updates)
    if not sqlite_dialect:
        names = list(columns)
        connection.execute(upsert, [dict(zip(names, row)) for row in zip(*columns.values())])
        return
    # On SQLite the rows (one per vessel of the batch) skip SQLAlchemy's per-value processing, as positions
    # do: times are already its DateTime text (benchmarks/ingest.py measured that processing at a third of
    # the write time).
    compiled = upsert.compile(dialect=connection.dialect)
    names = compiled.positiontup
    connection.exec_driver_sql(compiled.string, list(zip(*(columns[name] for name in names))))
