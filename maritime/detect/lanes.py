"""The lanes that traffic of each broad type uses, learned from stored tracks.

A :class:`TrafficLanes` is fitted once on history (``fit`` returns self, learned
state ends in ``_``) and queried for any number of windows. Per type group and
per lane axis (four of 45°: a course and its reverse share one), the grid cells
through which at least ``min_vessels`` different vessels went under way along
that axis are lane cells (one ship going out and back again, a tanker repeating
a transfer trip, does not make a lane of its own).
:meth:`TrafficLanes.distance_m` says how far a position is from the nearest lane
cell of its group whose axis is within one of its course's, so that a ship
crossing a lane at a wide angle is not "on" it. A passage is one vessel's run of
moving reports between stops or silences.
The deviation threshold of a group is the ``percentile`` of that distance over
its training positions at sea on passages that keep to the lanes (with a floor
of ``min_distance_m``): what is "far" is learned, not guessed. Passages on a
route of their own are left out of it: route_deviation only judges a vessel that
leaves the line it was on, never a straight passage on a rare route, so how far
rare routes lie from the lanes says nothing about how far lane traffic strays
(measured on a simulated week: with them, the 99th percentile was 37 km).
"""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

from maritime.detect.common import epoch_s, new_vessel, per_report, speed_kn, valid_positions
from maritime.detect.coverage import segment_samples
from maritime.detect.grid import METRES_PER_DEG, Grid
from maritime.detect.places import away_from_ports
from maritime.geo.geodesy import initial_bearing_deg

# Broad type groups with lanes of their own (AIS type code ranges, ITU-R M.1371-5 Table 53).
# Fishing, service and pleasure craft go where their work is, off any lane.
# Passenger ships, cargo ships and tankers share the traffic separation schemes and the trade lanes;
# high-speed craft keep to their own lines.
TYPE_GROUPS: tuple[tuple[str, int, int], ...] = (("high_speed", 40, 49), ("merchant", 60, 89))
SECTORS = 8  # course sectors of 45°; a position is compared with lanes within one sector of its course
# ... either way: lanes have axes, not directions, and a route sailed one way more often than the other is still
# one lane (measured: with one-way sectors, rarely sailed directions put 5 % of a simulated week's merchant
# reports 14-150 km from "their" lane, and the 99th percentile threshold at 72 km)
AXES = SECTORS // 2
MOVING_MIN_SOG_KN = 3.0  # slower is manoeuvring, drifting or at anchor: not a lane
MAX_TRAINING_POINTS = 50_000  # per group, for the percentile (an even stride through the reports)
MAX_STEP_S = 30 * 60.0  # consecutive reports further apart than this are not joined into a line


def course_sector(frame: pd.DataFrame, first: np.ndarray) -> np.ndarray:
    """Course sector (0..SECTORS-1) per report: the reported course, else the bearing from the
    report before; -1 where neither is known."""
    course = frame["cog"].to_numpy(dtype=float).copy()
    course[course >= 360.0] = np.nan
    missing = np.nonzero(~np.isfinite(course) & ~first)[0]
    if len(missing):
        lat, lon = frame["lat"].to_numpy(dtype=float), frame["lon"].to_numpy(dtype=float)
        course[missing] = initial_bearing_deg(lat[missing - 1], lon[missing - 1], lat[missing], lon[missing])
    known = np.isfinite(course)
    return np.where(known, (np.nan_to_num(course) % 360.0 // (360.0 / SECTORS)).astype(np.int64), -1)


def lane_following(distance: np.ndarray, passage: np.ndarray, within_m: float) -> np.ndarray:
    """Which of these distances belong to passages that keep to the lanes (half their reports or more
    within ``within_m``): a passage on a route of its own is not traffic straying from a lane."""
    frame = pd.DataFrame({"passage": passage, "near": np.nan_to_num(distance, nan=np.inf) <= within_m})
    share = frame.groupby("passage")["near"].transform("mean").to_numpy()
    return (share >= 0.5) & np.isfinite(distance)


def type_group(types: np.ndarray) -> np.ndarray:
    """Index into :data:`TYPE_GROUPS` per ship type code, -1 for none."""
    codes = np.nan_to_num(np.asarray(types, dtype=float), nan=-1.0)
    group = np.full(codes.shape, -1, dtype=np.int64)
    for k, (_, low, high) in enumerate(TYPE_GROUPS):
        group[(codes >= low) & (codes <= high)] = k
    return group


class TrafficLanes:
    """Lane cells per type group and course sector, and how far from them is "off the lanes".

    ``fit(tracks, ship_types)`` learns ``distance_`` (per (group, sector) a raster of metres
    to the nearest lane cell; sector -1: any course), ``threshold_m_`` and ``vessels_`` per
    group, and ``hours_``, the span of the training data.
    """

    def __init__(self, cell_deg: float = 0.05, min_vessels: int = 2, percentile: float = 99.0,
                 min_distance_m: float = 5_000.0, min_port_distance_m: float = 15_000.0,
                 max_distance_m: float = 150_000.0):
        self.cell_deg = cell_deg
        self.min_vessels = min_vessels
        self.percentile = percentile
        self.min_distance_m = min_distance_m
        self.min_port_distance_m = min_port_distance_m
        self.max_distance_m = max_distance_m

    @classmethod
    def from_settings(cls, s) -> "TrafficLanes":
        return cls(s.lanes_cell_deg, s.lanes_min_vessels, s.route_deviation_percentile,
                   s.route_deviation_min_distance_m, s.route_deviation_min_port_distance_m)

    def fit(self, tracks: pd.DataFrame, ship_types: pd.Series) -> "TrafficLanes":
        """Learn lane cells and thresholds from ``tracks`` (TrackContext columns) and MMSI → ship type."""
        if not 0.0 < self.percentile <= 100.0 or self.cell_deg <= 0 or self.min_vessels < 1:
            raise ValueError("TrafficLanes needs 0 < percentile <= 100, cell_deg > 0 and min_vessels >= 1")
        self.grid_ = Grid(self.cell_deg)
        self.distance_: dict[tuple[int, int], np.ndarray] = {}  # (group, sector) → raster; sector -1: any course
        self.threshold_m_: dict[int, float] = {}
        self.vessels_: dict[int, int] = {}
        self.hours_ = 0.0
        v = valid_positions(tracks)
        if v.empty:
            return self
        mmsi = v["mmsi"].to_numpy()
        t = epoch_s(v["time"])
        self.hours_ = float(t.max() - t.min()) / 3600.0
        lat, lon = v["lat"].to_numpy(dtype=float), v["lon"].to_numpy(dtype=float)
        first = new_vessel(mmsi)
        group = type_group(per_report(ship_types, mmsi))
        sector = course_sector(v, first)
        moving = (np.nan_to_num(speed_kn(v, t, first)) > MOVING_MIN_SOG_KN) & (group >= 0) & (sector >= 0)

        # where each vessel went under way: its reports, and the line between reports close in time;
        # a passage is one vessel's run of such reports, ended by a stop or a silence (for the threshold)
        joined = np.nonzero(moving[:-1] & moving[1:] & ~first[1:] & (np.diff(t) <= MAX_STEP_S))[0]
        continues = np.zeros(len(t), dtype=bool)
        continues[joined + 1] = True
        passage = np.cumsum(moving & ~continues)
        owner, s_lat, s_lon, _ = segment_samples(lat[joined], lon[joined], lat[joined + 1], lon[joined + 1],
                                                 self.cell_deg * METRES_PER_DEG / 2.0)
        points = pd.DataFrame({
            "group": np.concatenate((group[moving], group[joined][owner])),
            "axis": np.concatenate((sector[moving], sector[joined + 1][owner])) % AXES,
            "mmsi": np.concatenate((mmsi[moving], mmsi[joined][owner])),
            "cell": self.grid_.cell(np.concatenate((lat[moving], s_lat)), np.concatenate((lon[moving], s_lon))),
        })
        points = points[points["cell"] >= 0].drop_duplicates()
        vessels = points.groupby(["group", "axis", "cell"]).size()
        lanes = vessels[vessels >= self.min_vessels].reset_index()
        for k in np.unique(lanes["group"]):
            raw = [self.grid_.distance_to(lanes.loc[(lanes["group"] == k) & (lanes["axis"] == axis), "cell"],
                                          self.max_distance_m) for axis in range(AXES)]
            for sector_k in range(SECTORS):
                self.distance_[(int(k), sector_k)] = np.minimum.reduce(
                    [raw[(sector_k + shift) % AXES] for shift in (-1, 0, 1)])
            self.distance_[(int(k), -1)] = np.minimum.reduce(raw)
            self.vessels_[int(k)] = len(np.unique(mmsi[moving & (group == k)]))
            rows = np.nonzero(moving & (group == k))[0]
            rows = rows[::max(1, len(rows) // MAX_TRAINING_POINTS)]
            rows = rows[away_from_ports(lat[rows], lon[rows], self.min_port_distance_m)]
            d, _ = self.distance_m(lat[rows], lon[rows], group_index=np.full(len(rows), k), sector=sector[rows])
            d = d[lane_following(d, passage[rows], self.min_distance_m)]
            learned = float(np.percentile(d, self.percentile)) if len(d) else 0.0
            self.threshold_m_[int(k)] = max(learned, self.min_distance_m)
        return self

    def distance_m(self, lat: np.ndarray, lon: np.ndarray, types: Optional[np.ndarray] = None, *,
                   group_index: Optional[np.ndarray] = None,
                   sector: Optional[np.ndarray] = None) -> tuple[np.ndarray, np.ndarray]:
        """Per position: metres to the nearest lane cell of its type group and course sector (``inf`` beyond
        ``max_distance_m``; any course where ``sector`` is -1 or not given), and the group's threshold.

        Both are NaN where the group has no lanes or the point is off the grid. Give ship ``types``
        or their ``group_index`` (see :func:`type_group`).
        """
        if not hasattr(self, "grid_"):
            raise RuntimeError("TrafficLanes is not fitted yet: call fit() first")
        lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
        group = type_group(types) if group_index is None else np.asarray(group_index)
        sector = np.full(len(lat), -1) if sector is None else np.asarray(sector)
        cells = self.grid_.cell(lat, lon)
        distance = np.full(len(lat), np.nan)
        threshold = np.full(len(lat), np.nan)
        for (k, sector_k), raster in self.distance_.items():
            here = (group == k) & (sector == sector_k) & (cells >= 0)
            distance[here] = raster[cells[here]]
            if k in self.threshold_m_:
                threshold[here] = self.threshold_m_[k]
        return distance, threshold

    def group_name(self, ship_type: Optional[float]) -> Optional[str]:
        k = int(type_group(np.array([np.nan if ship_type is None else ship_type]))[0])
        return TYPE_GROUPS[k][0] if k >= 0 else None
