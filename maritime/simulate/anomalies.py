"""Injected anomalies and their ground-truth labels.

Every kind of DESIGN.md's table except ``behaviour_outlier`` (model-only) can be
injected. How many of each follows :func:`anomaly_counts`: a handful per kind
for a day of 300 vessels, scaled with vessels and hours, or explicit counts.

Injection is in two stages:

1. *Plans* (before reports exist). A vessel chosen for a per-vessel anomaly gets
   a dedicated voyage on a real lane, timed so that the event falls inside the
   window at a place that suits it (open sea, well covered by shore receivers,
   away from ports and zones), with the event's legs spliced in: a slow drift
   (loitering), a meeting with a second vessel (rendezvous), a detour off the
   lane or through a zone, a silent stretch (ais_gap), or a *marker* stretch
   whose reports stage 2 falsifies. GNSS interference gathers enough vessels
   in its area; invalid identities are given to vessels outright.
2. *Reports* (:mod:`.tampering`). Reported positions or speeds are falsified
   where the markers are, clones transmit with a borrowed MMSI, identities
   change, and labels are read off the reports actually produced.

One vessel carries at most one anomaly, so labels never overlap on a vessel.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from maritime.geo.geodesy import KNOT_MS, destination_point, haversine_m, path_length_m
from maritime.geo.ports import PORTS, Port, in_port_or_anchorage, port_by_name
from maritime.simulate.coverage import in_reception_hole, well_covered
from maritime.simulate.fleet import MERCHANT_ROLES, Vessel
from maritime.simulate.identity import FLAGS, UNALLOCATED_MIDS, make_callsign, make_imo, make_name
from maritime.simulate.itinerary import HOUR, Planner, allowed_trade
from maritime.simulate.motion import (AT_ANCHOR, MOORED, UNDER_WAY, Leg, Voyage, lateral_offset, moving_leg,
                                      point_along, position_at, stationary_leg, subpath)
from maritime.simulate.navgrid import nav_grid
from maritime.simulate.placement import inland_point, near_any_lane, open_sea
from maritime.simulate.routes import densified, lane, offset_path, sea_route
from maritime.simulate.zones import ZONES

ANOMALY_KINDS = (
    "ais_gap", "position_jump", "on_land", "circle_spoofing", "loitering", "rendezvous", "identity_change",
    "mmsi_conflict", "invalid_identity", "speed_anomaly", "route_deviation", "zone_entry", "gnss_interference",
)
# Expected events per kind in a day of 300 vessels (anomaly_rate = 1).
PER_DAY_PER_300_VESSELS = {kind: 5.0 for kind in ANOMALY_KINDS} | {
    "rendezvous": 4.0, "mmsi_conflict": 4.0, "zone_entry": 4.0, "gnss_interference": 2.0,
}
# Vessels a gnss_interference event must catch to be one (DESIGN: "many vessels").
GNSS_MIN_VESSELS = 20
GNSS_TARGET_VESSELS = 24
GNSS_AREA_RADIUS_M = 40_000.0


@dataclass(frozen=True)
class GnssArea:
    """Where mass GNSS interference is staged: ships near ``port`` are all shown at ``shown_at``."""

    port: str
    centre: tuple[float, float]
    shown_at: tuple[float, float]
    shown_at_name: str


GNSS_AREAS = (GnssArea("Novorossiysk", (44.66, 37.82), (44.58, 38.01), "Gelendzhik airport"),)
LEAD_S = 20 * 60.0  # normal reports before an event
TAIL_S = 20 * 60.0  # and after it
# Order of planning: the many-vessel event last, so that per-vessel events find merchants first.
PLAN_ORDER = ("loitering", "rendezvous", "route_deviation", "zone_entry", "ais_gap", "position_jump", "on_land",
              "circle_spoofing", "speed_anomaly", "mmsi_conflict", "identity_change", "invalid_identity",
              "gnss_interference")


def anomaly_counts(hours: float, vessels: int, rate: float = 1.0, explicit: Optional[dict[str, int]] = None,
                   rng: Optional[np.random.Generator] = None) -> dict[str, int]:
    """How many events of each kind: ``explicit`` if given (missing kinds: 0), else scaled expectations.

    The expectation is ``PER_DAY_PER_300_VESSELS × rate × vessels/300 × hours/24``;
    its fractional part becomes one more event with that probability.
    """
    if explicit is not None:
        unknown = set(explicit) - set(ANOMALY_KINDS)
        if unknown:
            raise ValueError(f"unknown anomaly kinds: {', '.join(sorted(unknown))}")
        if any(int(n) < 0 for n in explicit.values()):
            raise ValueError("anomaly counts must be >= 0")
        return {kind: int(explicit.get(kind, 0)) for kind in ANOMALY_KINDS}
    rng = rng or np.random.default_rng(0)
    counts = {}
    for kind in ANOMALY_KINDS:
        expected = PER_DAY_PER_300_VESSELS[kind] * rate * vessels / 300.0 * hours / 24.0
        counts[kind] = int(expected) + int(rng.random() < expected - int(expected))
    return counts


@dataclass
class Event:
    id: int
    kind: str
    vessel: Optional[int]  # index into the fleet
    other: Optional[int] = None
    params: dict = field(default_factory=dict)


@dataclass
class Clone:
    """A second transmitter with the victim's identity (``vessel`` is a copy of it), heard in ``window`` only."""

    event: Event
    vessel: Vessel
    legs: list[Leg]
    window: tuple[float, float]


# builds an event's legs: (lane path, distance along it, time, speed) -> (legs, where to resume) or None
Middle = Callable[[np.ndarray, float, float, float], Optional[tuple[list[Leg], float]]]


class Injector:
    """Plans the events into the vessels' plans (stage 1; stage 2 is :class:`.tampering.Tamperer`).

    ``plans`` (vessel index → legs) is changed in place; ``skipped`` counts the
    events that found no place or no vessel (e.g. a window too short for them).
    """

    def __init__(self, fleet: list[Vessel], planner: Planner, plans: dict[int, list[Leg]], begin: float,
                 end: float, seed: int):
        self.fleet = fleet
        self.planner = planner
        self.plans = plans
        self.begin = begin
        self.end = end
        self.seed = seed
        self.used: set[int] = set()
        self.events: list[Event] = []
        self.clones: list[Clone] = []
        self.skipped: dict[str, int] = {}
        self.pairs = [(a, b) for a in PORTS for b in PORTS if allowed_trade(a, b)]
        self.pair_weights = np.array([a.traffic_weight * b.traffic_weight for a, b in self.pairs])
        self.pair_weights /= self.pair_weights.sum()

    # -- stage 1: plans ---------------------------------------------------------------

    def plan(self, counts: dict[str, int]) -> None:
        for kind_no, kind in enumerate(PLAN_ORDER):
            for i in range(counts.get(kind, 0)):
                rng = np.random.default_rng([self.seed, 7, kind_no, i])
                event = Event(len(self.events), kind, None)
                if getattr(self, f"_plan_{kind}")(event, rng):
                    self.events.append(event)
                else:
                    self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def _take(self, rng: np.random.Generator, roles=MERCHANT_ROLES, class_a: bool = False,
              exclude: Optional[set[int]] = None) -> Optional[Vessel]:
        free = [v for v in self.fleet if v.role in roles and v.index not in self.used
                and (not class_a or v.ais_class == "A") and v.index not in (exclude or set())]
        if not free:
            return None
        return free[int(rng.integers(len(free)))]

    def _heard_in_window(self, legs: list[Leg]) -> bool:
        return any(not leg.silent and leg.t1 > self.begin + LEAD_S and leg.t0 < self.end - TAIL_S for leg in legs)

    def _window_slot(self, duration_s: float, rng: np.random.Generator) -> Optional[float]:
        lo, hi = self.begin + LEAD_S, self.end - TAIL_S - duration_s
        return None if hi < lo else float(rng.uniform(lo, hi))

    def _lane(self, rng: np.random.Generator) -> tuple[Port, Port, np.ndarray]:
        a, b = self.pairs[int(rng.choice(len(self.pairs), p=self.pair_weights))]
        return a, b, offset_path(densified(lane(a, b)), float(rng.normal(0.0, 500.0)))

    def _dedicated(self, vessel: Vessel, origin: Port, dest: Port, path: np.ndarray, event_s: float,
                   event_time: float, speed: float, middle: list[Leg], resume_s: float,
                   rng: np.random.Generator) -> list[Leg]:
        """A whole plan: moored at ``origin``, out, along ``path`` to ``event_s`` reached at ``event_time``,
        the ``middle`` legs, on from ``resume_s``, in at ``dest`` and moored there."""
        planner = self.planner
        length = float(path_length_m(path[:, 0], path[:, 1])[-1])
        before = moving_leg("transit", subpath(path, 0.0, event_s), speed, 0.0)
        before = before.shifted(event_time - before.t1)
        berth, heading = planner.berth(origin, rng)
        out = moving_leg("harbour", planner.harbour_path(origin, berth, outbound=True), min(speed, 7.0), 0.0,
                         port=origin.name, outbound=True)
        out = out.shifted(before.t0 - out.t1)
        after_start = middle[-1].t1 if middle else event_time
        after = moving_leg("transit", subpath(path, resume_s, length), speed, after_start)
        new_berth, new_heading = planner.berth(dest, rng)
        inn = moving_leg("harbour", planner.harbour_path(dest, new_berth, outbound=False), min(speed, 7.0),
                         after.t1, port=dest.name, outbound=False)
        voyage = Voyage(planner.destination_text(dest, rng), inn.t1 + float(rng.normal(0, 1.0)) * HOUR,
                        round(vessel.max_draught_m * float(rng.uniform(0.5, 1.0)), 1))
        first = min(self.begin - HOUR, out.t0 - HOUR)
        if origin.out_of_area:
            legs = [stationary_leg("away", (origin.lat, origin.lon), first, out.t0, MOORED, voyage, silent=True,
                                   port=origin.name)]
        else:  # an anomalous ship keeps its AIS on in port, so that its label is its only oddity
            legs = [stationary_leg("moored", berth, first, out.t0, MOORED, voyage, heading, port=origin.name)]
        legs += [out, before, *middle, after, inn]
        legs += planner.moored(dest, new_berth, new_heading, inn.t1, max(inn.t1, planner.horizon) + 2 * HOUR,
                               voyage, rng)
        for leg in legs:
            leg.voyage = voyage
        return legs

    def _lane_event(self, event: Event, rng: np.random.Generator, duration_s: float, build: Middle,
                    check: Callable[[float, float], bool], vessel: Optional[Vessel] = None,
                    event_time: Optional[float] = None, attempts: int = 60,
                    commit: bool = True) -> Optional[list[Leg]]:
        """Find a lane and a place on it for an event, and plan a vessel's dedicated voyage around it.

        ``build(path, s, t, speed)`` returns the event's legs starting at time t at
        distance s along the path and where the voyage resumes, or None if the
        place does not suit; ``check(lat, lon)`` screens the place first. With
        ``commit`` the plan replaces the vessel's and the vessel is taken.
        """
        t_event = event_time if event_time is not None else self._window_slot(duration_s, rng)
        if t_event is None:
            return None
        vessel = vessel or self._take(rng)
        if vessel is None:
            return None
        for _ in range(attempts):
            origin, dest, path = self._lane(rng)
            length = float(path_length_m(path[:, 0], path[:, 1])[-1])
            speed = vessel.speed_kn * float(rng.uniform(0.95, 1.02))
            room = duration_s * speed * KNOT_MS + 25_000.0
            if length < room + 40_000.0:
                continue
            s = float(rng.uniform(20_000.0, length - room))
            if not check(*point_along(path, s)):
                continue
            built = build(path, s, t_event, speed)
            if built is None:
                continue
            middle, resume_s = built
            event.params["lane"] = (origin.name, dest.name)
            legs = self._dedicated(vessel, origin, dest, path, s, t_event, speed, middle, resume_s, rng)
            if commit:
                self.plans[vessel.index] = legs
                self.used.add(vessel.index)
                event.vessel = vessel.index
            return legs
        return None

    def _marker(self, event: Event, duration_s: float, silent: bool = False, at_open_sea: bool = True) -> Middle:
        def build(path, s, t, speed):
            chunk = subpath(path, s, s + duration_s * speed * KNOT_MS)
            if at_open_sea and not open_sea(chunk[:, 0], chunk[:, 1]):
                return None
            leg = moving_leg("transit", chunk, speed, t, anomaly=event.id)
            leg.silent = silent
            return [leg], s + float(path_length_m(chunk[:, 0], chunk[:, 1])[-1])
        return build

    def _drift_path(self, start: tuple[float, float], speed_kn: float, duration_s: float,
                    rng: np.random.Generator) -> Optional[np.ndarray]:
        """A slow wandering path from ``start`` (current and wind), staying in clear water."""
        total = speed_kn * KNOT_MS * duration_s
        n = max(int(total / 300.0), 2)
        heading = float(rng.uniform(0, 360)) + np.cumsum(rng.normal(0.0, 25.0, n))
        lat, lon = [start[0]], [start[1]]
        for h in heading:
            a, b = destination_point(lat[-1], lon[-1], float(h), total / n)
            lat.append(float(a))
            lon.append(float(b))
        path = np.column_stack((lat, lon))
        return path if open_sea(path[:, 0], path[:, 1], from_ports_m=15_000.0) else None

    def _rejoin(self, here: tuple[float, float], path: np.ndarray, s: float, speed: float, t: float) -> Leg:
        return moving_leg("transit", densified([here, point_along(path, s)], 500.0), speed, t)

    # -- per-kind plans ------------------------------------------------------------

    def _plan_loitering(self, event: Event, rng: np.random.Generator) -> bool:
        duration = float(rng.uniform(2.5, 4.0)) * HOUR
        drift_kn = float(rng.uniform(0.4, 1.5))

        def build(path, s, t, speed):
            drift = self._drift_path(point_along(path, s), drift_kn, duration, rng)
            if drift is None:
                return None
            leg = Leg("drift", t, t + duration, UNDER_WAY, path=drift, meta={"anomaly": event.id})
            return [leg, self._rejoin(leg.end, path, s + 3_000.0, speed, leg.t1)], s + 3_000.0

        return self._lane_event(event, rng, duration + HOUR, build, open_sea) is not None

    def _plan_rendezvous(self, event: Event, rng: np.random.Generator) -> bool:
        duration = float(rng.uniform(40, 100)) * 60.0
        drift_kn = float(rng.uniform(0.3, 1.0))
        other = self._take(rng)
        first = self._take(rng, exclude={other.index}) if other is not None else None
        if first is None:
            return False
        gap_m = float(rng.uniform(120.0, 350.0))
        shared: dict = {}

        def build(path, s, t, speed):
            drift = self._drift_path(point_along(path, s), drift_kn, duration, rng)
            if drift is None:
                return None
            shared.update(drift=drift, t=t, path=path, s=s)
            leg = Leg("drift", t, t + duration, UNDER_WAY, path=drift, meta={"anomaly": event.id})
            return [leg, self._rejoin(leg.end, path, s + 3_000.0, speed, leg.t1)], s + 3_000.0

        first_legs = self._lane_event(event, rng, duration + HOUR, build, open_sea, vessel=first,
                                      commit=False)
        if first_legs is None:
            return False
        drift, t, path, s = shared["drift"], shared["t"], shared["path"], shared["s"]
        side = lateral_offset(drift, gap_m)
        meet, parted = (float(side[0, 0]), float(side[0, 1])), (float(side[-1, 0]), float(side[-1, 1]))
        # the second ship comes along the same lane, the other way or the same way, and turns aside to meet
        origin, dest = (port_by_name(name) for name in event.params["lane"])
        length = float(path_length_m(path[:, 0], path[:, 1])[-1])
        if rng.random() < 0.5:
            origin, dest, path, s = dest, origin, path[::-1].copy(), length - s
        inbound = np.vstack([subpath(path, 0.0, s - 2_000.0), [meet]])
        onward = np.vstack([[parted], subpath(path, s + 2_000.0, length)])
        joined = np.vstack([inbound, onward])
        meet_s = float(path_length_m(inbound[:, 0], inbound[:, 1])[-1])
        resume_s = meet_s + float(haversine_m(*meet, *parted))  # where the onward part begins
        speed = other.speed_kn * float(rng.uniform(0.95, 1.02))
        leg = Leg("drift", t, t + duration, UNDER_WAY, path=side, meta={"anomaly": event.id})
        self.plans[first.index] = first_legs
        self.plans[other.index] = self._dedicated(other, origin, dest, joined, meet_s, t, speed, [leg], resume_s,
                                                  rng)
        self.used |= {first.index, other.index}
        event.vessel, event.other = first.index, other.index
        event.params["point"] = point_along(drift, 0.0)
        return True

    def _plan_route_deviation(self, event: Event, rng: np.random.Generator) -> bool:
        detour_h = float(rng.uniform(1.5, 2.5))
        offset_m = float(rng.uniform(25_000.0, 50_000.0)) * (1 if rng.random() < 0.5 else -1)

        def build(path, s, t, speed):
            chunk = subpath(path, s, s + detour_h * HOUR * speed * KNOT_MS)
            chunk_len = float(path_length_m(chunk[:, 0], chunk[:, 1])[-1])
            straight = densified(chunk, 500.0)
            for side in (offset_m, -offset_m):
                detour = offset_path(straight, side, taper_m=0.25 * chunk_len)
                if np.allclose(detour, straight):  # the shifted path would touch land
                    continue
                if not open_sea(detour[:, 0], detour[:, 1], from_ports_m=15_000.0):
                    continue
                # off *every* lane, not just its own, so that no other traffic goes there
                middle = detour[len(detour) // 4: 3 * len(detour) // 4]
                if np.any(near_any_lane(middle[:, 0], middle[:, 1])):
                    continue
                leg = moving_leg("transit", detour, speed, t, anomaly=event.id)
                return [leg], s + chunk_len
            return None

        return self._lane_event(event, rng, (detour_h + 0.5) * HOUR, build, open_sea) is not None

    def _plan_zone_entry(self, event: Event, rng: np.random.Generator) -> bool:
        """A ship leaves a lane passing near a zone, crosses the zone and rejoins the lane beyond it."""
        vessel = self._take(rng)
        if vessel is None:
            return False
        grid = nav_grid()
        speed = vessel.speed_kn * float(rng.uniform(0.95, 1.02))
        for z in rng.permutation(len(ZONES)):
            zone = ZONES[int(z)]
            others = [other for other in ZONES if other is not zone]
            near = []
            for origin, dest in self.pairs:
                path = densified(lane(origin, dest))
                d = haversine_m(path[:, 0], path[:, 1], *zone.centre)
                k = int(np.argmin(d))
                if d[k] <= 250_000.0:
                    near.append((float(d[k]), origin.name, dest.name, origin, dest, path, k))
            for distance, _, _, origin, dest, path, k in sorted(near, key=lambda n: n[:3])[:8]:
                cum = path_length_m(path[:, 0], path[:, 1])
                s_in = max(cum[k] - distance * 0.8 - 10_000.0, 15_000.0)
                s_out = min(cum[k] + distance * 0.8 + 10_000.0, cum[-1] - 15_000.0)
                a_pt, b_pt = point_along(path, s_in), point_along(path, s_out)
                minx, miny, maxx, maxy = zone.shape.bounds
                for _ in range(6):
                    inside = (float(rng.uniform(miny, maxy)), float(rng.uniform(minx, maxx)))
                    if not zone.contains(np.array([inside[0]]), np.array([inside[1]]))[0] \
                            or not grid.clear[grid.cell(*inside)]:
                        continue
                    if not (grid.segment_at_sea(a_pt, inside) and grid.segment_at_sea(inside, b_pt)):
                        continue
                    detour = densified([a_pt, inside, b_pt], 500.0)
                    in_zone = zone.contains(detour[:, 0], detour[:, 1])
                    if any(np.any(o.contains(detour[:, 0], detour[:, 1])) for o in others) \
                            or np.any(in_port_or_anchorage(detour[:, 0], detour[:, 1])) \
                            or np.any(in_reception_hole(detour[:, 0], detour[:, 1])) \
                            or not np.all(well_covered(detour[in_zone, 0], detour[in_zone, 1])):
                        continue
                    duration = float(path_length_m(detour[:, 0], detour[:, 1])[-1]) / (speed * KNOT_MS)
                    t = self._window_slot(duration, rng)
                    if t is None:
                        break
                    leg = moving_leg("transit", detour, speed, t, anomaly=event.id)
                    self.plans[vessel.index] = self._dedicated(vessel, origin, dest, path, s_in, t, speed, [leg],
                                                               s_out, rng)
                    self.used.add(vessel.index)
                    event.vessel = vessel.index
                    event.params["zone"] = zone.name
                    return True
        return False

    def _plan_ais_gap(self, event: Event, rng: np.random.Generator) -> bool:
        gap = float(rng.uniform(2.2, 3.5)) * HOUR
        return self._lane_event(event, rng, gap, self._marker(event, gap, silent=True), open_sea) is not None

    def _plan_position_jump(self, event: Event, rng: np.random.Generator) -> bool:
        event.params["reports"] = int(rng.integers(1, 4))
        return self._lane_event(event, rng, 900.0, self._marker(event, 900.0), open_sea) is not None

    def _plan_on_land(self, event: Event, rng: np.random.Generator) -> bool:
        event.params["reports"] = int(rng.integers(3, 7))

        def near_coast(lat: float, lon: float) -> bool:
            if not open_sea(lat, lon, from_ports_m=15_000.0):
                return False
            target = inland_point(lat, lon)
            if target is None:
                return False
            event.params["inland"] = target
            return True

        middle = self._marker(event, 1_200.0, at_open_sea=False)
        return self._lane_event(event, rng, 1_200.0, middle, near_coast) is not None

    def _plan_circle_spoofing(self, event: Event, rng: np.random.Generator) -> bool:
        duration = float(rng.uniform(30, 60)) * 60.0
        event.params.update(radius_m=float(rng.uniform(600.0, 2_000.0)), speed_kn=float(rng.uniform(8.0, 12.0)),
                            clockwise=bool(rng.random() < 0.5))
        return self._lane_event(event, rng, duration, self._marker(event, duration), open_sea) is not None

    def _plan_speed_anomaly(self, event: Event, rng: np.random.Generator) -> bool:
        event.params.update(reports=int(rng.integers(5, 11)), speed_kn=float(rng.uniform(38.0, 48.0)))
        vessel = self._take(rng, roles=("tanker", "bulk"))
        if vessel is None:
            return False
        return self._lane_event(event, rng, 1_800.0, self._marker(event, 1_800.0), open_sea,
                                vessel=vessel) is not None

    def _plan_mmsi_conflict(self, event: Event, rng: np.random.Generator) -> bool:
        duration = float(rng.uniform(1.0, 3.0)) * HOUR
        duration = min(duration, self.end - self.begin - LEAD_S - TAIL_S)
        t0 = self._window_slot(duration, rng)
        if t0 is None or duration < 1_200.0:
            return False
        times = np.linspace(t0, t0 + duration, 12)
        for _ in range(20):
            victim = self._take(rng, class_a=True)
            if victim is None:
                return False
            legs = self.plans[victim.index]
            if not all(_transmitting(legs, t) for t in times):
                continue
            victim_pos = np.array([position_at(_leg_at(legs, t), t) for t in times])
            clone_vessel = copy.deepcopy(victim)
            ghost = Event(event.id, event.kind, None)

            def build(path, s, t, speed):
                # positions of the clone over the conflict window must stay far from the victim
                along = s + (times - t0) * speed * KNOT_MS
                pts = np.array([point_along(path, x) for x in along])
                if np.min(haversine_m(pts[:, 0], pts[:, 1], victim_pos[:, 0], victim_pos[:, 1])) < 100_000.0:
                    return None
                return [], s

            plan = self._lane_event(ghost, rng, duration, build, lambda lat, lon: True, vessel=clone_vessel,
                                    event_time=t0, commit=False)
            if plan is None:
                continue
            self.used.add(victim.index)
            event.vessel = victim.index
            self.clones.append(Clone(event, clone_vessel, plan, (t0, t0 + duration)))
            return True
        return False

    def _plan_identity_change(self, event: Event, rng: np.random.Generator) -> bool:
        at = self._window_slot(0.0, rng)
        if at is None:
            return False
        for _ in range(20):
            vessel = self._take(rng, class_a=True)
            if vessel is None:
                return False
            legs = self.plans[vessel.index]
            around = (max(self.begin, at - 900.0), at, min(self.end, at + 900.0))
            if all(_transmitting(legs, t) for t in around) and np.all(well_covered(
                    *np.array([position_at(_leg_at(legs, t), t) for t in around]).T)):
                flag = FLAGS[vessel.flag]
                new = vessel.with_identity(name=make_name(rng, vessel.flag, vessel.role, {vessel.identity.name}),
                                           callsign=make_callsign(rng, flag, {vessel.identity.callsign}),
                                           imo=make_imo(rng))
                self.used.add(vessel.index)
                event.vessel = vessel.index
                event.params.update(at=at, identity=new)
                return True
        return False

    def _plan_invalid_identity(self, event: Event, rng: np.random.Generator) -> bool:
        variants = ("unallocated_mid", "mmsi_length", "imo_check_digit")
        variant = variants[sum(1 for e in self.events if e.kind == "invalid_identity") % len(variants)]
        needs_imo = variant == "imo_check_digit"  # only class A reports an IMO number
        for _ in range(20):
            vessel = self._take(rng, class_a=needs_imo) or self._take(
                rng, roles=("fishing", "pleasure", "tug", "pilot", "fast_ferry"), class_a=needs_imo)
            if vessel is None:
                return False
            if vessel.index in self.plans and not self._heard_in_window(self.plans[vessel.index]):
                continue
            mmsi = vessel.mmsi
            if variant == "unallocated_mid":
                mid = UNALLOCATED_MIDS[int(rng.integers(len(UNALLOCATED_MIDS)))]
                vessel.identity = vessel.with_identity(mmsi=mid * 1_000_000 + mmsi % 1_000_000)
            elif variant == "mmsi_length":  # ten digits, still inside the 30-bit field
                vessel.identity = vessel.with_identity(mmsi=1_000_000_000 + mmsi % 70_000_000)
            else:
                vessel.identity = vessel.with_identity(imo=make_imo(rng, valid=False))
            self.used.add(vessel.index)
            event.vessel = vessel.index
            event.params["variant"] = variant
            return True
        return False

    def _plan_gnss_interference(self, event: Event, rng: np.random.Generator) -> bool:
        duration = float(rng.uniform(30, 75)) * 60.0
        t0 = self._window_slot(duration, rng)
        if t0 is None:
            return False
        area = GNSS_AREAS[int(rng.integers(len(GNSS_AREAS)))]
        centre = area.centre
        t1 = t0 + duration
        present = [i for i, legs in self.plans.items()
                   if all(_transmitting(legs, t) and haversine_m(*position_at(_leg_at(legs, t), t), *centre)
                          <= GNSS_AREA_RADIUS_M for t in (t0, t1))]
        needed = GNSS_TARGET_VESSELS - len(present)
        chosen: list[Vessel] = []
        for _ in range(max(needed, 0)):
            vessel = self._take(rng, exclude={v.index for v in chosen} | set(present)) or self._take(
                rng, roles=("fishing", "pleasure", "fast_ferry"), exclude={v.index for v in chosen} | set(present))
            if vessel is None:
                break
            chosen.append(vessel)
        if len(present) + len(chosen) < GNSS_MIN_VESSELS:
            return False
        for vessel in chosen:
            self.plans[vessel.index] = self._stay_in_area(vessel, port_by_name(area.port), t1, rng)
            self.used.add(vessel.index)
        event.params.update(centre=centre, false_point=area.shown_at, window=(t0, t1),
                            variant="same_point" if rng.random() < 0.6 else "circle")
        return True

    def _stay_in_area(self, vessel: Vessel, port: Port, until: float, rng: np.random.Generator) -> list[Leg]:
        """At the port's anchorage (merchants) or alongside until after ``until``, then alongside to the end."""
        planner = self.planner
        berth, heading = planner.berth(port, rng)
        voyage = Voyage(port.destination, None, round(vessel.max_draught_m * 0.8, 1))
        first = self.begin - HOUR
        last = planner.horizon + 2 * HOUR
        if vessel.role in MERCHANT_ROLES and rng.random() < 0.6:
            anchor = planner.anchor_point(port, rng)
            leave = until + float(rng.uniform(0.5, 3.0)) * HOUR
            legs = [stationary_leg("anchored", anchor, first, leave, AT_ANCHOR, voyage,
                                   float(rng.uniform(0, 360)), swing_m=float(rng.uniform(80, 160)),
                                   phase=float(rng.uniform(0, 6.28)), port=port.name)]
            legs.append(moving_leg("harbour", densified(sea_route(anchor, port.approach), 250.0), 6.0, leave,
                                   voyage=voyage, port=port.name))
            legs.append(moving_leg("harbour", planner.harbour_path(port, berth, outbound=False), 6.0, legs[-1].t1,
                                   voyage=voyage, port=port.name, outbound=False))
            legs.append(stationary_leg("moored", berth, legs[-1].t1, max(last, legs[-1].t1 + HOUR), MOORED,
                                       voyage, heading, port=port.name))
            return legs
        return [stationary_leg("moored", berth, first, last, MOORED, voyage, heading, port=port.name)]

def _leg_at(legs: list[Leg], t: float) -> Leg:
    for leg in legs:
        if leg.t0 <= t < leg.t1:
            return leg
    return legs[-1]


def _transmitting(legs: list[Leg], t: float) -> bool:
    leg = _leg_at(legs, t)
    return leg.t0 <= t < leg.t1 and not leg.silent
