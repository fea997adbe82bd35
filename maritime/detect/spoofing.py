"""What the position-spoofing detectors share: steps between fixes, the impossible ones, episodes, places.

A *fix* is a report with a usable position (lat 91 / lon 181 arrive as NaN and are
never fixes); a *step* joins a fix to the same vessel's previous fix. A step is
*impossible* when it is longer than ``jump_min_distance_m`` and faster than
``max(jump_min_speed_kn, jump_type_factor × the type's top speed)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from maritime.config import DetectSettings
from maritime.detect.common import epoch_s, new_vessel, per_report, rounded, ship_types, valid_positions
from maritime.detect.tracks import TrackContext
from maritime.detect.vessel_types import top_speed_kn
from maritime.geo.geodesy import KNOT_MS, haversine_m, initial_bearing_deg
from maritime.geo.ports import nearest_port

# Report times have one-second resolution: two fixes stamped with the same second are up to a second apart.
MIN_STEP_S = 1.0


def previous(values: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Each row's predecessor within its vessel (NaN on a vessel's first row)."""
    out = np.concatenate(([np.nan], np.asarray(values, dtype=float)[:-1]))
    out[first] = np.nan
    return out


def step_kinematics(t: np.ndarray, lat: np.ndarray, lon: np.ndarray,
                    first: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Distance (m), implied speed (kn) and course (°) of the step into each fix; NaN on first fixes."""
    prev_lat, prev_lon = previous(lat, first), previous(lon, first)
    distance = haversine_m(prev_lat, prev_lon, lat, lon)
    speed = distance / np.maximum(t - previous(t, first), MIN_STEP_S) / KNOT_MS
    course = np.where(np.isfinite(distance), initial_bearing_deg(prev_lat, prev_lon, lat, lon), np.nan)
    return np.atleast_1d(distance), np.atleast_1d(speed), np.atleast_1d(course)


def jump_limit_kn(ctx: TrackContext, mmsi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per fix: the vessel's ship type, the type's top speed, and the implied speed that is a jump."""
    s = ctx.settings
    ship_type = per_report(ship_types(ctx), mmsi)
    top = top_speed_kn(ship_type)
    return ship_type, top, np.maximum(s.jump_min_speed_kn, s.jump_type_factor * top)


def fix_steps(ctx: TrackContext) -> pd.DataFrame:
    """Every fix, sorted by (mmsi, time), with the step from the vessel's previous fix.

    Adds ``t_s`` (unix seconds), ``prev_t_s``, ``prev_lat``, ``prev_lon``, ``distance_m``,
    ``implied_speed_kn`` (NaN on a vessel's first fix), ``ship_type``, ``top_speed_kn``,
    ``limit_kn`` (the jump threshold) and ``impossible``.
    """
    fixes = valid_positions(ctx.tracks)
    mmsi = fixes["mmsi"].to_numpy()
    t = epoch_s(fixes["time"]) if len(fixes) else np.empty(0)
    lat, lon = fixes["lat"].to_numpy(dtype=float), fixes["lon"].to_numpy(dtype=float)
    first = new_vessel(mmsi)
    distance, implied, _ = step_kinematics(t, lat, lon, first)
    ship_type, top, limit = jump_limit_kn(ctx, mmsi)
    impossible = (implied > limit) & (distance > ctx.settings.jump_min_distance_m)
    return fixes.assign(t_s=t, prev_t_s=previous(t, first), prev_lat=previous(lat, first),
                        prev_lon=previous(lon, first), distance_m=distance, implied_speed_kn=implied,
                        ship_type=ship_type, top_speed_kn=top, limit_kn=limit, impossible=impossible)


def episode_ids(mmsi: np.ndarray, start_s: np.ndarray, end_s: np.ndarray, max_gap_s: float) -> np.ndarray:
    """Number consecutive stretches (sorted by vessel, then time) into episodes per vessel.

    A stretch joins the previous one of the same vessel when it starts at most
    ``max_gap_s`` after the latest end so far.
    """
    if len(mmsi) == 0:
        return np.empty(0, dtype=np.int64)
    first = new_vessel(np.asarray(mmsi))
    ends = pd.Series(end_s).groupby(np.cumsum(first)).cummax().to_numpy()
    latest_before = np.concatenate(([np.nan], ends[:-1]))
    fresh = first | (np.asarray(start_s) - latest_before > max_gap_s)
    return np.cumsum(fresh) - 1


def jump_limit_evidence(s: DetectSettings, ship_type: float, top: float, limit: float) -> dict:
    return {"ship_type": None if not np.isfinite(ship_type) else int(ship_type), "type_top_speed_kn": top,
            "limit_kn": rounded(limit), "jump_min_speed_kn": s.jump_min_speed_kn,
            "jump_type_factor": s.jump_type_factor, "jump_min_distance_m": s.jump_min_distance_m}


def fix_evidence(t_s: float, lat: float, lon: float) -> dict:
    return {"time": pd.Timestamp(t_s, unit="s").isoformat(), "lat": round(float(lat), 5),
            "lon": round(float(lon), 5)}


def place_name(lat: float, lon: float) -> str:
    """Where a point is, in words an officer can place: the nearest port and its country."""
    port, distance = nearest_port(lat, lon)
    return f"{distance / 1000.0:.0f} km from {port.name} ({port.country}), {lat:.3f}N {lon:.3f}E"
