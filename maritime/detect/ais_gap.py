"""ais_gap: a vessel under way falls silent where reception is good, away from ports and anchorages.

A gap is the time between two consecutive reports of a vessel (closed: it has
reappeared) or between its last report and the newest data time (open: raised
while the vessel is still silent). It counts when

- it lasts at least ``gap_min_h``;
- the vessel was under way at its last fix (speed over ground above
  ``gap_min_sog_kn``, or a navigational status "under way");
- that fix is not in a port or at a named anchorage (ships moored with AIS off);
- reception is good along the course the vessel was on: the mean reception ratio
  learned from other vessels (:mod:`maritime.detect.coverage`) along the line from
  the last fix to the reappearance, or along the dead-reckoned course for an open
  gap, is at least ``gap_min_reception_ratio`` (offshore reception holes are not),
  over the cells with traffic enough to judge, which must be at least
  ``gap_min_known_fraction`` of the course.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maritime.detect.common import (SOG_UNAVAILABLE_KN, UNDER_WAY_STATUSES, as_datetime, epoch_s, last_of_vessel,
                                    new_vessel, newest_s, rounded, step_speed_kn, valid_positions)
from maritime.detect.coverage import ReceptionMap, intervals, is_silence, learn_reception, segment_samples
from maritime.detect.events import Event
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import KNOT_MS, destination_point, haversine_m, initial_bearing_deg
from maritime.geo.ports import in_port_or_anchorage

KIND = "ais_gap"


def reception_map(ctx: TrackContext, tracks: pd.DataFrame) -> ReceptionMap:
    """Reception learned from the window's valid positions and the history before it, if any."""
    s = ctx.settings
    frames = [tracks]
    if ctx.history is not None and not ctx.history.empty:
        frames.insert(0, valid_positions(ctx.history))
    return learn_reception(frames, s.gap_coverage_cell_deg, s.gap_heard_max_interval_minutes * 60.0,
                           s.gap_coverage_min_h * 3600.0)


def _course_deg(cog: np.ndarray, lat: np.ndarray, lon: np.ndarray, first: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Reported course at the rows, else the bearing from the report before (NaN if neither)."""
    course = cog[rows].copy()
    missing = ~np.isfinite(course) & ~first[rows]
    if missing.any():
        r = rows[missing]
        course[missing] = initial_bearing_deg(lat[r - 1], lon[r - 1], lat[r], lon[r])
    return course


def _draughts(statics: pd.DataFrame, mmsi: np.ndarray, t: np.ndarray, direction: str) -> np.ndarray:
    """The draught in the static report nearest before (or after) each time, NaN if none."""
    out = np.full(len(mmsi), np.nan)
    if statics is None or statics.empty or len(mmsi) == 0:
        return out
    known = statics[statics["draught"].to_numpy(dtype=float) > 0]
    if known.empty:
        return out
    ref = pd.DataFrame({"mmsi": known["mmsi"].to_numpy(dtype=np.int64), "t": epoch_s(known["time"]),
                        "draught": known["draught"].to_numpy(dtype=float)}).sort_values("t")
    query = pd.DataFrame({"mmsi": np.asarray(mmsi, dtype=np.int64), "t": np.asarray(t, dtype=float),
                          "k": np.arange(len(mmsi))}).sort_values("t")
    merged = pd.merge_asof(query, ref, on="t", by="mmsi", direction=direction)
    out[merged["k"].to_numpy()] = merged["draught"].to_numpy(dtype=float)
    return out


def _severity(hours: float, s) -> str:
    if hours >= s.gap_critical_h:
        return "critical"
    return "warning" if hours >= s.gap_warning_h else "info"


def detect_ais_gap(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    tracks = valid_positions(ctx.tracks)
    if len(tracks) < 2:
        return []
    newest = newest_s(ctx)
    mmsi = tracks["mmsi"].to_numpy()
    t = epoch_s(tracks["time"])
    lat, lon = tracks["lat"].to_numpy(dtype=float), tracks["lon"].to_numpy(dtype=float)
    sog, cog = tracks["sog"].to_numpy(dtype=float), tracks["cog"].to_numpy(dtype=float)
    status = tracks["nav_status"].to_numpy(dtype=float)
    first = new_vessel(mmsi)
    min_gap_s = s.gap_min_h * 3600.0

    # candidate silences: between two reports, or from a vessel's last report to the newest data time
    pairs = intervals(tracks)
    long_pairs = pairs.dt_s >= min_gap_s
    closed = pairs.first[long_pairs]
    last = np.nonzero(last_of_vessel(mmsi))[0]
    still = last[newest - t[last] >= min_gap_s]
    rows = np.concatenate((closed, still))
    is_open = np.concatenate((np.zeros(len(closed), bool), np.ones(len(still), bool)))
    pair_dt = np.concatenate((pairs.dt_s[long_pairs], newest - t[still]))
    pair_speed = np.concatenate((pairs.speed_kn[long_pairs], np.full(len(still), np.nan)))

    reported = np.isfinite(sog[rows]) & (sog[rows] < SOG_UNAVAILABLE_KN)
    speed_before = np.where(reported, sog[rows], step_speed_kn(lat, lon, t, first)[rows])
    under_way = (np.nan_to_num(speed_before) > s.gap_min_sog_kn) | np.isin(status[rows], UNDER_WAY_STATUSES)
    keep = under_way & ~np.asarray(in_port_or_anchorage(lat[rows], lon[rows]), dtype=bool)
    rows, is_open, pair_dt, pair_speed, speed_before = (a[keep] for a in (rows, is_open, pair_dt, pair_speed,
                                                                         speed_before))
    if len(rows) == 0:
        return []

    # the course to check: to the reappearance, or dead-reckoned over the first gap_min_h of an open gap
    end_lat = np.where(is_open, lat[rows], lat[np.minimum(rows + 1, len(lat) - 1)])
    end_lon = np.where(is_open, lon[rows], lon[np.minimum(rows + 1, len(lon) - 1)])
    if is_open.any():
        o = np.nonzero(is_open)[0]
        course = _course_deg(cog, lat, lon, first, rows[o])
        run_m = np.nan_to_num(speed_before[o]) * KNOT_MS * np.minimum(pair_dt[o], min_gap_s)
        has_course = np.isfinite(course)
        d_lat, d_lon = destination_point(lat[rows[o]], lon[rows[o]], np.nan_to_num(course), run_m)
        end_lat[o] = np.where(has_course, d_lat, lat[rows[o]])
        end_lon[o] = np.where(has_course, d_lon, lon[rows[o]])

    coverage = reception_map(ctx, tracks)
    owner, s_lat, s_lon, share = segment_samples(lat[rows], lon[rows], end_lat, end_lon, coverage.step_m)
    in_map = ~is_open & is_silence(pair_dt, pair_speed, coverage.max_interval_s)
    own = np.where(in_map[owner], pair_dt[owner] * share, 0.0)
    ratio = coverage.ratio(owner, s_lat, s_lon, own)
    known = np.isfinite(ratio)
    samples = np.bincount(owner, minlength=len(rows))
    judged = np.bincount(owner, weights=known, minlength=len(rows))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_ratio = np.bincount(owner, weights=np.where(known, ratio, 0.0), minlength=len(rows)) / judged
    good = (judged >= s.gap_min_known_fraction * samples) & (mean_ratio >= s.gap_min_reception_ratio)
    if not good.any():
        return []

    rows, is_open, pair_dt, speed_before, mean_ratio, end_lat, end_lon, judged, samples = (
        a[good] for a in (rows, is_open, pair_dt, speed_before, mean_ratio, end_lat, end_lon, judged, samples))
    after = np.minimum(rows + 1, len(t) - 1)
    draught_before = _draughts(ctx.statics, mmsi[rows], t[rows], "backward")
    draught_after = _draughts(ctx.statics, mmsi[rows], t[after], "forward")
    distance = haversine_m(lat[rows], lon[rows], lat[after], lon[after])
    times = tracks["time"]
    thresholds = {"gap_min_h": s.gap_min_h, "gap_min_sog_kn": s.gap_min_sog_kn,
                  "gap_min_reception_ratio": s.gap_min_reception_ratio,
                  "gap_min_known_fraction": s.gap_min_known_fraction,
                  "gap_heard_max_interval_minutes": s.gap_heard_max_interval_minutes}
    events = []
    for k, r in enumerate(rows):
        hours = float(pair_dt[k]) / 3600.0
        start = as_datetime(times.iloc[r])
        evidence = {
            "gap_h": round(float(hours), 2),
            "last_fix": {"time": start.isoformat(), "lat": round(float(lat[r]), 5), "lon": round(float(lon[r]), 5)},
            "speed_before_kn": rounded(speed_before[k]),  # reported SOG, else implied by the last step
            "nav_status_before": None if not np.isfinite(status[r]) else int(status[r]),
            "reception_ratio": round(float(mean_ratio[k]), 3),
            "course_judged_fraction": round(float(judged[k] / samples[k]), 2),
            "draught_before_m": rounded(draught_before[k]),
            "thresholds": thresholds,
        }
        if is_open[k]:
            end = None
            evidence["reappeared"] = None
            evidence["course_checked_to"] = {"lat": round(float(end_lat[k]), 5), "lon": round(float(end_lon[k]), 5)}
        else:
            a = after[k]
            end = as_datetime(times.iloc[a])
            evidence["reappeared"] = {"time": end.isoformat(), "lat": round(float(lat[a]), 5),
                                      "lon": round(float(lon[a]), 5)}
            evidence["distance_m"] = round(float(distance[k]))
            evidence["implied_speed_kn"] = rounded(distance[k] / pair_dt[k] / KNOT_MS)
            evidence["draught_after_m"] = rounded(draught_after[k])
        events.append(Event(
            kind=KIND, mmsi=int(mmsi[r]), start=start, end=end, lat=float(lat[r]), lon=float(lon[r]),
            severity=_severity(hours, s), score=round(float(mean_ratio[k]) * min(1.0, hours / s.gap_critical_h), 3),
            detector=KIND, evidence=evidence, detected_at=as_datetime(t[r] + min_gap_s)))
    return events
