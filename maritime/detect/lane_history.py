"""Traffic lanes learned from stored history, for route_deviation.

Lanes are what traffic like a vessel's did over the ``lanes_history_days`` before
a moment, so they are fitted on stored positions, not on the window being judged
(a day holds too few passages per route: its lanes are sparse and "far" becomes
tens of kilometres). Only vessels of the type groups that have lanes are read,
and of their reports a stable sample of one in ``lanes_history_sample`` (by the
report's unique key, so a refit over the same data gives the same lanes): lanes
join consecutive reports up to 30 minutes apart, so thinning minute reports
loses nothing but reading time.

A fitted :class:`TrafficLanes` is kept per process for the last history span
asked for (of one engine); ticks ask for a span that moves every ``lanes_refit_h``
hours, so reports that arrive late inside a span count from the next refit.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Optional

import pandas as pd
from sqlalchemy import Connection, Select, or_, select

from maritime.config import DetectSettings
from maritime.detect.lanes import TYPE_GROUPS, TrafficLanes
from maritime.detect.tracks import load_tracks
from maritime.store.schema import VesselRow

_cache_lock = threading.Lock()
_cache: dict[tuple, TrafficLanes] = {}


def lane_vessels() -> Select:
    """The MMSIs of the vessels whose type group has lanes (a subquery: the vessels table only grows)."""
    t = VesselRow.__table__
    return select(t.c.mmsi).where(or_(*(t.c.ship_type.between(low, high) for _, low, high in TYPE_GROUPS)))


def load_lane_history(connection: Connection, since: datetime, until: datetime,
                      sample: int = 1) -> tuple[pd.DataFrame, pd.Series]:
    """Tracks of lane-group vessels in [since, until), one report in ``sample``; and MMSI → ship type."""
    tracks = load_tracks(connection, since, until, lane_vessels(), sample=sample)
    t = VesselRow.__table__
    types = pd.read_sql(select(t.c.mmsi, t.c.ship_type).where(t.c.mmsi.in_(lane_vessels())), connection)
    return tracks, types.set_index("mmsi")["ship_type"]


def fit_history_lanes(connection: Connection, since: datetime, until: datetime,
                      settings: DetectSettings) -> TrafficLanes:
    tracks, types = load_lane_history(connection, since, until, settings.lanes_history_sample)
    return TrafficLanes.from_settings(settings).fit(tracks, types)


def history_lanes(connection: Connection, until: datetime, settings: DetectSettings) -> TrafficLanes:
    """Lanes fitted on the ``lanes_history_days`` before ``until``; the last fit is reused while
    the same span of the same database is asked for."""
    since = until - timedelta(days=settings.lanes_history_days)
    key = (id(connection.engine), str(connection.engine.url), since, until, settings.lanes_history_sample, settings.lanes_cell_deg,
           settings.lanes_min_vessels, settings.route_deviation_percentile, settings.route_deviation_min_distance_m,
           settings.route_deviation_min_port_distance_m)
    with _cache_lock:
        lanes = _cache.get(key)
    if lanes is None:
        lanes = fit_history_lanes(connection, since, until, settings)
        with _cache_lock:
            _cache.clear()
            _cache[key] = lanes
    return lanes


def refit_time(newest: datetime, settings: DetectSettings) -> datetime:
    """The end of the history span for a tick at ``newest``: the last whole ``lanes_refit_h``
    boundary, so that ticks in between reuse one fit."""
    step = max(int(settings.lanes_refit_h * 3600), 1)
    seconds = int((newest - datetime(1970, 1, 1)).total_seconds())
    return datetime(1970, 1, 1) + timedelta(seconds=seconds - seconds % step)


def lanes_for_window(connection: Connection, start: Optional[datetime], settings: DetectSettings
                     ) -> Optional[TrafficLanes]:
    """Lanes for judging a window that begins at ``start``: fitted on the history before it, or None
    when that history is too short (the detector then learns from the window itself)."""
    if start is None:
        return None
    lanes = history_lanes(connection, start, settings)
    return lanes if lanes.hours_ >= settings.route_deviation_min_history_h else None
