"""What the dashboard reads: latest positions with their worst open anomaly, one vessel's track and identity
history, events, counts, ingest health. Every reader is one or two indexed queries (no per-vessel round
trips) and returns plain data: pandas DataFrames, dicts, dataclasses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence

import pandas as pd
from sqlalchemy import Connection, and_, case, func, literal, or_, select, text, union_all

from maritime.store.schema import (EventRow, IngestRunRow, ModelVersionRow, PositionRow, RejectRow, RejectTotalRow,
                                   StaticRow, VesselRow, ZoneRow)

SEVERITY_RANK = {"info": 1, "warning": 2, "critical": 3}
LIVE_COLUMNS = ["mmsi", "name", "callsign", "imo", "ship_type", "length", "flag", "destination", "last_seen",
                "position_time", "lat", "lon", "sog", "cog", "heading", "nav_status"]
TRACK_COLUMNS = ["time", "lat", "lon", "sog", "cog", "heading", "nav_status", "source"]
EVENT_COLUMNS = ["id", "kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "severity", "score", "detector",
                 "status", "detected_at", "status_by", "status_at", "status_comment"]
EVENT_SORTS = {"start", "end", "detected_at", "kind", "severity", "score", "status", "mmsi"}
IDENTITY_FIELDS = ("name", "callsign", "imo", "ship_type", "destination")
EVENT_STATUS_CHANGES = {"acknowledged": ("open",), "dismissed": ("open", "acknowledged")}


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _frame(connection: Connection, statement, columns: Sequence[str]) -> pd.DataFrame:
    # plain tuples: pandas probing SQLAlchemy Row objects costs more than the query
    rows = [tuple(row) for row in connection.execute(statement)]
    return pd.DataFrame.from_records(rows, columns=list(columns))


# -- live picture -----------------------------------------------------------------------------------

def open_anomalies(connection: Connection) -> pd.DataFrame:
    """(mmsi, kind, severity, events) for every open event, counting both vessels of a pair and every
    vessel listed in an area event's ``evidence.mmsis``."""
    e = EventRow.__table__
    is_open = e.c.status == "open"
    own = select(e.c.mmsi.label("mmsi"), e.c.kind, e.c.severity).where(is_open, e.c.mmsi.is_not(None))
    other = select(e.c.other_mmsi.label("mmsi"), e.c.kind, e.c.severity).where(is_open, e.c.other_mmsi.is_not(None))
    pairs = union_all(own, other).subquery()
    statement = select(pairs.c.mmsi, pairs.c.kind, pairs.c.severity, func.count().label("events")).group_by(
        pairs.c.mmsi, pairs.c.kind, pairs.c.severity)
    frame = _frame(connection, statement, ["mmsi", "kind", "severity", "events"])
    area = connection.execute(select(e.c.kind, e.c.severity, e.c.evidence).where(is_open, e.c.mmsi.is_(None))).all()
    extra = [(int(m), kind, severity, 1) for kind, severity, evidence in area
             for m in (evidence or {}).get("mmsis", []) if isinstance(m, int) or str(m).isdigit()]
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    return frame


def live_vessels(connection: Connection) -> pd.DataFrame:
    """Every vessel's latest position (from ``vessels``), with ``worst`` (its worst open anomaly's severity or
    None), ``worst_rank`` (0–3), ``open_kinds`` (sorted, comma-separated) and ``open_events``."""
    v = VesselRow.__table__
    frame = _frame(connection, select(*(v.c[c] for c in LIVE_COLUMNS)).where(v.c.lat.is_not(None),
                                                                              v.c.lon.is_not(None)), LIVE_COLUMNS)
    anomalies = open_anomalies(connection)
    if anomalies.empty or frame.empty:
        frame["worst_rank"] = 0
        frame["open_kinds"] = ""
        frame["open_events"] = 0
    else:
        anomalies["rank"] = anomalies["severity"].map(SEVERITY_RANK).fillna(0).astype(int)
        by_vessel = anomalies.groupby("mmsi")
        kinds = anomalies[["mmsi", "kind"]].drop_duplicates().sort_values(["mmsi", "kind"])
        per_vessel = pd.DataFrame({"worst_rank": by_vessel["rank"].max(), "open_events": by_vessel["events"].sum(),
                                   "open_kinds": kinds.groupby("mmsi")["kind"].agg(",".join)})
        frame = frame.merge(per_vessel, how="left", left_on="mmsi", right_index=True)
        frame["worst_rank"] = frame["worst_rank"].fillna(0).astype(int)
        frame["open_events"] = frame["open_events"].fillna(0).astype(int)
        frame["open_kinds"] = frame["open_kinds"].fillna("")
    names = {rank: name for name, rank in SEVERITY_RANK.items()}
    frame["worst"] = frame["worst_rank"].map(names)
    for column in ("lat", "lon", "sog", "cog", "heading"):
        frame[column] = frame[column].astype("float64")
    return frame


def newest_report_time(connection: Connection) -> Optional[datetime]:
    v = VesselRow.__table__
    return connection.execute(select(func.max(v.c.last_seen))).scalar_one()


def zones(connection: Connection) -> list[dict]:
    """Zones as dicts: name, kind, geometry (GeoJSON), added_at."""
    z = ZoneRow.__table__
    return [dict(row) for row in connection.execute(
        select(z.c.name, z.c.kind, z.c.geometry, z.c.added_at).order_by(z.c.kind, z.c.name)).mappings()]


def vessel_choices(connection: Connection) -> tuple[list[int], list[str]]:
    """The ship type codes and flags present, for filter menus."""
    v = VesselRow.__table__
    types = [t for (t,) in connection.execute(select(v.c.ship_type).distinct().where(v.c.ship_type.is_not(None)))]
    flags = [f for (f,) in connection.execute(select(v.c.flag).distinct().where(v.c.flag.is_not(None)))]
    return sorted(types), sorted(flags)


def vessel_names(connection: Connection, mmsis: Sequence[int]) -> dict[int, Optional[str]]:
    """MMSI → latest name, for the given MMSIs (one query)."""
    if not mmsis:
        return {}
    v = VesselRow.__table__
    return dict(connection.execute(select(v.c.mmsi, v.c.name).where(v.c.mmsi.in_(list(mmsis)))).all())


# -- one vessel -------------------------------------------------------------------------------------

def vessel(connection: Connection, mmsi: int) -> Optional[dict]:
    v = VesselRow.__table__
    row = connection.execute(select(v).where(v.c.mmsi == mmsi)).mappings().first()
    return dict(row) if row is not None else None


def track_time_range(connection: Connection, mmsi: int) -> tuple[Optional[datetime], Optional[datetime]]:
    p = PositionRow.__table__
    return tuple(connection.execute(select(func.min(p.c.time), func.max(p.c.time)).where(p.c.mmsi == mmsi)).one())


def track(connection: Connection, mmsi: int, since: Optional[datetime] = None, until: Optional[datetime] = None,
          max_points: Optional[int] = 4_000) -> pd.DataFrame:
    """One vessel's reports in time order (the positions primary key is (mmsi, time)); thinned evenly to
    ``max_points`` (first and last kept) for drawing."""
    p = PositionRow.__table__
    statement = select(*(p.c[c] for c in TRACK_COLUMNS)).where(p.c.mmsi == mmsi)
    if since is not None:
        statement = statement.where(p.c.time >= since)
    if until is not None:
        statement = statement.where(p.c.time <= until)
    frame = _frame(connection, statement.order_by(p.c.time), TRACK_COLUMNS)
    if max_points is not None and len(frame) > max_points:
        step = -(-len(frame) // max_points)
        keep = frame.index[::step].union(frame.index[-1:])
        frame = frame.loc[keep]
    frame["time"] = pd.to_datetime(frame["time"])
    for column in ("lat", "lon", "sog", "cog", "heading"):
        frame[column] = frame[column].astype("float64")
    return frame.reset_index(drop=True)


def identity_reports(connection: Connection, mmsi: int) -> pd.DataFrame:
    s = StaticRow.__table__
    columns = ["time", "msg_type", "part", *IDENTITY_FIELDS, "source"]
    frame = _frame(connection, select(*(s.c[c] for c in columns)).where(s.c.mmsi == mmsi).order_by(s.c.time, s.c.id),
                   columns)
    frame["time"] = pd.to_datetime(frame["time"])
    return frame


@dataclass(frozen=True)
class IdentityChange:
    time: datetime
    field: str
    old: object
    new: object
    source: str


def identity_changes(reports: pd.DataFrame) -> list[IdentityChange]:
    """Each change of name, callsign, IMO, ship type or destination, in time order. A field a report does
    not carry (class B part A has no callsign, part B no name) is not a change."""
    changes: list[IdentityChange] = []
    for field in IDENTITY_FIELDS:
        known = reports[["time", field, "source"]].dropna(subset=[field])
        values = known[field].tolist()
        for i in range(1, len(values)):
            if values[i] != values[i - 1]:
                row = known.iloc[i]
                changes.append(IdentityChange(row["time"].to_pydatetime(), field, values[i - 1], values[i],
                                              row["source"]))
    return sorted(changes, key=lambda c: (c.time, c.field))


def identities(reports: pd.DataFrame) -> pd.DataFrame:
    """Each distinct (name, callsign, IMO) an MMSI reported, with first and last time and how many reports."""
    columns = ["name", "callsign", "imo"]
    carrying = reports.dropna(subset=["name"]) if not reports.empty else reports
    if carrying.empty:
        return pd.DataFrame(columns=[*columns, "first", "last", "reports"])
    grouped = carrying.fillna({"callsign": "", "imo": 0}).groupby(columns, sort=False)["time"]
    frame = grouped.agg(first="min", last="max", reports="count").reset_index().sort_values("first")
    frame["imo"] = frame["imo"].astype(int).replace(0, None)
    frame["callsign"] = frame["callsign"].replace("", None)
    return frame.reset_index(drop=True)


# -- events -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EventQuery:
    kinds: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    since: Optional[datetime] = None
    until: Optional[datetime] = None
    mmsi: Optional[int] = None
    sort: str = "detected_at"
    descending: bool = True
    limit: Optional[int] = 500


def _event_filter(e, q: EventQuery):
    conditions = []
    if q.kinds:
        conditions.append(e.c.kind.in_(q.kinds))
    if q.severities:
        conditions.append(e.c.severity.in_(q.severities))
    if q.statuses:
        conditions.append(e.c.status.in_(q.statuses))
    if q.since is not None:
        conditions.append(or_(e.c.end >= q.since, and_(e.c.end.is_(None), e.c.start >= q.since)))
    if q.until is not None:
        conditions.append(e.c.start < q.until)
    if q.mmsi is not None:
        conditions.append(or_(e.c.mmsi == q.mmsi, e.c.other_mmsi == q.mmsi))
    return and_(*conditions) if conditions else literal(True)


def events(connection: Connection, q: EventQuery = EventQuery(), with_evidence: bool = False) -> pd.DataFrame:
    """Events matching ``q``, sorted (ties newest first), at most ``q.limit``."""
    e = EventRow.__table__
    columns = EVENT_COLUMNS + (["evidence"] if with_evidence else [])
    if q.sort not in EVENT_SORTS:
        raise ValueError(f"cannot sort events by {q.sort!r}")
    if q.sort == "severity":  # by rank, not alphabetically
        order = _severity_order(e, q.descending)
    else:
        order = e.c[q.sort].desc() if q.descending else e.c[q.sort].asc()
    statement = (select(*(e.c[c] for c in columns)).where(_event_filter(e, q))
                 .order_by(order, e.c.detected_at.desc(), e.c.id))
    if q.limit is not None:
        statement = statement.limit(q.limit)
    frame = _frame(connection, statement, columns)
    for column in ("start", "end", "detected_at", "status_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _severity_order(e, descending: bool):
    rank = case(*((e.c.severity == name, r) for name, r in SEVERITY_RANK.items()), else_=0)
    return rank.desc() if descending else rank.asc()


def count_events(connection: Connection, q: EventQuery = EventQuery()) -> int:
    e = EventRow.__table__
    return connection.execute(select(func.count()).select_from(e).where(_event_filter(e, q))).scalar_one()


def event(connection: Connection, event_id: str) -> Optional[dict]:
    e = EventRow.__table__
    row = connection.execute(select(e).where(e.c.id == event_id)).mappings().first()
    return dict(row) if row is not None else None


def event_counts(connection: Connection, since: Optional[datetime] = None, until: Optional[datetime] = None,
                 freq: str = "1h") -> pd.DataFrame:
    """Events per kind per time bucket (by detection time): columns time, kind, events."""
    e = EventRow.__table__
    statement = select(e.c.kind, e.c.detected_at).where(e.c.status != "retracted")
    if since is not None:
        statement = statement.where(e.c.detected_at >= since)
    if until is not None:
        statement = statement.where(e.c.detected_at < until)
    frame = _frame(connection, statement, ["kind", "time"])
    if frame.empty:
        return pd.DataFrame(columns=["time", "kind", "events"])
    frame["time"] = pd.to_datetime(frame["time"]).dt.floor(freq)
    return frame.groupby(["time", "kind"]).size().rename("events").reset_index()


def set_event_status(connection: Connection, event_id: str, status: str, user: str, comment: str = "") -> bool:
    """Acknowledge or dismiss an event, recording who, when and why; False if the event is not in a state
    that allows it (already dismissed, retracted, unknown)."""
    if status not in EVENT_STATUS_CHANGES:
        raise ValueError(f"cannot set an event to {status!r}")
    e = EventRow.__table__
    now = _now()
    result = connection.execute(
        e.update().where(e.c.id == event_id, e.c.status.in_(EVENT_STATUS_CHANGES[status]))
        .values(status=status, status_by=user[:64], status_at=now, status_comment=(comment or None) and
                comment[:1000], updated_at=now))
    return result.rowcount == 1


# -- health -----------------------------------------------------------------------------------------

def ingest_runs(connection: Connection, limit: int = 50) -> pd.DataFrame:
    r = IngestRunRow.__table__
    columns = ["id", "source", "started_at", "finished_at", "status", "read", "decoded", "stored", "duplicates",
               "rejected", "newest_data_time", "message"]
    frame = _frame(connection, select(*(r.c[c] for c in columns)).order_by(r.c.id.desc()).limit(limit), columns)
    for column in ("started_at", "finished_at", "newest_data_time"):
        frame[column] = pd.to_datetime(frame[column])
    seconds = (frame["finished_at"] - frame["started_at"]).dt.total_seconds()
    frame["lines_per_s"] = (frame["read"] / seconds.where(seconds > 0)).round(0)
    return frame


def sources(connection: Connection, now: Optional[datetime] = None) -> pd.DataFrame:
    """Per source: runs, last finished, newest data time, and how far that lies behind ``now`` (wall clock)."""
    r = IngestRunRow.__table__
    statement = select(r.c.source, func.count().label("runs"), func.max(r.c.finished_at).label("last_finished"),
                       func.max(r.c.newest_data_time).label("newest_data_time")).group_by(r.c.source)
    frame = _frame(connection, statement.order_by(func.max(r.c.newest_data_time).desc()),
                   ["source", "runs", "last_finished", "newest_data_time"])
    for column in ("last_finished", "newest_data_time"):
        frame[column] = pd.to_datetime(frame[column])
    frame["lag"] = pd.Timestamp(now or _now()) - frame["newest_data_time"]
    return frame


def rejects_by_reason(connection: Connection, samples: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(totals per reason, newest ``samples`` kept rejects per reason)."""
    t = RejectTotalRow.__table__
    totals = _frame(connection, select(t.c.reason, func.sum(t.c.count).label("count")).group_by(t.c.reason)
                    .order_by(func.sum(t.c.count).desc()), ["reason", "count"])
    r = RejectRow.__table__
    numbered = select(r.c.reason, r.c.created_at, r.c.source, r.c.line_no, r.c.detail, r.c.raw,
                      func.row_number().over(partition_by=r.c.reason, order_by=r.c.id.desc()).label("n")).subquery()
    columns = ["reason", "created_at", "source", "line_no", "detail", "raw"]
    kept = _frame(connection, select(*(numbered.c[c] for c in columns)).where(numbered.c.n <= samples)
                  .order_by(numbered.c.reason, numbered.c.n), columns)
    return totals, kept


def database_size_bytes(connection: Connection) -> Optional[int]:
    """The database's size on disk (SQLite pages, or PostgreSQL's pg_database_size); None if unknown."""
    dialect = connection.dialect.name
    if dialect == "sqlite":
        pages = connection.execute(text("PRAGMA page_count")).scalar_one()
        size = connection.execute(text("PRAGMA page_size")).scalar_one()
        return int(pages) * int(size)
    if dialect == "postgresql":
        return int(connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
    return None


def data_window(connection: Connection) -> tuple[Optional[datetime], Optional[datetime]]:
    """First and last report time over all vessels (from ``vessels``, not a scan of positions)."""
    v = VesselRow.__table__
    return tuple(connection.execute(select(func.min(v.c.first_seen), func.max(v.c.last_seen))).one())


# -- models -----------------------------------------------------------------------------------------

def model_versions(connection: Connection) -> list[dict]:
    m = ModelVersionRow.__table__
    return [dict(row) for row in connection.execute(select(m).order_by(m.c.created_at.desc(), m.c.id.desc()))
            .mappings()]


def since_hours(newest: Optional[datetime], hours: Optional[float]) -> Optional[datetime]:
    """``newest`` minus ``hours`` (None if either is None): windows count back from the newest data."""
    if newest is None or hours is None:
        return None
    return newest - timedelta(hours=hours)
