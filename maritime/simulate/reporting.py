"""When each transmitter reports, and what: position report arrays and static-report times.

Reporting intervals follow ITU-R M.1371 (Table 1 and the class B rules): class A
10 s under way below 14 kn, 6 s to 23 kn, 2 s above, 3 min at anchor or moored;
class B "CS" 30 s above 2 kn, 3 min below. A feed recorded over a long run is
usually thinned by the aggregator, so ``floor_s`` (60 s for runs over two hours)
sets a minimum interval. Identity and voyage reports go out every 6 minutes:
type 5 for class A, type 24 parts A and B for class B.

Times are whole unix seconds (the tag block's ``c:`` has one-second resolution).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from maritime.simulate.fleet import Identity, Vessel
from maritime.simulate.motion import AT_ANCHOR, MOORED, Leg, sample_leg

STATIC_INTERVAL_S = 360.0
THINNED_INTERVAL_S = 60.0
THIN_AFTER_HOURS = 2.0
SPEED_UNAVAILABLE = 102.3
COURSE_UNAVAILABLE = 360.0
HEADING_UNAVAILABLE = 511
LAT_UNAVAILABLE = 91.0
LON_UNAVAILABLE = 181.0


def default_floor_s(hours: float) -> float:
    """No thinning for short runs (full ITU rates); about one report a minute for longer ones."""
    return 0.0 if hours <= THIN_AFTER_HOURS else THINNED_INTERVAL_S


def nominal_interval_s(ais_class: str, leg: Leg) -> float:
    speed = leg.speed_kn
    if ais_class == "B":
        return 30.0 if leg.moving and speed > 2.0 else 180.0
    if not leg.moving or (speed < 3.0 and leg.status in (AT_ANCHOR, MOORED)):
        return 180.0
    if speed <= 14.0:
        return 10.0
    if speed <= 23.0:
        return 6.0
    return 2.0


@dataclass
class Reports:
    """One transmitter's position reports, as parallel arrays.

    ``lat``/``lon`` are what the transmitter says; ``true_lat``/``true_lon`` are
    where it is (they decide which receivers hear it).
    """

    t: np.ndarray  # int64 unix seconds
    lat: np.ndarray
    lon: np.ndarray
    true_lat: np.ndarray
    true_lon: np.ndarray
    sog: np.ndarray
    cog: np.ndarray
    heading: np.ndarray  # int, 511 = unavailable
    status: np.ndarray  # int
    msg_type: np.ndarray  # int: 1, 3 or 18
    leg: np.ndarray  # int: index of the leg each report belongs to

    def __len__(self) -> int:
        return len(self.t)

    def keep(self, mask: np.ndarray) -> "Reports":
        return Reports(**{name: getattr(self, name)[mask] for name in self.__dataclass_fields__})


@dataclass
class Transmitter:
    """An AIS transponder: usually one vessel's, but a clone may borrow another's MMSI."""

    key: str
    vessel: Vessel
    legs: list[Leg]
    reports: Reports
    identities: list[tuple[float, Identity]]  # (valid from, identity), in time order
    silences: list[tuple[float, float]] = field(default_factory=list)  # no transmission at all
    sends_statics: bool = True
    _starts: Optional[np.ndarray] = field(default=None, repr=False)

    @property
    def mmsi(self) -> int:
        return self.identities[0][1].mmsi

    def identity_at(self, t: float) -> Identity:
        current = self.identities[0][1]
        for since, identity in self.identities:
            if since <= t:
                current = identity
        return current

    def leg_at(self, t: float) -> Optional[Leg]:
        if getattr(self, "_starts", None) is None or len(self._starts) != len(self.legs):
            self._starts = np.array([leg.t0 for leg in self.legs])
        i = int(np.searchsorted(self._starts, t, side="right")) - 1
        return self.legs[i] if 0 <= i < len(self.legs) and self.legs[i].t1 > t else None


def _schedule(begin: float, end: float, interval: float, rng: np.random.Generator) -> np.ndarray:
    """Report times in [begin, end): a random first offset, then intervals jittered by ±10 %."""
    if end <= begin:
        return np.empty(0)
    n = int((end - begin) / (0.9 * interval)) + 2
    steps = interval * rng.uniform(0.9, 1.1, n)
    times = begin + rng.uniform(0.0, interval) + np.concatenate(([0.0], np.cumsum(steps[:-1])))
    return times[times < end]


def build_reports(vessel: Vessel, legs: list[Leg], begin: float, end: float, floor_s: float,
                  rng: np.random.Generator) -> Reports:
    """Position reports of ``vessel`` following ``legs`` inside [begin, end)."""
    parts = []
    for index, leg in enumerate(legs):
        lo, hi = max(leg.t0, begin), min(leg.t1, end)
        if leg.silent or hi <= lo:
            continue
        interval = max(nominal_interval_s(vessel.ais_class, leg), floor_s)
        times = np.unique(np.floor(_schedule(lo, hi, interval, rng)))
        if len(times) == 0:
            continue
        k = sample_leg(leg, times, rng)
        parts.append((times, k, np.full(len(times), leg.status), np.full(len(times), index)))
    if not parts:
        empty_f, empty_i = np.empty(0), np.empty(0, dtype=np.int64)
        return Reports(empty_i, empty_f, empty_f, empty_f, empty_f, empty_f, empty_f, empty_i, empty_i, empty_i,
                       empty_i)
    t = np.concatenate([p[0] for p in parts]).astype(np.int64)
    lat = np.concatenate([p[1].lat for p in parts])
    lon = np.concatenate([p[1].lon for p in parts])
    sog = np.round(np.concatenate([p[1].sog for p in parts]), 1)
    cog = np.round(np.concatenate([p[1].cog for p in parts]), 1) % 360.0
    heading = np.round(np.concatenate([p[1].heading for p in parts])).astype(np.int64) % 360
    status = np.concatenate([p[2] for p in parts]).astype(np.int64)
    leg_index = np.concatenate([p[3] for p in parts]).astype(np.int64)
    # legs can meet at the same whole second: keep one report per second
    t, first = np.unique(t, return_index=True)
    lat, lon, sog, cog, heading, status, leg_index = (a[first] for a in (lat, lon, sog, cog, heading, status,
                                                                          leg_index))
    if vessel.ais_class == "B":
        msg_type = np.full(len(t), 18)
    else:
        msg_type = np.where(rng.random(len(t)) < 0.03, 3, 1)  # a few replies to interrogations
    if not vessel.heading_sensor:
        heading[:] = HEADING_UNAVAILABLE
    if not vessel.sog_sensor:
        sog[:] = SPEED_UNAVAILABLE
        cog[:] = COURSE_UNAVAILABLE
    return Reports(t, lat, lon, lat.copy(), lon.copy(), sog, cog, heading, status, msg_type, leg_index)


def static_times(tx: Transmitter, begin: float, end: float, rng: np.random.Generator) -> np.ndarray:
    """Whole seconds at which ``tx`` sends its identity report(s), skipping silent legs and silences."""
    if not tx.sends_statics or len(tx.reports) == 0:
        return np.empty(0, dtype=np.int64)
    times = np.floor(_schedule(begin, end, STATIC_INTERVAL_S, rng)).astype(np.int64)
    keep = np.ones(len(times), dtype=bool)
    for leg in tx.legs:
        if leg.silent:
            keep &= ~((times >= leg.t0) & (times < leg.t1))
    for a, b in tx.silences:
        keep &= ~((times >= a) & (times <= b))
    # a transmitter is only heard while it is reporting positions at all
    keep &= (times >= tx.reports.t[0]) & (times <= tx.reports.t[-1])
    return times[keep]
