"""A database for dashboard tests: a simulated stretch of Black Sea traffic, vessels whose broadcast names
are HTML (real type 5 messages and a CSV archive row), anomaly events, two model versions, accounts."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from maritime.detect.events import Event
from maritime.ingest import ingest_paths
from maritime.store.db import open_store
from maritime.store.events import save_events
from maritime.store.schema import ModelVersionRow, VesselRow, ZoneRow
from maritime.store.users import add_user
from tests.nmea_helpers import position, static_voyage, tag

# Type 5 names are 20 six-bit characters (upper case): the first is cut to "<IMG SRC=X ONERROR=A" on the air,
# the SVG one fits whole; the lower-case one comes whole from a CSV archive.
XSS_NMEA = {271000001: ("<B>BOLD</B>", "<BR>FAKE"), 271000002: ("<IMG SRC=X ONERROR=ALERT(1)>", "ODESA"),
            271000003: ("<SVG/ONLOAD=ALERT()>", "<A HREF=X>")}
XSS_CSV_MMSI = 271000004
XSS_CSV_NAME = "<img src=x onerror=alert(1)>"
PASSWORDS = {"olga": "officer-password-1", "anna": "analyst-password-1", "adam": "admin-password-1"}
ROLES = {"olga": "officer", "anna": "analyst", "adam": "admin"}
MC_HEADER = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
             "Length,Width,Draft,Cargo,TransceiverClass")


@dataclass(frozen=True)
class DashboardData:
    url: str
    newest: datetime
    vessels: int
    bold_mmsi: int = 271000001


def _xss_recording(path: Path, t0: datetime) -> None:
    seconds = calendar.timegm(t0.timetuple())
    lines = []
    for i, (mmsi, (name, destination)) in enumerate(XSS_NMEA.items()):
        for part in static_voyage(mmsi, name, callsign="UX" + str(i), destination=destination, seq_id=i + 1):
            lines.append(tag(part, seconds, "rx-test"))
        for k in range(3):
            lines.append(tag(position(mmsi, 46.10 + 0.05 * i, 31.20 + 0.01 * k, sog=8.0, cog=180.0, heading=180),
                             seconds + 60 * k, "rx-test"))
    path.write_text("\n".join(lines) + "\n")


def _xss_archive(path: Path, t0: datetime) -> None:
    rows = [f"{XSS_CSV_MMSI},{(t0 + timedelta(minutes=k)):%Y-%m-%dT%H:%M:%S},45.80000,31.5{k}000,6.0,90.0,90.0,"
            f"{XSS_CSV_NAME},IMO9301134,UXSS,70,0,120,20,7.5,70,A" for k in range(3)]
    path.write_text("\n".join([MC_HEADER, *rows]) + "\n")


def _events(newest: datetime) -> list[Event]:
    start = newest - timedelta(hours=1)
    return [
        Event("loitering", 271000001, start, newest, 46.10, 31.22, "critical", 0.93, "loitering",
              {"mean_sog_kn": 0.8, "hours": 1.0, "thresholds": {"loiter_max_mean_sog_kn": 2.0}}, newest),
        Event("identity_change", XSS_CSV_MMSI, start, start, 45.80, 31.50, "warning", 0.7, "identity_change",
              {"field": "name", "old": "OLD NAME", "new": XSS_CSV_NAME}, start),
        Event("ais_gap", 271000002, start - timedelta(hours=3), start, 46.15, 31.21, "info", 0.4, "ais_gap",
              {"gap_h": 3.0}, start),
    ]


def _model_versions(connection, newest: datetime) -> None:
    t = ModelVersionRow.__table__
    common = {"estimator": "gbm", "created_by": "anna", "path": "/nonexistent/model.skops", "sha256": "0" * 64,
              "features": ["sog_mean", "sog_std", "turn_rate"], "train_since": newest - timedelta(hours=24),
              "train_until": newest, "data_hash": "ab" * 16, "library_versions": {"scikit-learn": "1.6"},
              "notes": None}
    connection.execute(t.insert(), [
        {**common, "version": "v1", "created_at": newest - timedelta(hours=2), "threshold": 0.61, "active": True,
         "promoted_at": newest - timedelta(hours=2), "promoted_by": "anna",
         "metrics": {"heldout": {"pr_auc": {"overall": 0.71}, "recall": {"overall": 0.64},
                                 "false_alarms_per_1000_vessel_hours": 1.2}}},
        {**common, "version": "v2", "created_at": newest - timedelta(hours=1), "threshold": 0.58, "active": False,
         "promoted_at": None, "promoted_by": None,
         "metrics": {"heldout": {"pr_auc": {"overall": 0.78}, "recall": {"overall": 0.70},
                                 "false_alarms_per_1000_vessel_hours": 0.9}}},
    ])


def build(folder: Path, hours: float = 1.5, vessels: int = 60, seed: int = 5, simulate_traffic: bool = True,
          url: str | None = None) -> DashboardData:
    """Fill the database at ``url`` (default: an SQLite file in ``folder``); ``folder`` takes the files."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    url = url or f"sqlite:///{folder / 'dashboard.sqlite'}"
    engine = open_store(url)
    t0 = datetime(2026, 11, 20, 6, 0)
    if simulate_traffic:
        from maritime.simulate import simulate

        simulate(hours=hours, vessels=vessels, seed=seed, out_dir=folder / "sim", start=t0)
        ingest_paths(engine, [str(folder / "sim" / "ais.nmea")])
        zones = json.loads((folder / "sim" / "zones.geojson").read_text())["features"]
        with engine.begin() as connection:
            connection.execute(ZoneRow.__table__.insert(), [
                {"name": f["properties"]["name"], "kind": f["properties"].get("kind", "restricted"),
                 "geometry": f["geometry"], "added_at": t0} for f in zones])
        from maritime.detect.runner import detect_window

        detect_window(engine, None, None)
    with engine.connect() as connection:
        newest = connection.execute(select(func.max(VesselRow.last_seen))).scalar_one() or t0 + timedelta(hours=hours)
    xss_time = newest - timedelta(minutes=10)
    _xss_recording(folder / "xss.nmea", xss_time)
    _xss_archive(folder / "xss.csv", xss_time)
    ingest_paths(engine, [str(folder / "xss.nmea"), str(folder / "xss.csv")])
    with engine.begin() as connection:
        newest = connection.execute(select(func.max(VesselRow.last_seen))).scalar_one()
        save_events(connection, _events(newest))
        _model_versions(connection, newest)
        for name, password in PASSWORDS.items():
            add_user(connection, name, ROLES[name], password)
        count = connection.execute(select(func.count()).select_from(VesselRow).where(VesselRow.lat.is_not(None)))
        count = count.scalar_one()
    engine.dispose()
    return DashboardData(url, newest, count)
