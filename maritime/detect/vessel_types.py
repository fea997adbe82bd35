"""Top speeds by AIS ship-and-cargo type, for telling an impossible speed from a fast ship.

Type codes are those of ITU-R M.1371-5, Annex 8, Table 53. A "top speed" is what a
fast ship of the type can make over ground, not its usual service speed: the rules
compare reported and implied speeds against it, so it errs on the generous side.
"""

from __future__ import annotations

import numpy as np

# An unknown, reserved or "other" type: faster than nearly anything afloat bar racing craft.
DEFAULT_TOP_SPEED_KN = 50.0

# (first code, last code, top speed in knots, what the codes are)
TOP_SPEEDS: tuple[tuple[int, int, float, str], ...] = (
    # WIG craft fly in ground effect; Russian/Korean designs cruise at 80-100 kn.
    (20, 29, 100.0, "wing in ground"),
    # Trawlers and seiners: 10-14 kn service (FAO fishing vessel design notes), a little margin.
    (30, 30, 15.0, "fishing"),
    # Harbour and ocean tugs: 12-14 kn free running (Robert Allan / Damen tug particulars).
    (31, 32, 14.0, "towing"),
    (33, 33, 14.0, "dredging or underwater operations"),
    (34, 34, 20.0, "diving operations"),
    # Frigates and corvettes make about 30 kn; fast patrol boats more.
    (35, 35, 40.0, "military operations"),
    # Cruising yachts under sail rarely exceed 12-15 kn; motor-sailing too.
    (36, 36, 20.0, "sailing"),
    # Motor yachts and RIBs: 30-40 kn is common.
    (37, 37, 40.0, "pleasure craft"),
    # IMO HSC Code craft: catamaran ferries and hydrofoils at 30-45 kn.
    (40, 49, 45.0, "high-speed craft"),
    # Pilot launches: 20-28 kn (Damen Stan Pilot particulars).
    (50, 50, 30.0, "pilot vessel"),
    # Lifeboats (e.g. RNLI Shannon 25 kn, Severn 25 kn) and fast rescue craft up to ~40 kn.
    (51, 51, 40.0, "search and rescue"),
    (52, 52, 14.0, "tug"),
    (53, 53, 20.0, "port tender"),
    (54, 54, 20.0, "anti-pollution"),
    # Coast guard and police interceptors: 35-45 kn.
    (55, 55, 45.0, "law enforcement"),
    (58, 58, 30.0, "medical transport"),
    # Cruise ships and ro-pax ferries: 20-25 kn; fast conventional ferries up to ~30 kn.
    (60, 69, 30.0, "passenger"),
    # Container ships are the fastest cargo ships, 22-25 kn design speed (MAN Energy Solutions,
    # "Propulsion Trends in Container Vessels"); bulk carriers 13-15 kn.
    (70, 79, 25.0, "cargo"),
    # Tankers: 14-16 kn service (MAN Energy Solutions, "Propulsion Trends in Tankers").
    (80, 89, 20.0, "tanker"),
)

_BY_CODE = np.full(256, DEFAULT_TOP_SPEED_KN)
for _first, _last, _speed, _ in TOP_SPEEDS:
    _BY_CODE[_first:_last + 1] = _speed


def top_speed_kn(ship_type) -> np.ndarray:
    """Top speed per ship type code (scalar or array); unknown or missing codes get the default."""
    codes = np.asarray(ship_type, dtype=float)
    known = np.isfinite(codes) & (codes >= 0) & (codes < len(_BY_CODE))
    index = np.where(known, np.nan_to_num(codes, nan=0.0), 0).astype(np.int64)
    return np.where(known, _BY_CODE[index], DEFAULT_TOP_SPEED_KN)


def type_name(ship_type) -> str:
    """What a ship type code is, for evidence ("unknown" when it is not in the table)."""
    if ship_type is None or not np.isfinite(ship_type):
        return "unknown"
    for first, last, _, name in TOP_SPEEDS:
        if first <= int(ship_type) <= last:
            return name
    return "other"
