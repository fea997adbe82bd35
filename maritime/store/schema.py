"""The database schema (SQLAlchemy 2.0). Changes go through an Alembic migration.

Times are naive UTC timestamps. Unavailable AIS values are NULL. Every table the
ingest appends to has a unique ``key`` (a 63-bit hash of the record's identity) so
that writing the same record twice stores it once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Float, Index, Integer, MetaData, SmallInteger, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only aliases the rowid for INTEGER PRIMARY KEY; PostgreSQL gets a bigint.
RowId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class PositionRow(Base):
    """A position report (types 1, 2, 3, 18, 19, 27, or a CSV archive row).

    The primary key (mmsi, time, key) clusters each vessel's track in time order and
    makes writing a report twice a no-op (the key is derived from the report, which
    fixes its MMSI and time). On SQLite the table is WITHOUT ROWID: one B-tree per
    insert instead of three (benchmarks/ingest.py: 1.7x faster writes).
    """

    __tablename__ = "positions"
    mmsi: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[datetime] = mapped_column(DateTime, primary_key=True)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    sog: Mapped[Optional[float]] = mapped_column(Float)
    cog: Mapped[Optional[float]] = mapped_column(Float)
    heading: Mapped[Optional[int]] = mapped_column(SmallInteger)
    nav_status: Mapped[Optional[int]] = mapped_column(SmallInteger)
    msg_type: Mapped[int] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(200))
    time_reported: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)

    __table_args__ = ({"sqlite_with_rowid": False},)


class StaticRow(Base):
    """Every identity/voyage report as received (types 5, 19, 24 A/B): the history."""

    __tablename__ = "statics"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    mmsi: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(DateTime)
    msg_type: Mapped[int] = mapped_column(SmallInteger)
    part: Mapped[Optional[str]] = mapped_column(String(1))
    name: Mapped[Optional[str]] = mapped_column(String(64))
    callsign: Mapped[Optional[str]] = mapped_column(String(16))
    imo: Mapped[Optional[int]] = mapped_column(Integer)
    ship_type: Mapped[Optional[int]] = mapped_column(SmallInteger)
    to_bow: Mapped[Optional[int]] = mapped_column(SmallInteger)
    to_stern: Mapped[Optional[int]] = mapped_column(SmallInteger)
    to_port: Mapped[Optional[int]] = mapped_column(SmallInteger)
    to_starboard: Mapped[Optional[int]] = mapped_column(SmallInteger)
    draught: Mapped[Optional[float]] = mapped_column(Float)
    destination: Mapped[Optional[str]] = mapped_column(String(64))
    eta: Mapped[Optional[str]] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(200))
    time_reported: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[int] = mapped_column(BigInteger, unique=True)

    __table_args__ = (Index("ix_statics_mmsi_time", "mmsi", "time"),)


class VesselRow(Base):
    """The latest identity and position of each MMSI (kept up to date by the ingest)."""

    __tablename__ = "vessels"
    mmsi: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[Optional[str]] = mapped_column(String(64))
    callsign: Mapped[Optional[str]] = mapped_column(String(16))
    imo: Mapped[Optional[int]] = mapped_column(Integer)
    ship_type: Mapped[Optional[int]] = mapped_column(SmallInteger)
    length: Mapped[Optional[int]] = mapped_column(SmallInteger)
    beam: Mapped[Optional[int]] = mapped_column(SmallInteger)
    draught: Mapped[Optional[float]] = mapped_column(Float)
    destination: Mapped[Optional[str]] = mapped_column(String(64))
    flag: Mapped[Optional[str]] = mapped_column(String(2))
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    identity_time: Mapped[Optional[datetime]] = mapped_column(DateTime)
    position_time: Mapped[Optional[datetime]] = mapped_column(DateTime)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    sog: Mapped[Optional[float]] = mapped_column(Float)
    cog: Mapped[Optional[float]] = mapped_column(Float)
    heading: Mapped[Optional[int]] = mapped_column(SmallInteger)
    nav_status: Mapped[Optional[int]] = mapped_column(SmallInteger)


class StationRow(Base):
    """Base stations (type 4) and aids to navigation (type 21), kept apart from vessels."""

    __tablename__ = "stations"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    mmsi: Mapped[int] = mapped_column(Integer)
    time: Mapped[datetime] = mapped_column(DateTime)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    name: Mapped[Optional[str]] = mapped_column(String(64))
    aid_type: Mapped[Optional[int]] = mapped_column(SmallInteger)
    source: Mapped[str] = mapped_column(String(200))
    time_reported: Mapped[bool] = mapped_column(Boolean)
    key: Mapped[int] = mapped_column(BigInteger, unique=True)

    __table_args__ = (Index("ix_stations_mmsi_time", "mmsi", "time"),)


class RejectRow(Base):
    """The most recent rejected inputs (bounded); ``reject_totals`` keeps every count."""

    __tablename__ = "rejects"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(String(1024))
    line_no: Mapped[Optional[int]] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(String(300))
    raw: Mapped[str] = mapped_column(Text)
    key: Mapped[int] = mapped_column(BigInteger, unique=True)

    __table_args__ = (Index("ix_rejects_reason", "reason"),)


class RejectTotalRow(Base):
    __tablename__ = "reject_totals"
    source: Mapped[str] = mapped_column(String(1024), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


class CheckpointRow(Base):
    """How far a file or feed has been ingested; written in the same transaction as its rows."""

    __tablename__ = "checkpoints"
    source: Mapped[str] = mapped_column(String(1024), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    offset: Mapped[int] = mapped_column(BigInteger)
    line_no: Mapped[int] = mapped_column(BigInteger)
    warm_offset: Mapped[int] = mapped_column(BigInteger)
    warm_line_no: Mapped[int] = mapped_column(BigInteger)
    completed: Mapped[bool] = mapped_column(Boolean)
    # The time given to lines that carry none, kept so that a resumed ingest gives them the same.
    fallback_time: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class IngestRunRow(Base):
    """One ingest of one source: when, and what came of it."""

    __tablename__ = "ingest_runs"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(1024))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    read: Mapped[int] = mapped_column(BigInteger, default=0)
    decoded: Mapped[int] = mapped_column(BigInteger, default=0)
    stored: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicates: Mapped[int] = mapped_column(BigInteger, default=0)
    rejected: Mapped[int] = mapped_column(BigInteger, default=0)
    newest_data_time: Mapped[Optional[datetime]] = mapped_column(DateTime)
    message: Mapped[Optional[str]] = mapped_column(String(500))


class EventRow(Base):
    """An anomaly event (DESIGN.md "Anomaly events"); its id hashes (kind, mmsi, start) so reruns update it."""

    __tablename__ = "events"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    mmsi: Mapped[Optional[int]] = mapped_column(Integer)
    other_mmsi: Mapped[Optional[int]] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(DateTime)
    end: Mapped[Optional[datetime]] = mapped_column(DateTime)
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    severity: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    score: Mapped[float] = mapped_column(Float)
    detector: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))  # open | acknowledged | dismissed | retracted
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    status_by: Mapped[Optional[str]] = mapped_column(String(64))
    status_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    status_comment: Mapped[Optional[str]] = mapped_column(String(1000))

    __table_args__ = (Index("ix_events_kind_start", "kind", "start"), Index("ix_events_mmsi_start", "mmsi", "start"),
                      Index("ix_events_status", "status"))


class ZoneRow(Base):
    """A restricted, mine-danger or exclusion zone (GeoJSON polygon), loaded with `maritime zones add`."""

    __tablename__ = "zones"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # restricted | mine_danger | exclusion
    geometry: Mapped[dict] = mapped_column(JSON)
    added_at: Mapped[datetime] = mapped_column(DateTime)


class DetectorStateRow(Base):
    """Per-vessel detector state kept between pipeline ticks (e.g. how far each vessel was examined)."""

    __tablename__ = "detector_state"
    mmsi: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    detector: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[dict] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class UserRow(Base):
    """A dashboard account; the password is stored only as a salted hash."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # officer | analyst | admin
    active: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_login: Mapped[Optional[datetime]] = mapped_column(DateTime)
    # Sessions signed in before this moment are no longer accepted (sign-out, password change).
    sessions_valid_after: Mapped[Optional[datetime]] = mapped_column(DateTime)


class ModelVersionRow(Base):
    """A trained anomaly model in the registry; the estimator itself is a skops file beside the database."""

    __tablename__ = "model_versions"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(32), unique=True)
    estimator: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[Optional[str]] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(1024))
    sha256: Mapped[str] = mapped_column(String(64))
    features: Mapped[list] = mapped_column(JSON)
    train_since: Mapped[Optional[datetime]] = mapped_column(DateTime)
    train_until: Mapped[Optional[datetime]] = mapped_column(DateTime)
    data_hash: Mapped[str] = mapped_column(String(64))
    library_versions: Mapped[dict] = mapped_column(JSON)
    metrics: Mapped[dict] = mapped_column(JSON)
    threshold: Mapped[float] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean)
    promoted_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    promoted_by: Mapped[Optional[str]] = mapped_column(String(64))
    notes: Mapped[Optional[str]] = mapped_column(String(1000))


class FeedRow(Base):
    """A configured live feed: tcp://host:port, udp://host:port or file:///folder/or/glob."""

    __tablename__ = "feeds"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(1024), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # tcp | udp | file
    enabled: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(DateTime)
    last_status: Mapped[Optional[str]] = mapped_column(String(300))
    last_status_at: Mapped[Optional[datetime]] = mapped_column(DateTime)


class TickRow(Base):
    """One pipeline tick: when it ran, the data window it examined, what it found."""

    __tablename__ = "pipeline_ticks"
    id: Mapped[int] = mapped_column(RowId, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime)
    window_start: Mapped[Optional[datetime]] = mapped_column(DateTime)
    window_end: Mapped[Optional[datetime]] = mapped_column(DateTime)
    stored: Mapped[int] = mapped_column(BigInteger, default=0)
    events_new: Mapped[int] = mapped_column(Integer, default=0)
    events_updated: Mapped[int] = mapped_column(Integer, default=0)
    events_retracted: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[Optional[float]] = mapped_column(Float)
    error: Mapped[Optional[str]] = mapped_column(String(500))
