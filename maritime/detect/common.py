"""Helpers shared by the behaviour detectors (gap, loitering, rendezvous, route deviation, zones).

Everything works on the columns of :class:`~maritime.detect.tracks.TrackContext`
frames, sorted by (mmsi, time), and answers per report with numpy arrays.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

import numpy as np
import pandas as pd

from maritime.geo.geodesy import KNOT_MS, haversine_m

EPOCH = datetime(1970, 1, 1)
SOG_UNAVAILABLE_KN = 102.2  # 102.3 means "not available"; 102.2 "102.2 kn or more" (ITU-R M.1371)
UNDER_WAY_STATUSES = (0, 8)  # under way using engine, under way sailing
# An episode whose first report is a vessel's first in the window, this close to the window's
# oldest report, may have begun before the window: its start is unknown, and a pipeline that
# slides the window would find it again each tick with a later start (a new event id).
WINDOW_EDGE_S = 15 * 60.0


def valid_positions(tracks: pd.DataFrame) -> pd.DataFrame:
    """Reports with a usable position (finite, on the globe), still sorted by (mmsi, time), index reset."""
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    ok = np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0)
    return tracks.loc[ok].reset_index(drop=True)


def epoch_s(times: pd.Series) -> np.ndarray:
    """Naive UTC datetimes (any datetime64 unit) → float seconds since 1970."""
    return times.to_numpy().astype("datetime64[ms]").astype(np.int64) / 1000.0


def newest_s(ctx) -> float:
    """The newest data time of the context (any report, even one without a position), in unix seconds."""
    return pd.Timestamp(ctx.newest_time).value / 1e9 if ctx.newest_time is not None else float("nan")


def cut_by_window(t_start: np.ndarray, at_vessel_start: np.ndarray, window_start_s: float) -> np.ndarray:
    """True for episodes that begin at a vessel's first report in the window, at the window's edge."""
    return np.asarray(at_vessel_start, dtype=bool) & (np.asarray(t_start) - window_start_s < WINDOW_EDGE_S)


def window_starts(ctx, t: np.ndarray) -> tuple[float, dict[int, float]]:
    """Where the window begins, in unix seconds (its first report when ``ctx.since`` is None), and where
    it begins earlier for the vessels of still-open episodes (see TrackContext.extended)."""
    def seconds(moment) -> float:
        return (pd.Timestamp(moment) - pd.Timestamp(EPOCH)).total_seconds()

    base = seconds(ctx.since) if ctx.since is not None else (float(t.min()) if len(t) else 0.0)
    return base, {vessel: seconds(moment) for vessel, moment in ctx.extended.items()}


def window_start_s(ctx, mmsi: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Per report: where the window begins for its vessel, in unix seconds."""
    base, earlier = window_starts(ctx, t)
    start = np.full(len(mmsi), base)
    for vessel, moment in earlier.items():
        start[mmsi == vessel] = moment
    return start


def as_datetime(value) -> datetime:
    """A pandas/numpy time or unix seconds → a naive ``datetime`` (what Event carries)."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return EPOCH + timedelta(seconds=round(float(value), 3))
    return pd.Timestamp(value).to_pydatetime()


def new_vessel(mmsi: np.ndarray) -> np.ndarray:
    """True on the first report of each vessel (input sorted by mmsi)."""
    first = np.ones(len(mmsi), dtype=bool)
    first[1:] = mmsi[1:] != mmsi[:-1]
    return first


def last_of_vessel(mmsi: np.ndarray) -> np.ndarray:
    """True on the last report of each vessel (input sorted by mmsi)."""
    last = np.ones(len(mmsi), dtype=bool)
    last[:-1] = mmsi[:-1] != mmsi[1:]
    return last


def runs(flag: np.ndarray, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """First and last row index of each run of consecutive True in ``flag``.

    A run also ends before a row whose ``breaks`` is True (a new vessel, a long silence).
    """
    flag = np.asarray(flag, dtype=bool)
    if not flag.any():
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    previous = np.concatenate(([False], flag[:-1]))
    starts = flag & (~previous | breaks)
    following_starts = np.concatenate((starts[1:], [True]))
    following_flag = np.concatenate((flag[1:], [False]))
    ends = flag & (~following_flag | following_starts)
    return np.nonzero(starts)[0], np.nonzero(ends)[0]


def join_runs(starts: np.ndarray, ends: np.ndarray, t: np.ndarray, breaks: np.ndarray,
              max_gap_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs (from :func:`runs`) less than ``max_gap_s`` apart, with no break between them, made one.

    Returns the joined runs' first and last rows, and for each given run the index of the joined
    run it is part of."""
    if len(starts) < 2:
        return starts, ends, np.zeros(len(starts), dtype=np.int64)
    block = np.cumsum(np.asarray(breaks, dtype=np.int64))
    joins = (t[starts[1:]] - t[ends[:-1]] < max_gap_s) & (block[starts[1:]] == block[ends[:-1]])
    keep_start = np.concatenate(([True], ~joins))
    keep_end = np.concatenate((~joins, [True]))
    return starts[keep_start], ends[keep_end], np.cumsum(keep_start) - 1


def step_speed_kn(lat: np.ndarray, lon: np.ndarray, t: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Speed implied by each report and the one before it (NaN on a vessel's first report)."""
    speed = np.full(len(lat), np.nan)
    if len(lat) > 1:
        d = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
        dt = t[1:] - t[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            speed[1:] = np.where(dt > 0, d / dt / KNOT_MS, np.nan)
    speed[first] = np.nan
    return speed


def speed_kn(frame: pd.DataFrame, t: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Reported speed over ground where available, else the speed implied by the last step."""
    sog = frame["sog"].to_numpy(dtype=float)
    reported = np.isfinite(sog) & (sog < SOG_UNAVAILABLE_KN)
    if reported.all():
        return sog
    implied = step_speed_kn(frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float), t, first)
    return np.where(reported, sog, implied)


def centred_mean(values: np.ndarray, mmsi: np.ndarray, t: np.ndarray, half_window_s: float) -> np.ndarray:
    """Per report, the mean of the finite ``values`` of the same vessel within ± ``half_window_s``.

    Vectorised with cumulative sums: rows are sorted by (mmsi, t), so a key of vessel
    rank and time is sorted too and the window bounds are two ``searchsorted`` calls.
    """
    if len(values) == 0:
        return np.empty(0)
    rank = np.cumsum(new_vessel(mmsi)) - 1
    span = (t.max() - t.min()) + 4 * half_window_s + 1.0
    key = rank * span + (t - t.min())
    lo = np.searchsorted(key, key - half_window_s, side="left")
    hi = np.searchsorted(key, key + half_window_s, side="right")
    ok = np.isfinite(values)
    sums = np.concatenate(([0.0], np.cumsum(np.where(ok, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(ok)))
    n = counts[hi] - counts[lo]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, (sums[hi] - sums[lo]) / n, np.nan)


def ship_types(ctx) -> pd.Series:
    """MMSI → AIS ship type: the latest identity, else the latest static report that gives one."""
    types = pd.Series(dtype="float64")
    statics = ctx.statics
    if statics is not None and not statics.empty and "ship_type" in statics:
        known = statics.dropna(subset=["ship_type"])
        if not known.empty:
            types = known.groupby("mmsi")["ship_type"].last().astype("float64")
    vessels = ctx.vessels
    if vessels is not None and not vessels.empty and "ship_type" in vessels:
        latest = vessels.dropna(subset=["ship_type"]).set_index("mmsi")["ship_type"].astype("float64")
        types = latest.combine_first(types)
    return types


def per_report(by_mmsi: pd.Series, mmsi: np.ndarray) -> np.ndarray:
    """A per-vessel value looked up for each report (NaN where unknown)."""
    if by_mmsi.empty:
        return np.full(len(mmsi), np.nan)
    return by_mmsi.reindex(mmsi).to_numpy(dtype=float)


def in_types(types: np.ndarray, codes) -> np.ndarray:
    return np.isin(np.nan_to_num(types, nan=-1.0), np.asarray(codes, dtype=float))


def rounded(value: Optional[float], digits: int = 1) -> Optional[float]:
    """A float for JSON evidence (None for NaN or None)."""
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), digits)
