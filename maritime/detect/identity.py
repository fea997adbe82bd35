"""What the identity detectors share: clean identity values, MMSI formats, IMO check digits, a report's place.

MMSI formats follow ITU-R M.585 (see :mod:`maritime.ais.mid`); IMO numbers follow
IMO resolution A.1078(28): seven digits, the last a check digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

import numpy as np
import pandas as pd

# Prefixes of the nine-digit forms, longest first, with the station they identify and where the MID sits.
_FORMS: tuple[tuple[str, str, Optional[slice]], ...] = (
    ("970", "sart", None),
    ("972", "mob", None),
    ("974", "epirb", None),
    ("111", "sar_aircraft", slice(3, 6)),
    ("98", "auxiliary", slice(2, 5)),
    ("99", "aton", slice(2, 5)),
    ("00", "base_station", slice(2, 5)),
    ("0", "group", slice(1, 4)),
    ("8", "handheld", slice(1, 4)),
    ("", "ship", slice(0, 3)),
)


@dataclass(frozen=True)
class MmsiForm:
    """What kind of station an MMSI names, and its MID (None for SART, MOB and EPIRB numbers)."""

    station: str
    mid: Optional[int]


def mmsi_form(mmsi: int) -> Optional[MmsiForm]:
    """The station kind of a nine-digit MMSI; None if the number has more than nine digits or is not positive.

    As an integer an MMSI loses its leading zeros, so base stations (00MIDxxxx) have seven
    digits and group numbers (0MIDxxxxx) eight.
    """
    if not 0 < mmsi < 1_000_000_000:
        return None
    text = f"{mmsi:09d}"
    for prefix, station, mid in _FORMS:
        if text.startswith(prefix):
            return MmsiForm(station, int(text[mid]) if mid is not None else None)
    raise AssertionError("the empty prefix matches every MMSI")


def imo_check_digit(first_six: int) -> int:
    """The first six digits weighted 7, 6, 5, 4, 3, 2, summed, modulo 10."""
    digits = f"{first_six:06d}"
    return sum(int(d) * w for d, w in zip(digits, range(7, 1, -1))) % 10


def is_valid_imo(imo: int) -> bool:
    """Seven digits whose last is the check digit of the first six (9074729 is valid, 9074728 is not)."""
    return 1_000_000 <= imo <= 9_999_999 and imo % 10 == imo_check_digit(imo // 10)


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def clean_text(value) -> Optional[str]:
    """An AIS name or call sign as compared: cut at the first ``@`` (6-bit padding and what follows it),
    spaces collapsed, upper case; None when nothing is left."""
    if _missing(value) or not isinstance(value, str):
        return None
    text = " ".join(value.split("@", 1)[0].split()).upper()
    return text or None


def clean_imo(value) -> Optional[int]:
    """An IMO number as compared; 0 and NULL mean "not given"."""
    if _missing(value):
        return None
    number = int(value)
    return number or None


def clean_ship_type(value) -> Optional[int]:
    if _missing(value):
        return None
    return int(value) or None


def plain_time(value) -> datetime:
    """A pandas or numpy time → a naive UTC datetime, whole seconds as stored."""
    return pd.Timestamp(value).to_pydatetime().replace(tzinfo=None)


class Places:
    """Where a vessel was at a given time: its nearest stored position within ``max_gap``."""

    def __init__(self, tracks: pd.DataFrame, max_gap: timedelta) -> None:
        fixed = tracks.dropna(subset=["lat", "lon"])
        self._mmsi = fixed["mmsi"].to_numpy()
        self._time = fixed["time"].to_numpy(dtype="datetime64[ns]")
        self._lat = fixed["lat"].to_numpy(dtype=float)
        self._lon = fixed["lon"].to_numpy(dtype=float)
        self._max_gap = np.timedelta64(int(max_gap.total_seconds() * 1e9), "ns")

    def at(self, mmsi: int, when) -> tuple[Optional[float], Optional[float]]:
        lo, hi = np.searchsorted(self._mmsi, [mmsi, mmsi + 1])  # tracks are sorted by (mmsi, time)
        if lo == hi:
            return None, None
        times = self._time[lo:hi]
        moment = np.datetime64(pd.Timestamp(when).to_datetime64(), "ns")
        i = int(np.searchsorted(times, moment))
        candidates = [j for j in (i - 1, i) if 0 <= j < len(times)]
        best = min(candidates, key=lambda j: abs(times[j] - moment))
        if abs(times[best] - moment) > self._max_gap:
            return None, None
        return float(self._lat[lo + best]), float(self._lon[lo + best])
