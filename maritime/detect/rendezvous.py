"""rendezvous: two vessels close together, slow, at sea, for a long time (a ship-to-ship transfer).

Positions are binned in time (``rendezvous_time_bin_minutes``): one mean position
and speed per vessel per bin, kept when the vessel is slower than
``rendezvous_max_sog_kn`` and ``rendezvous_min_port_distance_m`` from every port
and anchorage. Within a bin, vessels are put in grid cells at least
``rendezvous_max_distance_m`` wide, so only vessels in neighbouring cells are
compared. A pair close in consecutive bins (one missing bin allowed) for at least
``rendezvous_min_minutes`` is one event, naming the smaller MMSI as ``mmsi`` and
the other as ``other_mmsi``.

Left alone: tugs, pilots and port tenders (their work is to go alongside), and
two fishing vessels working the same fishing ground.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maritime.detect.common import (WINDOW_EDGE_S, as_datetime, epoch_s, in_types, new_vessel, newest_s, per_report,
                                    rounded, ship_types, speed_kn, valid_positions, window_starts)
from maritime.detect.events import Event
from maritime.detect.grid import METRES_PER_DEG
from maritime.detect.places import PILOT, PORT_TENDER, TUGS, away_from_ports, fishing_on_grounds
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import haversine_m

KIND = "rendezvous"
EXEMPT_TYPES = TUGS + PILOT + PORT_TENDER
MAX_MISSING_BINS = 1
ENCOUNTER_MINUTES = 120.0  # source: GFW encounter events last >= 2 h: beyond it, critical
NORTHMOST_LAT = 50.0  # cells are wide enough in longitude up to here (the Black Sea ends at 47 N)


def _slow_bins(ctx: TrackContext, bin_s: float) -> pd.DataFrame:
    """One row per (vessel, time bin) in which the vessel was slow, at sea and not exempt."""
    s = ctx.settings
    tracks = valid_positions(ctx.tracks)
    if tracks.empty:
        return pd.DataFrame()
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    speed = speed_kn(tracks, t, new_vessel(mmsi))
    types = per_report(ship_types(ctx), mmsi)
    rows = np.nonzero((np.nan_to_num(speed, nan=np.inf) < 2.0 * s.rendezvous_max_sog_kn)
                      & ~in_types(types, EXEMPT_TYPES))[0]
    frame = pd.DataFrame({"mmsi": mmsi[rows], "bin": np.floor(t[rows] / bin_s).astype(np.int64), "t": t[rows],
                          "lat": tracks["lat"].to_numpy(dtype=float)[rows],
                          "lon": tracks["lon"].to_numpy(dtype=float)[rows], "speed": speed[rows],
                          "type": types[rows]})
    bins = frame.groupby(["mmsi", "bin"], sort=False).agg(
        lat=("lat", "mean"), lon=("lon", "mean"), speed=("speed", "mean"), t_first=("t", "min"),
        t_last=("t", "max"), type=("type", "first")).reset_index()
    bins = bins[bins["speed"] < s.rendezvous_max_sog_kn]
    lat, lon = bins["lat"].to_numpy(), bins["lon"].to_numpy()
    bins = bins[away_from_ports(lat, lon, s.rendezvous_min_port_distance_m)]
    bins["fishing"] = fishing_on_grounds(bins["type"].to_numpy(dtype=float), bins["lat"].to_numpy(),
                                         bins["lon"].to_numpy())
    return bins.reset_index(drop=True)


def _close_pairs(bins: pd.DataFrame, max_distance_m: float) -> pd.DataFrame:
    """Pairs of vessels (mmsi_a < mmsi_b) within ``max_distance_m`` in the same time bin."""
    cell_deg = max_distance_m / (METRES_PER_DEG * np.cos(np.radians(NORTHMOST_LAT)))
    bins = bins.assign(ci=np.floor(bins["lat"] / cell_deg).astype(np.int64),
                       cj=np.floor(bins["lon"] / cell_deg).astype(np.int64))
    around = []
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            around.append(bins.assign(ci=bins["ci"] + di, cj=bins["cj"] + dj))
    neighbours = pd.concat(around, ignore_index=True)
    pairs = bins.merge(neighbours, on=["bin", "ci", "cj"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["mmsi_a"] < pairs["mmsi_b"]]
    pairs = pairs[~(pairs["fishing_a"] & pairs["fishing_b"])]
    distance = haversine_m(pairs["lat_a"].to_numpy(), pairs["lon_a"].to_numpy(), pairs["lat_b"].to_numpy(),
                           pairs["lon_b"].to_numpy())
    pairs = pairs.assign(distance_m=distance)
    return pairs[pairs["distance_m"] <= max_distance_m].sort_values(["mmsi_a", "mmsi_b", "bin"],
                                                                     ignore_index=True)


def detect_rendezvous(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    bin_s = s.rendezvous_time_bin_minutes * 60.0
    bins = _slow_bins(ctx, bin_s)
    if len(bins) < 2:
        return []
    pairs = _close_pairs(bins, s.rendezvous_max_distance_m)
    if pairs.empty:
        return []
    a, b, k = (pairs[c].to_numpy() for c in ("mmsi_a", "mmsi_b", "bin"))
    new_pair = np.ones(len(pairs), dtype=bool)
    new_pair[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1]) | (k[1:] - k[:-1] > MAX_MISSING_BINS + 1)
    pairs["episode"] = np.cumsum(new_pair)
    newest_bin = np.floor(newest_s(ctx) / bin_s)
    base_start, earlier_start = window_starts(ctx, epoch_s(ctx.tracks["time"]))
    thresholds = {"rendezvous_max_distance_m": s.rendezvous_max_distance_m,
                  "rendezvous_max_sog_kn": s.rendezvous_max_sog_kn,
                  "rendezvous_min_minutes": s.rendezvous_min_minutes,
                  "rendezvous_min_port_distance_m": s.rendezvous_min_port_distance_m,
                  "rendezvous_time_bin_minutes": s.rendezvous_time_bin_minutes}
    events = []
    for _, episode in pairs.groupby("episode", sort=False):
        head, tail = episode.iloc[0], episode.iloc[-1]
        start = max(head["t_first_a"], head["t_first_b"])
        end = min(tail["t_last_a"], tail["t_last_b"])
        minutes = float(end - start) / 60.0
        window_start = max(earlier_start.get(head["mmsi_a"], base_start), earlier_start.get(head["mmsi_b"], base_start))
        if minutes < s.rendezvous_min_minutes or start - window_start < WINDOW_EDGE_S:
            continue
        ongoing = tail["bin"] >= newest_bin - MAX_MISSING_BINS
        lat = (head["lat_a"] + head["lat_b"]) / 2.0
        lon = (head["lon_a"] + head["lon_b"]) / 2.0
        distances = episode["distance_m"].to_numpy()
        evidence = {
            "duration_minutes": round(minutes, 1),
            "min_distance_m": round(float(distances.min())),
            "median_distance_m": round(float(np.median(distances))),
            "mean_sog_kn": {str(int(head["mmsi_a"])): rounded(episode["speed_a"].mean(), 2),
                            str(int(head["mmsi_b"])): rounded(episode["speed_b"].mean(), 2)},
            "ship_types": {str(int(head["mmsi_a"])): None if np.isnan(head["type_a"]) else int(head["type_a"]),
                           str(int(head["mmsi_b"])): None if np.isnan(head["type_b"]) else int(head["type_b"])},
            "close_bins": len(episode),
            "thresholds": thresholds,
        }
        events.append(Event(
            kind=KIND, mmsi=int(head["mmsi_a"]), other_mmsi=int(head["mmsi_b"]), start=as_datetime(start),
            end=None if ongoing else as_datetime(end), lat=float(lat), lon=float(lon),
            severity="critical" if minutes >= ENCOUNTER_MINUTES else "warning",
            score=round(min(1.0, minutes / ENCOUNTER_MINUTES), 3),
            detector=KIND, evidence=evidence, detected_at=as_datetime(start + s.rendezvous_min_minutes * 60.0)))
    return events
