"""speed_anomaly: a reported speed over ground the vessel cannot be making.

Two signs, one event per stretch of a vessel:

*over the envelope*: SOG above the top speed of the vessel's type
(:mod:`maritime.detect.vessel_types`) on at least ``speed_min_reports``
consecutive reports that carry a SOG;

*disagreeing with the track*: the mean SOG reported over a stretch of track differs
from the speed the fixes imply by more than ``speed_implied_diff_kn``, for at least
``speed_min_reports`` reports and ``speed_implied_min_minutes``. The implied speed is
taken over at least ``speed_implied_baseline_s`` of track (one-second time stamps
make shorter steps too coarse) and at most ``speed_implied_max_span_s`` (over longer
spans the straight line cuts corners).

A SOG of 102.3 ("not available") is stored as NULL: it is neither fast nor slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

import numpy as np
import pandas as pd

from maritime.detect.common import (as_datetime, epoch_s, new_vessel, per_report, rounded, runs, ship_types,
                                    valid_positions)
from maritime.detect.events import Event
from maritime.detect.spoofing import episode_ids, fix_evidence, step_kinematics
from maritime.detect.tracks import TrackContext
from maritime.detect.vessel_types import top_speed_kn, type_name
from maritime.geo.geodesy import KNOT_MS


@dataclass(frozen=True)
class Stretch:
    """One sign on one vessel; times are unix seconds."""

    mmsi: int
    start_s: float
    end_s: float
    detected_s: float
    lat: float
    lon: float
    sign: str  # "over_envelope" | "disagrees_with_track"
    score: float
    evidence: dict


def _over_envelope(ctx: TrackContext) -> list[Stretch]:
    s = ctx.settings
    reports = ctx.tracks[ctx.tracks["sog"].notna()].reset_index(drop=True)
    if reports.empty:
        return []
    mmsi, t = reports["mmsi"].to_numpy(), epoch_s(reports["time"])
    sog = reports["sog"].to_numpy(dtype=float)
    ship_type = per_report(ship_types(ctx), mmsi)
    envelope = top_speed_kn(ship_type)
    starts, ends = runs(sog > envelope, new_vessel(mmsi))
    sustained = ends - starts + 1 >= s.speed_min_reports
    lat, lon = reports["lat"].to_numpy(dtype=float), reports["lon"].to_numpy(dtype=float)
    found = []
    for a, b in zip(starts[sustained], ends[sustained]):
        top = float(np.max(sog[a:b + 1]))
        found.append(Stretch(
            int(mmsi[a]), float(t[a]), float(t[b]), float(t[a + s.speed_min_reports - 1]),
            float(lat[a]), float(lon[a]), "over_envelope", 1.0 - envelope[a] / top,
            {"n_reports": int(b - a + 1), "max_sog_kn": rounded(top), "median_sog_kn": rounded(np.median(sog[a:b + 1])),
             "ship_type": None if not np.isfinite(ship_type[a]) else int(ship_type[a]),
             "type": type_name(ship_type[a]), "type_top_speed_kn": float(envelope[a]),
             "first": fix_evidence(t[a], lat[a], lon[a]), "last": fix_evidence(t[b], lat[b], lon[b])},
        ))
    return found


def _disagreeing(ctx: TrackContext) -> list[Stretch]:
    s = ctx.settings
    fixes = valid_positions(ctx.tracks)
    if len(fixes) < 2:
        return []
    mmsi, t = fixes["mmsi"].to_numpy(), epoch_s(fixes["time"])
    lat, lon = fixes["lat"].to_numpy(dtype=float), fixes["lon"].to_numpy(dtype=float)
    sog = fixes["sog"].to_numpy(dtype=float)
    first = new_vessel(mmsi)
    distance, _, _ = step_kinematics(t, lat, lon, first)
    travelled = np.cumsum(np.nan_to_num(distance))
    has_sog = np.isfinite(sog)
    sog_sum = np.concatenate(([0.0], np.cumsum(np.where(has_sog, sog, 0.0))))
    sog_count = np.concatenate(([0], np.cumsum(has_sog)))
    # for each fix, the latest fix of the same vessel at least a baseline earlier (a sorted key finds it)
    rank = np.cumsum(first) - 1
    key = rank * (t.max() - t.min() + 10 * s.speed_implied_max_span_s) + (t - t.min())
    back = np.searchsorted(key, key - s.speed_implied_baseline_s, side="right") - 1
    back = np.maximum(back, 0)
    span = t - t[back]
    usable = (rank[back] == rank) & (span >= s.speed_implied_baseline_s) & (span <= s.speed_implied_max_span_s)
    implied = np.where(usable, (travelled - travelled[back]) / np.maximum(span, 1.0) / KNOT_MS, np.nan)
    n_sog = sog_count[1:] - sog_count[back + 1]
    with np.errstate(invalid="ignore", divide="ignore"):
        reported = np.where(n_sog > 0, (sog_sum[1:] - sog_sum[back + 1]) / n_sog, np.nan)
    diff = np.abs(reported - implied)
    starts, ends = runs(usable & (diff > s.speed_implied_diff_kn), first)
    sustained = (ends - starts + 1 >= s.speed_min_reports) & (t[ends] - t[starts] >= s.speed_implied_min_minutes * 60)
    found = []
    for a, b in zip(starts[sustained], ends[sustained]):
        lasted = np.nonzero((t[a:b + 1] - t[a] >= s.speed_implied_min_minutes * 60)
                            & (np.arange(b - a + 1) >= s.speed_min_reports - 1))[0][0]
        median_diff = float(np.median(diff[a:b + 1]))
        found.append(Stretch(
            int(mmsi[a]), float(t[back[a]]), float(t[b]), float(t[a + lasted]), float(lat[a]), float(lon[a]),
            "disagrees_with_track", min(1.0, median_diff / (3.0 * s.speed_implied_diff_kn)),
            {"n_reports": int(b - a + 1), "median_diff_kn": rounded(median_diff),
             "median_reported_sog_kn": rounded(np.nanmedian(reported[a:b + 1])),
             "median_implied_speed_kn": rounded(np.nanmedian(implied[a:b + 1])),
             "first": fix_evidence(t[a], lat[a], lon[a]), "last": fix_evidence(t[b], lat[b], lon[b])},
        ))
    return found


def detect_speed_anomaly(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    stretches = sorted(_over_envelope(ctx) + _disagreeing(ctx), key=lambda x: (x.mmsi, x.start_s))
    if not stretches:
        return []
    frame = pd.DataFrame({"mmsi": [x.mmsi for x in stretches], "start": [x.start_s for x in stretches],
                          "end": [x.end_s for x in stretches]})
    episode = episode_ids(frame["mmsi"].to_numpy(), frame["start"].to_numpy(), frame["end"].to_numpy(), 0.0)
    thresholds = {"speed_min_reports": s.speed_min_reports, "speed_implied_diff_kn": s.speed_implied_diff_kn,
                  "speed_implied_baseline_s": s.speed_implied_baseline_s,
                  "speed_implied_min_minutes": s.speed_implied_min_minutes}
    events = []
    for _, members in groupby(zip(episode, stretches), key=lambda pair: pair[0]):
        group = [x for _, x in members]
        lead = min(group, key=lambda x: x.detected_s)
        score = max(x.score for x in group)
        events.append(Event(
            kind="speed_anomaly", mmsi=lead.mmsi, start=as_datetime(min(x.start_s for x in group)),
            end=as_datetime(max(x.end_s for x in group)), lat=lead.lat, lon=lead.lon,
            severity="critical" if len({x.sign for x in group}) == 2 else "warning",
            score=round(float(np.clip(score, 0.0, 1.0)), 3), detector="speed_anomaly",
            detected_at=as_datetime(lead.detected_s),
            evidence={"signs": sorted({x.sign for x in group}), **{x.sign: x.evidence for x in group}, **thresholds},
        ))
    return events
