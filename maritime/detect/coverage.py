"""Where AIS reception is good, learned from the reports themselves.

Every interval between two consecutive reports of a vessel is either *heard*
(short: the vessel was received as it went) or *silent* (longer than
``max_interval_s``). Heard time is credited to the cell of the report that
opens the interval; silent time is spread along the straight line between the
two reports. A cell's reception ratio is heard / (heard + silent), pooled over
its 3 × 3 neighbourhood so that a cell crossed by a few ships still has evidence.

In an offshore reception hole every ship falls silent, so the ratio there is
near 0; on a lane where one ship went dark among many that were heard it stays
near 1. Cells with too little traffic to tell are "unknown" (NaN).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from maritime.detect.common import epoch_s, new_vessel
from maritime.detect.grid import METRES_PER_DEG, Grid
from maritime.geo.geodesy import KNOT_MS, haversine_m

MAX_SILENCE_SPEED_KN = 50.0  # a "silence" faster than any ship is a position error, not a crossing
MAX_SILENCE_S = 48 * 3600.0  # longer silences (laid up, out of the area) say nothing about a place


def segment_samples(lat0: np.ndarray, lon0: np.ndarray, lat1: np.ndarray, lon1: np.ndarray,
                    step_m: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points every ``step_m`` or less along each segment, at the middles of equal pieces.

    Returns (segment index, lat, lon, share) where ``share`` is 1/pieces of the segment.
    """
    lat0, lon0, lat1, lon1 = (np.asarray(a, dtype=float) for a in (lat0, lon0, lat1, lon1))
    length = haversine_m(lat0, lon0, lat1, lon1) if len(lat0) else np.empty(0)
    pieces = np.maximum(1, np.ceil(np.asarray(length) / step_m)).astype(np.int64)
    owner = np.repeat(np.arange(len(lat0)), pieces)
    first = np.repeat(np.cumsum(pieces) - pieces, pieces)
    frac = (np.arange(len(owner)) - first + 0.5) / pieces[owner]
    lat = lat0[owner] + (lat1[owner] - lat0[owner]) * frac
    lon = lon0[owner] + (lon1[owner] - lon0[owner]) * frac
    return owner, lat, lon, 1.0 / pieces[owner]


@dataclass
class Intervals:
    """Consecutive report pairs of a track frame: row of the first report, duration, implied speed."""

    first: np.ndarray
    dt_s: np.ndarray
    speed_kn: np.ndarray


def intervals(frame: pd.DataFrame) -> Intervals:
    """Pairs (i, i+1) of the same vessel in a frame of valid positions sorted by (mmsi, time)."""
    n = len(frame)
    if n < 2:
        empty = np.empty(0)
        return Intervals(np.empty(0, dtype=np.int64), empty, empty)
    mmsi = frame["mmsi"].to_numpy()
    t = epoch_s(frame["time"])
    lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
    same = ~new_vessel(mmsi)[1:]
    first = np.nonzero(same)[0]
    dt = t[first + 1] - t[first]
    d = haversine_m(lat[first], lon[first], lat[first + 1], lon[first + 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        speed = np.where(dt > 0, d / dt / KNOT_MS, np.inf)
    return Intervals(first, dt, speed)


def is_silence(dt_s: np.ndarray, speed_kn: np.ndarray, max_interval_s: float) -> np.ndarray:
    return (dt_s > max_interval_s) & (dt_s <= MAX_SILENCE_S) & (speed_kn <= MAX_SILENCE_SPEED_KN)


def _pool(values: np.ndarray, grid: Grid) -> np.ndarray:
    """Sum over each cell's 3 × 3 neighbourhood."""
    a = values.reshape(grid.shape)
    padded = np.pad(a, 1)
    pooled = sum(padded[1 + di:1 + di + a.shape[0], 1 + dj:1 + dj + a.shape[1]]
                 for di in (-1, 0, 1) for dj in (-1, 0, 1))
    return pooled.ravel()


@dataclass
class ReceptionMap:
    grid: Grid
    heard_s: np.ndarray  # per cell, pooled over the neighbourhood
    silent_s: np.ndarray
    max_interval_s: float
    min_known_s: float

    @property
    def step_m(self) -> float:
        return self.grid.cell_deg * METRES_PER_DEG / 2.0

    def ratio(self, owner: np.ndarray, lat: np.ndarray, lon: np.ndarray, own_silent_s: np.ndarray) -> np.ndarray:
        """Per sample point, the reception ratio of its cell with the owner's own silence taken out
        (NaN where the cell is off the grid or has too little traffic to tell).

        ``own_silent_s`` is the silent time each sample itself put into the map (0 for
        points that were not part of it, e.g. a dead-reckoned course).
        """
        cells = self.grid.cell(lat, lon)
        ratio = np.full(len(cells), np.nan)
        on_grid = cells >= 0
        if not on_grid.any():
            return ratio
        # the owner's own silence, pooled like the map: each sample counts in the 3 × 3 cells around it
        around = self.grid.neighbourhood(cells[on_grid])
        contrib = pd.DataFrame({"owner": np.repeat(owner[on_grid], around.shape[1]), "cell": around.ravel(),
                                "w": np.repeat(own_silent_s[on_grid], around.shape[1])})
        own = contrib[contrib["cell"] >= 0].groupby(["owner", "cell"])["w"].sum()
        own_here = own.reindex(pd.MultiIndex.from_arrays([owner[on_grid], cells[on_grid]])).fillna(0.0).to_numpy()
        heard = self.heard_s[cells[on_grid]]
        silent = np.maximum(self.silent_s[cells[on_grid]] - own_here, 0.0)
        known = heard + silent >= self.min_known_s
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio[on_grid] = np.where(known, heard / (heard + silent), np.nan)
        return ratio


def learn_reception(frames: list[pd.DataFrame], cell_deg: float, max_interval_s: float,
                    min_known_s: float) -> ReceptionMap:
    """The reception map of the given frames of valid positions (each sorted by mmsi, time)."""
    grid = Grid(cell_deg)
    heard = np.zeros(grid.size)
    silent = np.zeros(grid.size)
    step_m = cell_deg * METRES_PER_DEG / 2.0
    for frame in frames:
        if len(frame) < 2:
            continue
        pairs = intervals(frame)
        lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
        quiet = is_silence(pairs.dt_s, pairs.speed_kn, max_interval_s)
        short = pairs.dt_s <= max_interval_s
        first = pairs.first[short]
        cells = grid.cell(lat[first], lon[first])
        ok = cells >= 0
        heard += np.bincount(cells[ok], weights=pairs.dt_s[short][ok], minlength=grid.size)
        a = pairs.first[quiet]
        owner, s_lat, s_lon, share = segment_samples(lat[a], lon[a], lat[a + 1], lon[a + 1], step_m)
        cells = grid.cell(s_lat, s_lon)
        ok = cells >= 0
        silent += np.bincount(cells[ok], weights=(pairs.dt_s[quiet][owner] * share)[ok], minlength=grid.size)
    return ReceptionMap(grid, _pool(heard, grid), _pool(silent, grid), max_interval_s, min_known_s)
