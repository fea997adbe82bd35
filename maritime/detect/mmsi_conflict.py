"""mmsi_conflict: one MMSI heard from two places at once, two transmitters sharing a number.

Reports alternate between two tracks, each plausible on its own, so the vessel
seems to jump back and forth. A stretch of at least ``conflict_min_switches``
impossible steps (see :mod:`maritime.detect.spoofing`), none more than
``conflict_merge_minutes`` from the last, is split into two tracks by following
each fix to the track it could have come from; when both tracks have
``conflict_min_fixes`` fixes and almost every step along each is possible, the
episode is one event naming both tracks. The jumps it explains are left to the
runner to suppress.
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from maritime.detect.common import as_datetime, rounded
from maritime.detect.events import Event
from maritime.detect.spoofing import episode_ids, fix_evidence, fix_steps, jump_limit_evidence
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import KNOT_MS, haversine_m

MAX_IMPOSSIBLE_SHARE = 0.1  # of the steps within the two tracks; more means it is not two clean tracks


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    return float(haversine_m(lat1, lon1, lat2, lon2))


def split_tracks(t: np.ndarray, lat: np.ndarray, lon: np.ndarray, limit_kn: float,
                 min_distance_m: float) -> tuple[np.ndarray, int]:
    """Assign each fix to track 0 or 1: the track whose latest fix it could have sailed from.

    Track 0 holds the first fix; track 1 starts at the first fix neither could reach.
    Returns the labels and the number of fixes no track could have reached.
    """
    labels = np.zeros(len(t), dtype=np.int8)
    latest: list[Optional[int]] = [0, None]
    unreachable = 0
    for i in range(1, len(t)):
        options = []
        for track, j in enumerate(latest):
            if j is None:
                continue
            d = _distance_m(lat[j], lon[j], lat[i], lon[i])
            speed = d / max(t[i] - t[j], 1.0) / KNOT_MS
            options.append((d > min_distance_m and speed > limit_kn, d, track))
        impossible, _, track = min(options)
        if impossible and latest[1] is None:
            track = 1
        elif impossible:
            unreachable += 1
        labels[i] = track
        latest[track] = i
    return labels, unreachable


def _track_evidence(t, lat, lon) -> dict:
    return {"n_fixes": int(len(t)), "first": fix_evidence(t[0], lat[0], lon[0]),
            "last": fix_evidence(t[-1], lat[-1], lon[-1]),
            "median": {"lat": round(float(np.median(lat)), 5), "lon": round(float(np.median(lon)), 5)}}


def detect_mmsi_conflict(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    steps = fix_steps(ctx)
    jumps = steps[steps["impossible"]]
    if len(jumps) < s.conflict_min_switches:
        return []
    episode = pd.Series(episode_ids(jumps["mmsi"].to_numpy(), jumps["prev_t_s"].to_numpy(),
                                    jumps["t_s"].to_numpy(), s.conflict_merge_minutes * 60.0), index=jumps.index)
    sizes = episode.map(episode.value_counts())
    candidates = jumps[sizes >= s.conflict_min_switches]
    events = []
    for _, episode_jumps in candidates.groupby(episode[candidates.index], sort=False):
        mmsi = int(episode_jumps["mmsi"].iloc[0])
        first_row = episode_jumps.index[0] - 1  # the fix the first jump left from
        rows = steps.loc[first_row:episode_jumps.index[-1]]
        t, lat, lon = (rows[c].to_numpy(dtype=float) for c in ("t_s", "lat", "lon"))
        limit = float(episode_jumps["limit_kn"].iloc[0])
        labels, unreachable = split_tracks(t, lat, lon, limit, s.jump_min_distance_m)
        sizes_by_track = np.bincount(labels, minlength=2)
        switches = int(np.sum(labels[1:] != labels[:-1]))
        if (sizes_by_track.min() < s.conflict_min_fixes or switches < s.conflict_min_switches
                or unreachable > MAX_IMPOSSIBLE_SHARE * len(t)):
            continue
        a, b = labels == 0, labels == 1
        together_from, together_to = max(t[a][0], t[b][0]), min(t[a][-1], t[b][-1])
        switch_at = np.nonzero(labels[1:] != labels[:-1])[0] + 1
        newcomer = np.nonzero(b)[0][0]
        separation = [_distance_m(lat[i - 1], lon[i - 1], lat[i], lon[i]) for i in switch_at]
        first_jump = episode_jumps.iloc[0]
        events.append(Event(
            kind="mmsi_conflict", mmsi=mmsi, start=as_datetime(together_from), end=as_datetime(together_to),
            lat=float(lat[newcomer]), lon=float(lon[newcomer]), severity="critical",
            score=round(min(1.0, 0.5 + 0.05 * switches), 3), detector="mmsi_conflict",
            detected_at=as_datetime(t[switch_at[s.conflict_min_switches - 1]]),
            evidence={"tracks": [_track_evidence(t[a], lat[a], lon[a]), _track_evidence(t[b], lat[b], lon[b])],
                      "n_switches": switches, "median_separation_m": round(float(np.median(separation))),
                      "max_implied_speed_kn": rounded(float(episode_jumps["implied_speed_kn"].max())),
                      "conflict_min_switches": s.conflict_min_switches, "conflict_min_fixes": s.conflict_min_fixes,
                      "conflict_merge_minutes": s.conflict_merge_minutes,
                      **jump_limit_evidence(s, first_jump["ship_type"], first_jump["top_speed_kn"], limit)},
        ))
    return events
