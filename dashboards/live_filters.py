"""Which vessels the live picture shows: the officer's filters, applied to the latest positions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Iterable, Optional

import numpy as np
import pandas as pd
import shapely

from dashboards.vocab import type_class

WINDOWS_H = {"1": 1.0, "6": 6.0, "24": 24.0, "all": None}  # "seen in the last N hours of data"
NO_ANOMALY = "none"


@dataclass(frozen=True)
class LiveFilters:
    types: tuple[str, ...] = ()  # type classes (dashboards.vocab.TYPE_CLASSES)
    flags: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()  # open anomaly kinds: a vessel with any of them
    severities: tuple[str, ...] = ()  # worst open anomaly: critical, warning, info, or "none"
    zone: Optional[str] = None  # name of a zone the latest position lies in
    window: str = "all"  # key of WINDOWS_H
    search: str = ""

    @classmethod
    def from_inputs(cls, types=None, flags=None, kinds=None, severities=None, zone=None, window=None,
                    search=None) -> "LiveFilters":
        return cls(tuple(types or ()), tuple(flags or ()), tuple(kinds or ()), tuple(severities or ()), zone or None,
                   window if window in WINDOWS_H else "all", (search or "").strip()[:64])


def search_mask(v: pd.DataFrame, text: str) -> pd.Series:
    """MMSI or IMO (digits, prefix match) or name or callsign (case-insensitive, substring)."""
    text = text.strip()
    if not text:
        return pd.Series(True, index=v.index)
    if text.isdigit():
        mmsi = v["mmsi"].astype(str).str.startswith(text)
        imo = v["imo"].astype("Int64").astype(str).str.startswith(text).fillna(False)
        return mmsi | imo
    needle = text.casefold()
    name = v["name"].fillna("").str.casefold().str.contains(needle, regex=False)
    callsign = v["callsign"].fillna("").str.casefold().str.contains(needle, regex=False)
    return name | callsign


def in_zone(zone_geometry: dict, lat: Iterable[float], lon: Iterable[float]) -> np.ndarray:
    shape = shapely.geometry.shape(zone_geometry)
    return shapely.contains_xy(shape, np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def filter_vessels(v: pd.DataFrame, f: LiveFilters, zones: Iterable[dict] = ()) -> pd.DataFrame:
    keep = pd.Series(True, index=v.index)
    if f.types:
        keep &= v["ship_type"].map(type_class).isin(f.types)
    if f.flags:
        keep &= v["flag"].isin(f.flags)
    if f.severities:
        worst = v["worst"].fillna(NO_ANOMALY)
        keep &= worst.isin(f.severities)
    if f.kinds:
        wanted = set(f.kinds)
        keep &= v["open_kinds"].map(lambda kinds: bool(wanted & set(kinds.split(","))) if kinds else False)
    hours = WINDOWS_H.get(f.window)
    if hours is not None and len(v):
        newest = pd.to_datetime(v["last_seen"]).max()
        keep &= pd.to_datetime(v["last_seen"]) >= newest - timedelta(hours=hours)
    if f.zone:
        zone = next((z for z in zones if z["name"] == f.zone), None)
        keep &= in_zone(zone["geometry"], v["lat"], v["lon"]) if zone is not None else False
    if f.search:
        keep &= search_mask(v, f.search)
    return v[keep]
