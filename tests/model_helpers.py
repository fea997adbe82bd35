"""Hand-made tracks and a small labelled fleet for the feature and model tests (no simulator needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import insert

from maritime.store.schema import PositionRow, VesselRow

START = pd.Timestamp("2024-07-01 00:00:00")
KM_PER_DEG_LAT = 110.57


def leg(mmsi: int, lat: float, lon: float, sog_kn: float, cog_deg: float, minutes: float, step_s: float = 60.0,
        start: pd.Timestamp = START, ship_cog: bool = True) -> pd.DataFrame:
    """Reports every ``step_s`` of a vessel keeping course and speed from (lat, lon)."""
    n = int(minutes * 60 / step_s)
    seconds = np.arange(n) * step_s
    km = sog_kn * 1.852 * seconds / 3600.0
    lats = lat + km * np.cos(np.radians(cog_deg)) / KM_PER_DEG_LAT
    lons = lon + km * np.sin(np.radians(cog_deg)) / (111.32 * np.cos(np.radians(lat)))
    return pd.DataFrame({"mmsi": mmsi, "time": start + pd.to_timedelta(seconds, unit="s"), "lat": lats, "lon": lons,
                         "sog": float(sog_kn), "cog": float(cog_deg) if ship_cog else np.nan,
                         "heading": float(cog_deg), "nav_status": 0.0, "msg_type": 1})


def chain(*legs: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(legs, ignore_index=True)


def then(track: pd.DataFrame, sog_kn: float, cog_deg: float, minutes: float, step_s: float = 60.0) -> pd.DataFrame:
    """The track continued from its last report with a new course and speed."""
    last = track.iloc[-1]
    nxt = leg(int(last["mmsi"]), last["lat"], last["lon"], sog_kn, cog_deg, minutes, step_s,
              start=last["time"] + pd.Timedelta(seconds=step_s))
    return chain(track, nxt)


def labelled_fleet(hours: float = 12.0, transits: int = 24, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                      list[dict]]:
    """Cargo ships on three east-west lanes in the western Black Sea, plus loiterers (slow for 3 h at sea)
    and route deviators (30 km off the lanes for 2 h) with their labels, early and late in the period."""
    rng = np.random.default_rng(seed)
    lanes = (43.00, 43.30, 43.60)
    minutes = hours * 60
    tracks, labels = [], []
    for i in range(transits):
        lat = lanes[i % 3] + rng.normal(0, 0.005)
        east = i % 2 == 0
        start_lon = 29.6 + rng.uniform(0, 0.3) if east else 33.6 - rng.uniform(0, 0.3)
        tracks.append(leg(210000000 + i, lat, start_lon, rng.uniform(10, 13), 90.0 if east else 270.0, minutes,
                          start=START + pd.Timedelta(seconds=int(rng.integers(0, 50)))))
    specials = [(0.15, "loitering"), (0.25, "route_deviation"), (0.45, "loitering"), (0.75, "loitering"),
                (0.80, "route_deviation")]
    for j, (at, kind) in enumerate(specials):
        mmsi = 220000000 + j
        begin = minutes * at
        track = leg(mmsi, lanes[j % 3], 29.7, 11.0, 90.0, begin)
        if kind == "loitering":
            track = then(track, 0.8, float(rng.uniform(0, 360)), 180)
            track = then(track, 11.0, 90.0, minutes - begin - 180)
        else:
            track = then(track, 11.0, 150.0, 80)  # 30 km south-east, off every lane
            track = then(track, 11.0, 90.0, 60)
            track = then(track, 11.0, 30.0, 80)
            track = then(track, 11.0, 90.0, minutes - begin - 220)
        tracks.append(track)
        end = begin + (180 if kind == "loitering" else 220)
        labels.append({"kind": kind, "mmsi": mmsi, "other_mmsi": None,
                       "start": (START + pd.Timedelta(minutes=begin)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "end": (START + pd.Timedelta(minutes=end)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "lat": lanes[j % 3], "lon": 30.0})
    frame = pd.concat(tracks, ignore_index=True).sort_values(["mmsi", "time"], ignore_index=True)
    vessels = pd.DataFrame({"mmsi": frame["mmsi"].unique(), "ship_type": 70})
    return frame, vessels, labels


def write_labels(path: Path, labels: list[dict]) -> Path:
    path.write_text("".join(json.dumps(label) + "\n" for label in labels), encoding="utf-8")
    return path


def store_tracks(engine, tracks: pd.DataFrame, vessels: pd.DataFrame) -> None:
    """Write tracks and vessel types straight into the store (as the ingest would)."""
    rows = [{"mmsi": int(r.mmsi), "time": r.time.to_pydatetime(), "lat": r.lat, "lon": r.lon, "sog": r.sog,
             "cog": None if np.isnan(r.cog) else r.cog, "heading": None if np.isnan(r.heading) else int(r.heading),
             "nav_status": int(r.nav_status),
             "msg_type": int(r.msg_type), "source": "test", "time_reported": True, "key": i}
            for i, r in enumerate(tracks.itertuples())]
    spans = tracks.groupby("mmsi")["time"].agg(["min", "max"])
    vessel_rows = [{"mmsi": int(v.mmsi), "ship_type": int(v.ship_type),
                    "first_seen": spans.loc[v.mmsi, "min"].to_pydatetime(),
                    "last_seen": spans.loc[v.mmsi, "max"].to_pydatetime()} for v in vessels.itertuples()]
    with engine.begin() as connection:
        connection.execute(insert(PositionRow), rows)
        connection.execute(insert(VesselRow), vessel_rows)
