"""Small synthetic tracks for the behaviour detector tests: voyages made of straight legs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from maritime.detect.tracks import STATIC_COLUMNS, TRACK_COLUMNS, VESSEL_COLUMNS, TrackContext, Zone
from maritime.geo.geodesy import KNOT_MS, destination_point

T0 = datetime(2026, 3, 1)
UNDER_WAY, AT_ANCHOR, MOORED, FISHING = 0, 1, 5, 7


def voyage(mmsi: int, start_h: float, lat: float, lon: float, legs: Sequence[tuple], every_s: float = 60.0,
           silent: Sequence[tuple[float, float]] = ()) -> pd.DataFrame:
    """Reports of a vessel sailing ``legs`` of (course °, speed kn, hours[, nav status]) from (lat, lon),
    one every ``every_s``; ``silent`` spans (hours from the start) send nothing."""
    rows = []
    t = 0.0
    for leg in legs:
        course, speed, hours = leg[:3]
        status = leg[3] if len(leg) > 3 else UNDER_WAY
        steps = np.arange(0.0, hours * 3600.0, every_s)
        la, lo = destination_point(np.full(len(steps), lat), np.full(len(steps), lon), np.full(len(steps), course),
                                   speed * KNOT_MS * steps)
        for s, a, b in zip(steps, np.atleast_1d(la), np.atleast_1d(lo)):
            rows.append((t + s, a, b, speed, course, status))
        lat, lon = destination_point(lat, lon, course, speed * KNOT_MS * hours * 3600.0)
        t += hours * 3600.0
    frame = pd.DataFrame(rows, columns=["s", "lat", "lon", "sog", "cog", "nav_status"])
    for a, b in silent:
        frame = frame[~((frame["s"] > a * 3600.0) & (frame["s"] < b * 3600.0))]
    return pd.DataFrame({
        "mmsi": mmsi, "time": [T0 + timedelta(hours=start_h, seconds=float(s)) for s in frame["s"]],
        "lat": frame["lat"].to_numpy(), "lon": frame["lon"].to_numpy(), "sog": frame["sog"].to_numpy(),
        "cog": frame["cog"].to_numpy(), "heading": np.nan, "nav_status": frame["nav_status"].astype(float).to_numpy(),
        "msg_type": 1, "source": "test"})[TRACK_COLUMNS]


def staying(mmsi: int, start_h: float, lat: float, lon: float, hours: float, status: int = AT_ANCHOR,
            every_s: float = 180.0, silent: Sequence[tuple[float, float]] = ()) -> pd.DataFrame:
    """A vessel lying still (at anchor or moored) at (lat, lon)."""
    return voyage(mmsi, start_h, lat, lon, [(0.0, 0.0, hours, status)], every_s, silent)


def context(*tracks: pd.DataFrame, types: Optional[dict[int, int]] = None, zones: Sequence[Zone] = (),
            statics: Optional[pd.DataFrame] = None, history: Optional[pd.DataFrame] = None,
            default_type: int = 70) -> TrackContext:
    """A TrackContext of the tracks (sorted), with each vessel's ship type (``default_type`` unless given)."""
    frame = pd.concat(tracks, ignore_index=True).sort_values(["mmsi", "time"], ignore_index=True)
    frame["time"] = pd.to_datetime(frame["time"])
    types = types or {}
    mmsis = set(frame["mmsi"]) | (set(history["mmsi"]) if history is not None else set())
    vessels = pd.DataFrame([{**{c: None for c in VESSEL_COLUMNS}, "mmsi": m, "ship_type": types.get(m, default_type)}
                            for m in sorted(mmsis)], columns=VESSEL_COLUMNS)
    if statics is None:
        statics = pd.DataFrame(columns=STATIC_COLUMNS)
    return TrackContext(tracks=frame, vessels=vessels, statics=statics, zones=list(zones), history=history)


def hours_after_t0(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)
