"""Behaviour features per vessel and time window, from stored tracks: one function for training and scoring.

:func:`window_features` turns a tracks frame (``mmsi, time, lat, lon, sog, cog,
heading, nav_status, msg_type``; NaN = unavailable, sorted or not) and the vessels'
types into one row per (vessel, window) with the columns in :data:`FEATURE_COLUMNS`:
speed and turn statistics, stops, reporting regularity and gaps, distance from ports,
from the lanes that traffic of the same type uses (:class:`LaneGrid`, learned from
history and stored with each model) and from the nearest other vessel.

Everything is vectorised: kinematics per report, geography and proximity per vessel
and 10-minute slot, then grouped per window. Feature values are always finite; where a
quantity cannot be measured the column's neutral value in :data:`FEATURE_DEFAULTS` is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from maritime.geo.geodesy import KNOT_MS, haversine_m
from maritime.geo.ports import distance_to_port_or_anchorage_m, in_fishing_ground, in_port_or_anchorage

WINDOW_MINUTES = 60  # one vessel-hour per window: false alarms are counted per 1,000 vessel-hours
SLOT_MINUTES = 10  # geography and proximity are sampled once per vessel and slot
LANE_CELL_DEG = 0.1  # ~11 km x 8 km: tolerant of lanes a few km wide (simulated detours: 25-50 km off)
LANE_MIN_VESSELS = 3  # a cell is a lane when this many distinct vessels of the group crossed it
LANE_MIN_GROUP_VESSELS = 20  # a type group with fewer vessels in history is measured against every type's lanes
LANE_DISTANCE_CAP_KM = 200.0
NEAR_VESSEL_CAP_KM = 50.0
CLOSE_KM = 1.0  # twice the rendezvous rule's 500 m, so the model sees approaches too
SLOW_KN = 2.0  # GFW loitering and encounter speed limit
STOPPED_KN = 0.5
GAP_S = 600.0  # an interval between reports longer than this is a gap (10 min; class A reports every 2-10 s)
INTERVAL_CAP_S = 6 * 3600.0
HOURS_SINCE_PORT_CAP = 12.0  # below detection's 14 h lookback, so scoring sees the same values as training
MIN_IMPLIED_DT_S = 10.0
MAX_IMPLIED_KN = 60.0
HEADING_MIN_SOG_KN = 2.0  # heading and course only agree when the ship makes way
ANCHORED_STATUSES = (1.0, 5.0)  # at anchor, moored
CLASS_B_TYPES = (18.0, 19.0)

# Equirectangular projection about the middle of the Black Sea, for nearest-neighbour queries in km.
_REF_LAT = 43.5
_KM_PER_DEG_LAT = 110.57
_KM_PER_DEG_LON = 111.32 * np.cos(np.radians(_REF_LAT))

TYPE_GROUPS = ("cargo", "tanker", "passenger", "fishing", "service", "pleasure", "other")

FEATURE_DEFAULTS: dict[str, float] = {
    "n_reports": 0.0,
    "span_min": 0.0,
    "interval_median_s": 0.0,
    "interval_max_s": 0.0,
    "interval_cv": 0.0,
    "gap_count": 0.0,
    "position_unavailable_frac": 0.0,
    "sog_mean_kn": 0.0,
    "sog_std_kn": 0.0,
    "sog_max_kn": 0.0,
    "slow_frac": 0.0,
    "stopped_frac": 0.0,
    "stop_count": 0.0,
    "implied_speed_kn": 0.0,
    "speed_mismatch_kn": 0.0,
    "turn_mean_deg": 0.0,
    "turn_max_deg": 0.0,
    "heading_cog_diff_deg": 0.0,
    "path_km": 0.0,
    "straightness": 1.0,
    "anchored_status_frac": 0.0,
    "class_b_frac": 0.0,
    "port_distance_km": 0.0,
    "port_distance_min_km": 0.0,
    "in_port_frac": 0.0,
    "fishing_ground_frac": 0.0,
    "hours_since_port": HOURS_SINCE_PORT_CAP,
    "lane_distance_km": LANE_DISTANCE_CAP_KM,
    "lane_distance_max_km": LANE_DISTANCE_CAP_KM,
    "lane_distance_all_km": LANE_DISTANCE_CAP_KM,
    "lane_vessels": 0.0,
    "nearest_vessel_km": NEAR_VESSEL_CAP_KM,
    "close_slow_frac": 0.0,
    **{f"type_{group}": 0.0 for group in TYPE_GROUPS},
}
FEATURE_COLUMNS: tuple[str, ...] = tuple(FEATURE_DEFAULTS)
KEY_COLUMNS = ("mmsi", "window_start")
META_COLUMNS = ("window_end", "first_time", "last_time", "lat", "lon")


def type_groups(ship_type: pd.Series) -> pd.Series:
    """AIS ship-and-cargo type codes (ITU-R M.1371 table 53) to :data:`TYPE_GROUPS` names."""
    code = pd.to_numeric(ship_type, errors="coerce")
    conditions = [
        code.between(70, 79),
        code.between(80, 89),
        code.between(60, 69) | code.between(40, 49),
        code == 30,
        code.isin([31, 32, 33, 34, 35, 50, 51, 52, 53, 54, 55, 58, 59]),
        code.isin([36, 37]),
    ]
    return pd.Series(np.select(conditions, TYPE_GROUPS[:-1], default="other"), index=ship_type.index)


def _project_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return np.column_stack([np.asarray(lon, float) * _KM_PER_DEG_LON, np.asarray(lat, float) * _KM_PER_DEG_LAT])


def _cell_ids(lat: np.ndarray, lon: np.ndarray, cell_deg: float) -> np.ndarray:
    rows = np.floor(np.asarray(lat, float) / cell_deg).astype(np.int64)
    cols = np.floor(np.asarray(lon, float) / cell_deg).astype(np.int64)
    return rows * 100_000 + cols


def _cell_centres(ids: np.ndarray, cell_deg: float) -> tuple[np.ndarray, np.ndarray]:
    rows, cols = np.divmod(ids, 100_000)
    return (rows + 0.5) * cell_deg, (cols + 0.5) * cell_deg


@dataclass(frozen=True)
class LaneGrid:
    """Where traffic of each type group goes: grid cells crossed by at least ``min_vessels`` distinct vessels.

    ``cells[group]`` are sorted cell ids (``row * 100000 + col`` of a ``cell_deg`` grid)
    and ``vessels[group]`` the distinct vessels seen in each; the group ``"all"`` counts
    every type. A group seen with fewer than ``min_group_vessels`` vessels has no lanes of
    its own (too few to tell a lane from one ship's track) and is measured against ``"all"``.
    Learned from history with :meth:`learn` and stored with the model, so scoring measures
    distances to the lanes the model was trained with.
    """

    cell_deg: float
    min_vessels: int
    cells: dict[str, np.ndarray]
    vessels: dict[str, np.ndarray]

    @classmethod
    def learn(cls, tracks: pd.DataFrame, vessels: Optional[pd.DataFrame] = None, cell_deg: float = LANE_CELL_DEG,
              min_vessels: int = LANE_MIN_VESSELS, min_group_vessels: int = LANE_MIN_GROUP_VESSELS
              ) -> "LaneGrid":
        fixes = tracks.loc[tracks["lat"].notna() & tracks["lon"].notna(), ["mmsi", "lat", "lon"]]
        frame = pd.DataFrame({"mmsi": fixes["mmsi"].to_numpy(),
                              "cell": _cell_ids(fixes["lat"].to_numpy(), fixes["lon"].to_numpy(), cell_deg)})
        frame = frame.drop_duplicates()
        frame["group"] = _groups_for(frame["mmsi"], vessels).to_numpy()
        cells, counts = {}, {}
        for group, part in [("all", frame), *frame.groupby("group", sort=True)]:
            if group != "all" and part["mmsi"].nunique() < min_group_vessels:
                continue
            n = part.groupby("cell")["mmsi"].nunique()
            n = n[n >= min_vessels]
            cells[group] = n.index.to_numpy(dtype=np.int64)
            counts[group] = n.to_numpy(dtype=np.int64)
        return cls(float(cell_deg), int(min_vessels), cells, counts)

    @classmethod
    def empty(cls) -> "LaneGrid":
        return cls(LANE_CELL_DEG, LANE_MIN_VESSELS, {}, {})

    def to_dict(self) -> dict:
        """Plain values (numbers, strings, arrays) for the model file."""
        return {"cell_deg": self.cell_deg, "min_vessels": self.min_vessels,
                "cells": dict(self.cells), "vessels": dict(self.vessels)}

    @classmethod
    def from_dict(cls, data: dict) -> "LaneGrid":
        return cls(float(data["cell_deg"]), int(data["min_vessels"]),
                   {k: np.asarray(v, dtype=np.int64) for k, v in data["cells"].items()},
                   {k: np.asarray(v, dtype=np.int64) for k, v in data["vessels"].items()})

    def _distance_km(self, group: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        cells = self.cells.get(group)
        if cells is None or len(cells) == 0:
            return np.full(len(lat), LANE_DISTANCE_CAP_KM)
        c_lat, c_lon = _cell_centres(cells, self.cell_deg)
        distance, _ = cKDTree(_project_km(c_lat, c_lon)).query(_project_km(lat, lon),
                                                                distance_upper_bound=LANE_DISTANCE_CAP_KM)
        inside = np.isin(_cell_ids(lat, lon, self.cell_deg), cells)
        return np.where(inside, 0.0, np.minimum(distance, LANE_DISTANCE_CAP_KM))

    def _vessels_in_cell(self, group: str, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
        cells = self.cells.get(group)
        if cells is None or len(cells) == 0:
            return np.zeros(len(lat))
        ids = _cell_ids(lat, lon, self.cell_deg)
        at = np.clip(np.searchsorted(cells, ids), 0, len(cells) - 1)
        return np.where(cells[at] == ids, self.vessels[group][at], 0).astype(float)

    def measure(self, lat: np.ndarray, lon: np.ndarray, groups: np.ndarray) -> dict[str, np.ndarray]:
        """Per point: km to the nearest lane of its own type group (the all-types lanes when its group has
        none), km to the nearest lane of any type, and how many vessels of its group crossed its cell."""
        lat, lon, groups = np.asarray(lat, float), np.asarray(lon, float), np.asarray(groups)
        every = self._distance_km("all", lat, lon)
        own, vessels = every.copy(), np.zeros(len(lat))
        for group in np.unique(groups):
            rows = groups == group
            if len(self.cells.get(group, ())):
                own[rows] = self._distance_km(group, lat[rows], lon[rows])
                vessels[rows] = self._vessels_in_cell(group, lat[rows], lon[rows])
        return {"lane_distance_km": own, "lane_distance_all_km": every, "lane_vessels": vessels}


def _groups_for(mmsi: pd.Series, vessels: Optional[pd.DataFrame]) -> pd.Series:
    if vessels is None or vessels.empty or "ship_type" not in vessels:
        return pd.Series("other", index=mmsi.index)
    types = vessels.drop_duplicates("mmsi", keep="last").set_index("mmsi")["ship_type"]
    return type_groups(pd.Series(mmsi.map(types).to_numpy(), index=mmsi.index))


def _circular_diff_deg(a: pd.Series, b: pd.Series) -> pd.Series:
    return (a - b).abs().mod(360.0).pipe(lambda d: np.minimum(d, 360.0 - d))


_WINDOW_KEY = 10 ** 6  # window numbers since the epoch stay below this (hours: until the year 2084)
_SLOT_KEY = 10 ** 7  # and 10-minute slot numbers below this


def _keys(mmsi: pd.Series, time: pd.Series, step: pd.Timedelta, scale: int) -> np.ndarray:
    """One int64 per (vessel, time step): grouping by one integer is several times faster than by two columns."""
    return mmsi.to_numpy(dtype=np.int64) * scale + time.to_numpy(dtype="datetime64[ns]").view(np.int64) // step.value


def _sorted(tracks: pd.DataFrame) -> pd.DataFrame:
    """Tracks by (mmsi, time); stored tracks come that way and are not sorted again."""
    mmsi, time = tracks["mmsi"].to_numpy(), tracks["time"].to_numpy()
    step, later = np.diff(mmsi), np.diff(time) >= np.timedelta64(0)
    if (step >= 0).all() and (later | (step > 0)).all():
        return tracks.reset_index(drop=True)
    return tracks.sort_values(["mmsi", "time"], kind="stable").reset_index(drop=True)


def _report_rows(tracks: pd.DataFrame, window: pd.Timedelta) -> pd.DataFrame:
    """Per report: its window, the interval since the vessel's previous report, speed and course columns."""
    t = _sorted(tracks)
    same = t["mmsi"].eq(t["mmsi"].shift())
    rows = pd.DataFrame({"mmsi": t["mmsi"].to_numpy(), "time": t["time"].to_numpy()})
    rows["wkey"] = _keys(t["mmsi"], t["time"], window, _WINDOW_KEY)
    rows["dt_s"] = t["time"].diff().dt.total_seconds().where(same).clip(upper=INTERVAL_CAP_S)
    rows["gap"] = (rows["dt_s"] > GAP_S).astype(float)
    rows["unavailable"] = (t["lat"].isna() | t["lon"].isna()).astype(float)
    rows["anchored"] = t["nav_status"].isin(ANCHORED_STATUSES).astype(float)
    rows["class_b"] = t["msg_type"].isin(CLASS_B_TYPES).astype(float)
    rows["sog"] = t["sog"].to_numpy()
    rows["cog"] = t["cog"].to_numpy()
    rows["heading"] = t["heading"].to_numpy()
    rows["lat"] = t["lat"].to_numpy()
    rows["lon"] = t["lon"].to_numpy()
    return rows


def _fix_kinematics(rows: pd.DataFrame) -> pd.DataFrame:
    """Per report with a position: step length and implied speed from the vessel's previous fix, turn."""
    fixes = rows.loc[rows["unavailable"] == 0.0, ["mmsi", "time", "wkey", "lat", "lon", "sog", "cog", "heading"]].copy()
    same = fixes["mmsi"].eq(fixes["mmsi"].shift())
    dt = fixes["time"].diff().dt.total_seconds().where(same)
    step = pd.Series(haversine_m(fixes["lat"].shift().to_numpy(), fixes["lon"].shift().to_numpy(),
                                 fixes["lat"].to_numpy(), fixes["lon"].to_numpy()), index=fixes.index).where(same)
    fixes["step_km"] = (step / 1000.0).where(fixes["wkey"].eq(fixes["wkey"].shift()))
    implied = (step / dt / KNOT_MS).where(dt >= MIN_IMPLIED_DT_S)
    fixes["implied_kn"] = implied.clip(upper=MAX_IMPLIED_KN)
    fixes["speed"] = fixes["sog"].fillna(fixes["implied_kn"])
    fixes["mismatch"] = (fixes["sog"] - implied).abs().clip(upper=MAX_IMPLIED_KN)
    making_way = fixes["speed"] >= HEADING_MIN_SOG_KN
    fixes["turn"] = _circular_diff_deg(fixes["cog"], fixes["cog"].shift()).where(same & making_way)
    fixes["heading_diff"] = _circular_diff_deg(fixes["heading"], fixes["cog"]).where(making_way)
    fixes["slow"] = (fixes["speed"] < SLOW_KN).astype(float).where(fixes["speed"].notna())
    stopped = fixes["speed"] < STOPPED_KN
    fixes["stopped"] = stopped.astype(float).where(fixes["speed"].notna())
    fixes["stop_start"] = (stopped & ~(stopped.shift(fill_value=False) & same)).astype(float)
    return fixes


def _slot_rows(fixes: pd.DataFrame, vessels: Optional[pd.DataFrame], lanes: LaneGrid, window: pd.Timedelta,
               slot: pd.Timedelta) -> pd.DataFrame:
    """One row per vessel and slot (its last fix there): port and lane distances, nearest other vessel."""
    fixes = fixes.assign(skey=_keys(fixes["mmsi"], fixes["time"], slot, _SLOT_KEY))
    s = fixes.groupby("skey", sort=True).agg(mmsi=("mmsi", "first"), wkey=("wkey", "first"), lat=("lat", "last"),
                                             lon=("lon", "last"), speed=("speed", "mean")).reset_index()
    s["slot"] = pd.to_datetime((s["skey"].to_numpy() % _SLOT_KEY) * slot.value)
    lat, lon = s["lat"].to_numpy(), s["lon"].to_numpy()
    s["port_km"] = np.asarray(distance_to_port_or_anchorage_m(lat, lon)) / 1000.0
    s["in_port"] = np.asarray(in_port_or_anchorage(lat, lon), dtype=float)
    s["fishing_ground"] = np.asarray(in_fishing_ground(lat, lon), dtype=float)
    groups = _groups_for(s["mmsi"], vessels).to_numpy()
    in_port = s["in_port"].to_numpy() == 1.0
    for name, values in lanes.measure(lat, lon, groups).items():
        s[name] = np.where(in_port, 0.0, values) if name.endswith("_km") else values  # every type calls at ports
    _nearest_vessels(s)
    _hours_since_port(s)
    return s


def _nearest_vessels(s: pd.DataFrame) -> None:
    """Distance to the nearest other vessel in the same slot, and whether both are slow at sea close together."""
    if s.empty:
        s["nearest_km"] = []
        s["close_slow"] = []
        return
    slot_no = ((s["slot"] - s["slot"].min()) // pd.Timedelta(minutes=SLOT_MINUTES)).to_numpy(dtype=float)
    points = np.column_stack([_project_km(s["lat"].to_numpy(), s["lon"].to_numpy()),
                              slot_no * 10 * NEAR_VESSEL_CAP_KM])  # slots far apart in the third axis
    distance, index = cKDTree(points).query(points, k=2, distance_upper_bound=NEAR_VESSEL_CAP_KM)
    nearest, other = distance[:, 1], index[:, 1]
    found = np.isfinite(nearest)
    other_speed = np.full(len(s), np.nan)
    other_speed[found] = s["speed"].to_numpy()[other[found]]
    s["nearest_km"] = np.minimum(nearest, NEAR_VESSEL_CAP_KM)
    both_slow = (s["speed"].to_numpy() < SLOW_KN) & (other_speed < SLOW_KN)
    s["close_slow"] = (found & (nearest <= CLOSE_KM) & both_slow & (s["in_port"].to_numpy() == 0.0)).astype(float)


def _hours_since_port(s: pd.DataFrame) -> None:
    last_port = s["slot"].where(s["in_port"] == 1.0).groupby(s["mmsi"]).ffill()
    hours = (s["slot"] - last_port).dt.total_seconds() / 3600.0
    s["hours_since_port"] = hours.fillna(HOURS_SINCE_PORT_CAP).clip(upper=HOURS_SINCE_PORT_CAP)


def _empty_features() -> pd.DataFrame:
    frame = pd.DataFrame({"mmsi": pd.Series(dtype="int64"), "window_start": pd.Series(dtype="datetime64[ns]")})
    for column in META_COLUMNS:
        frame[column] = pd.Series(dtype="datetime64[ns]" if "time" in column or "window" in column else "float64")
    for column in FEATURE_COLUMNS:
        frame[column] = pd.Series(dtype="float64")
    return frame


def window_features(tracks: pd.DataFrame, vessels: Optional[pd.DataFrame] = None,
                    lanes: Optional[LaneGrid] = None, window_minutes: int = WINDOW_MINUTES) -> pd.DataFrame:
    """One row per vessel and window that has reports: key columns (``mmsi``, ``window_start``), meta
    columns (``window_end``, ``first_time``, ``last_time``, and ``lat``/``lon`` of the last fix) and the
    finite float columns of :data:`FEATURE_COLUMNS`, sorted by vessel and window.

    Windows are aligned to multiples of ``window_minutes`` since the epoch, so the same data gives
    the same windows wherever it is cut. ``lanes`` defaults to no lanes (every distance capped).
    """
    if tracks.empty:
        return _empty_features()
    window = pd.Timedelta(minutes=window_minutes)
    lanes = lanes or LaneGrid.empty()
    rows = _report_rows(tracks, window)
    fixes = _fix_kinematics(rows)
    keys = "wkey"

    reports = rows.groupby(keys, sort=True).agg(
        mmsi=("mmsi", "first"), n_reports=("time", "size"), first_time=("time", "min"), last_time=("time", "max"),
        interval_median_s=("dt_s", "median"), interval_max_s=("dt_s", "max"), interval_mean=("dt_s", "mean"),
        interval_std=("dt_s", "std"), gap_count=("gap", "sum"), position_unavailable_frac=("unavailable", "mean"),
        anchored_status_frac=("anchored", "mean"), class_b_frac=("class_b", "mean"))
    reports["span_min"] = (reports["last_time"] - reports["first_time"]).dt.total_seconds() / 60.0
    reports["interval_cv"] = reports["interval_std"] / reports["interval_mean"]
    reports["window_start"] = pd.to_datetime((reports.index.to_numpy() % _WINDOW_KEY) * window.value)
    reports["window_end"] = reports["window_start"] + window

    motion = fixes.groupby(keys, sort=True).agg(
        sog_mean_kn=("speed", "mean"), sog_std_kn=("speed", "std"), sog_max_kn=("speed", "max"),
        slow_frac=("slow", "mean"), stopped_frac=("stopped", "mean"), stop_count=("stop_start", "sum"),
        implied_speed_kn=("implied_kn", "mean"), speed_mismatch_kn=("mismatch", "median"),
        turn_mean_deg=("turn", "mean"), turn_max_deg=("turn", "max"), heading_cog_diff_deg=("heading_diff", "mean"),
        path_km=("step_km", "sum"), first_lat=("lat", "first"), first_lon=("lon", "first"),
        lat=("lat", "last"), lon=("lon", "last"))
    net_km = haversine_m(motion["first_lat"].to_numpy(), motion["first_lon"].to_numpy(),
                         motion["lat"].to_numpy(), motion["lon"].to_numpy()) / 1000.0
    motion["straightness"] = np.where(motion["path_km"] > 0.2, np.minimum(net_km / motion["path_km"], 1.0), 1.0)

    slots = _slot_rows(fixes, vessels, lanes, window, pd.Timedelta(minutes=SLOT_MINUTES))
    places = slots.groupby(keys, sort=True).agg(
        port_distance_km=("port_km", "mean"), port_distance_min_km=("port_km", "min"),
        in_port_frac=("in_port", "mean"), fishing_ground_frac=("fishing_ground", "mean"),
        hours_since_port=("hours_since_port", "max"), lane_distance_km=("lane_distance_km", "mean"),
        lane_distance_max_km=("lane_distance_km", "max"), lane_distance_all_km=("lane_distance_all_km", "mean"),
        lane_vessels=("lane_vessels", "mean"), nearest_vessel_km=("nearest_km", "min"),
        close_slow_frac=("close_slow", "mean"))

    out = reports.join(motion.drop(columns=["first_lat", "first_lon"]), how="left").join(places, how="left")
    out = out.reset_index()
    groups = _groups_for(out["mmsi"], vessels)
    for group in TYPE_GROUPS:
        out[f"type_{group}"] = (groups == group).astype(float).to_numpy()
    features = out[list(FEATURE_COLUMNS)].astype("float64").replace([np.inf, -np.inf], np.nan)
    out[list(FEATURE_COLUMNS)] = features.fillna(FEATURE_DEFAULTS)
    return out[[*KEY_COLUMNS, *META_COLUMNS, *FEATURE_COLUMNS]]
