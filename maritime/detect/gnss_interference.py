"""gnss_interference: many vessels displaced to one place at once — an area event, not many jumps.

A GNSS spoofer near the coast shows every receiver in range at the same false
place (24+ ships reported at Gelendzhik airport in June 2017; C4ADS, "Above Us Only
Stars", 2019) or on the same circle. Each displaced vessel leaves a *mark*: the fix
an impossible step arrives at (:mod:`maritime.detect.spoofing`), or the centre of a
circle it traced (:mod:`maritime.detect.circle_spoofing`); a jump home (back to where
the vessel could be had it not been displaced) leaves none. Marks within
``gnss_cluster_radius_m`` of each other (east-west and north-south) are linked when
the vessels were shown there at once or appeared within ``gnss_window_minutes`` of
each other; chains of links make an episode, and an episode marking at least
``gnss_min_vessels`` vessels is one event with ``mmsi`` None and the vessels in
``evidence.mmsis``. The runner then suppresses their per-vessel jumps, on_land and
circle events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maritime.detect.circle_spoofing import find_circles
from maritime.detect.common import as_datetime, new_vessel, runs
from maritime.detect.events import Event
from maritime.detect.spoofing import fix_evidence, fix_steps, place_name
from maritime.detect.tracks import TrackContext
from maritime.geo.geodesy import EARTH_RADIUS_M, KNOT_MS, haversine_m

REFERENCE_LAT = 43.5  # mid Black Sea: east-west metres within 6 % of true from 41°N to 47°N
CHUNK = 500  # marks compared at once with those within the time window
EVIDENCE_VESSELS = 60


def _returns(jumps: pd.DataFrame, min_distance_m: float) -> np.ndarray:
    """Jumps home: back to where the vessel could be by now had the jump before (out) never happened."""
    mmsi = jumps["mmsi"].to_numpy()
    after_jump = np.concatenate(([False], mmsi[1:] == mmsi[:-1]))
    left_lat, left_lon, left_t = (np.concatenate(([np.nan], jumps[c].to_numpy()[:-1]))
                                  for c in ("prev_lat", "prev_lon", "prev_t_s"))
    reach = jumps["top_speed_kn"].to_numpy() * KNOT_MS * (jumps["t_s"].to_numpy() - left_t) + min_distance_m
    home = haversine_m(jumps["lat"].to_numpy(), jumps["lon"].to_numpy(), left_lat, left_lon)
    could_be_home = after_jump & (np.nan_to_num(home, nan=np.inf) <= reach)
    # a jump home follows a jump out, so in a row of such jumps (a flickering pair) every other one is home
    starts, ends = runs(could_be_home, ~after_jump)
    home_jump = np.zeros(len(jumps), dtype=bool)
    for a, b in zip(starts, ends):
        home_jump[a:b + 1:2] = True
    return home_jump


def _shown_until(steps: pd.DataFrame, is_mark: np.ndarray, radius_m: float) -> np.ndarray:
    """For each marked fix, the time of the last fix after it still shown near it (within ``radius_m``)."""
    index = np.arange(len(steps))
    latest = np.maximum.accumulate(np.where(is_mark, index, -1))
    mmsi = steps["mmsi"].to_numpy()
    lat, lon = steps["lat"].to_numpy(), steps["lon"].to_numpy()
    anchor = np.maximum(latest, 0)
    near = (latest >= 0) & (mmsi[anchor] == mmsi) & (haversine_m(lat, lon, lat[anchor], lon[anchor]) <= radius_m)
    starts, ends = runs(near, is_mark | new_vessel(mmsi))
    until = dict(zip(starts, steps["t_s"].to_numpy()[ends]))
    return np.array([until[i] for i in np.nonzero(is_mark)[0]])


def _marks(ctx: TrackContext) -> pd.DataFrame:
    """Where displaced vessels were shown: mmsi, t_s, lat, lon, until_s, from_lat, from_lon, sign."""
    s = ctx.settings
    steps = fix_steps(ctx)
    jumps = steps[steps["impossible"]]
    is_mark = np.zeros(len(steps), dtype=bool)
    is_mark[jumps.index[~_returns(jumps, s.jump_min_distance_m)]] = True
    arrivals = steps[is_mark]
    # same-place spoofing holds the false fix with metres of noise; a spoofed circle runs round it
    until = _shown_until(steps, is_mark, 2 * s.gnss_cluster_radius_m)
    marks = pd.DataFrame({"mmsi": arrivals["mmsi"].to_numpy(), "t_s": arrivals["t_s"].to_numpy(),
                          "lat": arrivals["lat"].to_numpy(), "lon": arrivals["lon"].to_numpy(), "until_s": until,
                          "from_lat": arrivals["prev_lat"].to_numpy(), "from_lon": arrivals["prev_lon"].to_numpy(),
                          "sign": "jump"})
    circles = [c for c in find_circles(ctx) if c.sign == "circle"]
    if circles:
        marks = pd.concat([marks, pd.DataFrame({
            "mmsi": [c.mmsi for c in circles], "t_s": [c.start_s for c in circles], "lat": [c.lat for c in circles],
            "lon": [c.lon for c in circles], "until_s": [c.end_s for c in circles], "from_lat": np.nan,
            "from_lon": np.nan, "sign": "circle"})], ignore_index=True)
    return marks


def linked_groups(x: np.ndarray, y: np.ndarray, t0: np.ndarray, t1: np.ndarray, radius: float,
                  window: float) -> np.ndarray:
    """Connected components of marks linked when |dx|, |dy| <= radius and they were shown at
    once (their [t0, t1] overlap) or appeared within ``window``. A group label per mark, in input order."""
    order = np.argsort(t0, kind="stable")
    x, y, t0, t1 = x[order], y[order], t0[order], t1[order]
    n = len(x)
    pairs_a, pairs_b = [], []
    for lo in range(0, n, CHUNK):
        hi = min(lo + CHUNK, n)
        # sorted by start: marks starting after this chunk's last end and window cannot link to it
        c1 = np.searchsorted(t0, max(t1[lo:hi].max(), t0[hi - 1] + window), side="right")
        at_once = (t0[lo:hi, None] <= t1[None, :c1]) & (t0[None, :c1] <= t1[lo:hi, None])
        near = ((at_once | (np.abs(t0[lo:hi, None] - t0[None, :c1]) <= window))
                & (np.abs(x[lo:hi, None] - x[None, :c1]) <= radius)
                & (np.abs(y[lo:hi, None] - y[None, :c1]) <= radius))
        a, b = np.nonzero(near)
        pairs_a.append(a + lo)
        pairs_b.append(b)
    a, b = np.concatenate(pairs_a), np.concatenate(pairs_b)
    labels = np.arange(n)
    while True:  # min-label propagation with pointer jumping
        new = labels.copy()
        np.minimum.at(new, a, labels[b])
        new = new[new]
        if np.array_equal(new, labels):
            break
        labels = new
    grouped = np.empty(n, dtype=np.int64)
    grouped[order] = labels
    return grouped


def detect_gnss_interference(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    marks = _marks(ctx)
    if marks["mmsi"].nunique() < s.gnss_min_vessels:
        return []
    k = np.pi / 180.0 * EARTH_RADIUS_M
    x = marks["lon"].to_numpy() * k * np.cos(np.radians(REFERENCE_LAT))
    y = marks["lat"].to_numpy() * k
    marks["group"] = linked_groups(x, y, marks["t_s"].to_numpy(), marks["until_s"].to_numpy(),
                                   s.gnss_cluster_radius_m, s.gnss_window_minutes * 60.0)
    events = []
    for _, group in marks.groupby("group"):
        if group["mmsi"].nunique() < s.gnss_min_vessels:
            continue
        group = group.sort_values("t_s")
        first_marks = group.drop_duplicates("mmsi")
        lat, lon = float(group["lat"].median()), float(group["lon"].median())
        mmsis = sorted(int(m) for m in first_marks["mmsi"])
        displaced = [{"mmsi": int(m.mmsi), "shown": fix_evidence(m.t_s, m.lat, m.lon), "sign": m.sign,
                      "from": None if not np.isfinite(m.from_lat) else
                      {"lat": round(float(m.from_lat), 5), "lon": round(float(m.from_lon), 5)}}
                     for m in first_marks.head(EVIDENCE_VESSELS).itertuples()]
        events.append(Event(
            kind="gnss_interference", mmsi=None, start=as_datetime(group["t_s"].min()),
            end=as_datetime(group["until_s"].max()), lat=lat, lon=lon, severity="critical",
            score=round(min(1.0, len(mmsis) / (2.0 * s.gnss_min_vessels)), 3), detector="gnss_interference",
            detected_at=as_datetime(first_marks["t_s"].iloc[s.gnss_min_vessels - 1]),
            evidence={"mmsis": mmsis, "n_vessels": len(mmsis), "place": place_name(lat, lon),
                      "n_jumps": int((group["sign"] == "jump").sum()),
                      "n_circles": int((group["sign"] == "circle").sum()), "displaced": displaced,
                      "gnss_min_vessels": s.gnss_min_vessels, "gnss_cluster_radius_m": s.gnss_cluster_radius_m,
                      "gnss_window_minutes": s.gnss_window_minutes},
        ))
    return events
