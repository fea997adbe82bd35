"""Storing and reading anomaly events; an event found again is updated, never duplicated."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable, Iterator, Optional

from sqlalchemy import Connection, select

from maritime.detect.events import Event
from maritime.store.schema import EventRow

EVENT_FIELDS = ("id", "kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "severity", "score", "detector",
                "evidence", "status", "detected_at")


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _plain_time(value):
    """pandas Timestamps and aware datetimes → naive UTC datetimes."""
    if value is None:
        return None
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def save_events(connection: Connection, events: Iterable[Event],
                raised_at: Optional[datetime] = None) -> tuple[int, int]:
    """Insert new events, update known ones (end, severity, score, evidence); returns (new, updated).

    An analyst's status (acknowledged, dismissed) is kept; a retracted event found again is reopened.
    ``raised_at`` is the newest data time of a live tick: a new event is stamped with it (that is when
    it was first known); without it (a run over stored data) ``detected_at`` is the moment the detector
    says its rule became true. ``detected_at`` never moves later.
    """
    events = list({e.id: e for e in events}.values())
    if not events:
        return 0, 0
    table = EventRow.__table__
    known = {row.id: row for row in connection.execute(
        select(table.c.id, table.c.status, table.c.detected_at).where(table.c.id.in_([e.id for e in events])))}
    now = _now()
    new = updated = 0
    for event in events:
        values = {"kind": event.kind, "mmsi": event.mmsi, "other_mmsi": event.other_mmsi,
                  "start": _plain_time(event.start), "end": _plain_time(event.end), "lat": event.lat,
                  "lon": event.lon, "severity": event.severity, "score": float(event.score),
                  "detector": event.detector, "evidence": event.evidence, "updated_at": now}
        detected_at = _plain_time(event.detected_at) or values["end"] or values["start"]
        if raised_at is not None:
            detected_at = max(detected_at, _plain_time(raised_at))
        old = known.get(event.id)
        if old is None:
            connection.execute(table.insert().values(id=event.id, status=event.status, detected_at=detected_at,
                                                     **values))
            new += 1
        else:
            values["detected_at"] = min(old.detected_at, detected_at)
            if old.status == "retracted":
                values["status"] = "open"
            connection.execute(table.update().where(table.c.id == event.id).values(**values))
            updated += 1
    return new, updated


def retract_events(connection: Connection, ids: Iterable[str], reason: str) -> int:
    """Withdraw events that later data showed were not anomalies (the reason goes in status_comment)."""
    ids = list(ids)
    if not ids:
        return 0
    table = EventRow.__table__
    result = connection.execute(table.update().where(table.c.id.in_(ids), table.c.status == "open").values(
        status="retracted", status_comment=reason[:1000], status_at=_now(), status_by="pipeline",
        updated_at=_now()))
    return result.rowcount


def iter_events(connection: Connection, kind: Optional[str] = None, since: Optional[datetime] = None,
                until: Optional[datetime] = None, mmsi: Optional[int] = None,
                statuses: Optional[tuple[str, ...]] = None) -> Iterator[dict]:
    table = EventRow.__table__
    statement = select(*(table.c[f] for f in EVENT_FIELDS))
    if kind is not None:
        statement = statement.where(table.c.kind == kind)
    if since is not None:
        statement = statement.where((table.c.end >= since) | (table.c.end.is_(None) & (table.c.start >= since)))
    if until is not None:
        statement = statement.where(table.c.start < until)
    if mmsi is not None:
        statement = statement.where((table.c.mmsi == mmsi) | (table.c.other_mmsi == mmsi))
    if statuses is not None:
        statement = statement.where(table.c.status.in_(statuses))
    for row in connection.execute(statement.order_by(table.c.start, table.c.id)).mappings():
        yield dict(row)
