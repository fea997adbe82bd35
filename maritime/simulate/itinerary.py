"""What each vessel does over the simulated window, as a list of legs (see :mod:`.motion`).

- Merchant ships trade between ports on the lanes of :mod:`.routes`: harbour leg
  out, the lane, sometimes a wait at the destination's anchorage (at the Bosphorus
  often: the northbound/southbound queue), harbour leg in, hours moored. Ships
  that arrive at Istanbul pass the strait and leave the area; others come in
  from it. Some crews switch AIS off while moored.
- Fishing boats leave their home port in the small hours, tow slowly across
  their ground for hours and come back.
- Fast ferries shuttle on their line; pleasure craft make day trips.
- Tugs and pilot boats serve the harbour movements of the merchant ships at
  their home port (planned after those, from :meth:`Planner.movements`).

Plans start before the window and end after it, so that at the window's start
vessels are already mid-voyage, at anchor or alongside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import numpy as np
import shapely

from maritime.geo.geodesy import KNOT_MS, destination_point, path_length_m
from maritime.geo.ports import FISHING_GROUNDS, PORTS, Port, anchorages_of, fishing_ground_polygons, port_by_name
from maritime.simulate.fleet import MERCHANT_ROLES, Vessel
from maritime.simulate.motion import (AT_ANCHOR, FISHING, MOORED, UNDER_WAY, UNDER_WAY_SAILING, Leg, Voyage,
                                      cut_path, lateral_offset, moving_leg, stationary_leg)
from maritime.simulate.navgrid import nav_grid
from maritime.simulate.routes import densified, harbour_leg, lane, offset_path, sea_route

HOUR = 3600.0
HARBOUR_SPEED_KN = 7.0
ANCHORAGE_SPEED_KN = 6.0
UKRAINE = frozenset({"Odesa", "Chornomorsk", "Pivdennyi", "Izmail"})
# Beyond the Bosphorus: where ships bound for "Istanbul" are really going.
BEYOND_BOSPHORUS = ("ISTANBUL", "TR IST", "ALIAGA", "IZMIR", "PIRAEUS", "ALEXANDRIA", "GIBRALTAR FOR ORDERS",
                    "PORT SAID", "MERSIN", "ISKENDERUN", "TUZLA", "DILISKELESI", "AMBARLI")
# A merchant ship at the window's start: moored (u < 0.15), at anchor (< 0.25), under way (< 0.95),
# else beyond the Bosphorus, coming in later.
STARTS_MOORED, STARTS_AT_ANCHOR, STARTS_AWAY = 0.15, 0.25, 0.95
MOORED_HOURS = (2.0, 12.0)  # a port call, alongside
AWAY_HOURS = (8.0, 40.0)  # through the Bosphorus to a Marmara port and back
EXPORT_PORTS = frozenset({"Odesa", "Chornomorsk", "Pivdennyi", "Izmail", "Novorossiysk", "Constanta"})


@dataclass
class Movement:
    """A merchant ship's harbour leg: the job tugs and pilots are there for."""

    vessel_index: int
    port: str
    leg: Leg
    inbound: bool


def allowed_trade(origin: Port, dest: Port) -> bool:
    """Which port pairs see traffic: no Ukrainian–Russian or Ukrainian–Georgian trade (the war)."""
    if origin.name == dest.name or "Sinop" in (origin.name, dest.name):
        return False
    if origin.out_of_area and dest.out_of_area:
        return False
    ua = origin.name in UKRAINE, dest.name in UKRAINE
    if any(ua):
        other = dest if ua[0] else origin
        if other.country in ("RU", "GE") or (all(ua)):
            return False
    return True


class Planner:
    """Plans every vessel's legs over [begin − lead, end + tail]."""

    def __init__(self, begin: float, end: float):
        self.begin = begin
        self.end = end
        self.horizon = end + 2 * HOUR

    # -- places ---------------------------------------------------------------

    @staticmethod
    def berth(port: Port, rng: np.random.Generator) -> tuple[tuple[float, float], float]:
        """A berth point in the port and the ship's heading there."""
        spread = min(800.0, 0.12 * port.radius_m)
        lat, lon = destination_point(port.lat, port.lon, float(rng.uniform(0, 360)), float(rng.uniform(0, spread)))
        return (float(lat), float(lon)), float(rng.uniform(0, 360))

    @staticmethod
    def anchor_point(port: Port, rng: np.random.Generator) -> tuple[float, float]:
        anchorage = anchorages_of(port.name)[int(rng.integers(len(anchorages_of(port.name))))]
        grid = nav_grid()
        for _ in range(20):
            lat, lon = destination_point(anchorage.lat, anchorage.lon, float(rng.uniform(0, 360)),
                                         float(rng.uniform(0, 0.7 * anchorage.radius_m)))
            i, j = grid.cell(float(lat), float(lon))
            if grid.sea[i, j]:
                return float(lat), float(lon)
        return anchorage.lat, anchorage.lon

    @staticmethod
    def harbour_path(port: Port, berth: tuple[float, float], outbound: bool) -> np.ndarray:
        points = list(harbour_leg(port, outbound))
        if not port.out_of_area:
            points[0 if outbound else -1] = berth
        return densified(points, 250.0)

    @staticmethod
    def destination_text(port: Port, rng: np.random.Generator) -> str:
        if port.out_of_area:
            return str(rng.choice(BEYOND_BOSPHORUS))
        if rng.random() < 0.3:
            return f"{port.locode[:2]} {port.locode[2:]}"
        return port.destination

    @staticmethod
    def choose_destination(origin: Port, rng: np.random.Generator) -> Port:
        options = [p for p in PORTS if allowed_trade(origin, p)]
        weights = np.array([p.traffic_weight for p in options])
        return options[int(rng.choice(len(options), p=weights / weights.sum()))]

    @staticmethod
    def choose_port(rng: np.random.Generator, include_out_of_area: bool = False) -> Port:
        options = [p for p in PORTS if p.name != "Sinop" and (include_out_of_area or not p.out_of_area)]
        weights = np.array([p.traffic_weight for p in options])
        return options[int(rng.choice(len(options), p=weights / weights.sum()))]

    # -- merchant ships ----------------------------------------------------------

    def voyage(self, vessel: Vessel, origin: Port, berth: tuple[float, float], dest: Port, depart: float,
               rng: np.random.Generator, wait_at_anchorage: bool | None = None) -> tuple[list[Leg], tuple]:
        """Legs from the berth at ``origin`` to a berth at ``dest``; returns them and (berth, heading) there."""
        speed = vessel.speed_kn * float(rng.uniform(0.94, 1.02))
        harbour_speed = min(HARBOUR_SPEED_KN, speed)
        legs: list[Leg] = []
        t = depart
        out_leg = moving_leg("harbour", self.harbour_path(origin, berth, outbound=True), harbour_speed, t,
                             port=origin.name, outbound=True)
        legs.append(out_leg)
        lane_path = offset_path(densified(lane(origin, dest)), float(rng.normal(0.0, 700.0)))
        legs.append(moving_leg("transit", lane_path, speed, legs[-1].t1, origin=origin.name, dest=dest.name))
        if wait_at_anchorage is None:
            wait_at_anchorage = rng.random() < (0.6 if dest.out_of_area else 0.3)
        if wait_at_anchorage and anchorages_of(dest.name):
            anchor = self.anchor_point(dest, rng)
            legs.append(moving_leg("harbour", densified(sea_route(dest.approach, anchor), 250.0),
                                   ANCHORAGE_SPEED_KN, legs[-1].t1, port=dest.name, to_anchorage=True))
            wait = float(rng.uniform(1.0, 12.0) if dest.out_of_area else rng.uniform(1.5, 8.0)) * HOUR
            legs.append(stationary_leg("anchored", anchor, legs[-1].t1, legs[-1].t1 + wait, AT_ANCHOR,
                                       heading_deg=float(rng.uniform(0, 360)), port=dest.name,
                                       swing_m=float(rng.uniform(80, 180)), phase=float(rng.uniform(0, 6.28))))
            legs.append(moving_leg("harbour", densified(sea_route(anchor, dest.approach), 250.0),
                                   ANCHORAGE_SPEED_KN, legs[-1].t1, port=dest.name, from_anchorage=True))
        new_berth, heading = self.berth(dest, rng)
        legs.append(moving_leg("harbour", self.harbour_path(dest, new_berth, outbound=False), harbour_speed,
                               legs[-1].t1, port=dest.name, outbound=False))
        laden = rng.random() < (0.7 if origin.name in EXPORT_PORTS else 0.4)
        draught = vessel.max_draught_m * float(rng.uniform(0.85, 1.0) if laden else rng.uniform(0.45, 0.6))
        eta = legs[-1].t1 + float(rng.normal(0.0, 1.5)) * HOUR
        voyage = Voyage(self.destination_text(dest, rng), eta, round(draught, 1))
        for leg in legs:
            leg.voyage = voyage
        return legs, (new_berth, heading)

    def moored(self, port: Port, berth, heading: float, t0: float, t1: float, voyage: Voyage | None,
               rng: np.random.Generator) -> list[Leg]:
        """A stay alongside; out-of-area ports are a silent stay beyond the strait; some crews switch AIS off."""
        if port.out_of_area:
            return [stationary_leg("away", (port.lat, port.lon), t0, t1, MOORED, voyage, silent=True,
                                   port=port.name)]
        if t1 - t0 > 4 * HOUR and rng.random() < 0.08:
            off, on = t0 + float(rng.uniform(0.3, 1.0)) * HOUR, t1 - float(rng.uniform(0.5, 1.5)) * HOUR
            return [stationary_leg("moored", berth, t0, off, MOORED, voyage, heading, port=port.name),
                    stationary_leg("moored", berth, off, on, MOORED, voyage, heading, silent=True, port=port.name,
                                   benign="moored_ais_off"),
                    stationary_leg("moored", berth, on, t1, MOORED, voyage, heading, port=port.name)]
        return [stationary_leg("moored", berth, t0, t1, MOORED, voyage, heading, port=port.name)]

    def merchant(self, vessel: Vessel, rng: np.random.Generator) -> list[Leg]:
        legs: list[Leg] = []
        start = self.begin - HOUR
        u = rng.random()
        if u < STARTS_MOORED:
            port = self.choose_port(rng)
            berth, heading = self.berth(port, rng)
            t = self.begin + float(rng.uniform(0.5, MOORED_HOURS[1])) * HOUR
            legs += self.moored(port, berth, heading, start, t, Voyage(port.destination, None,
                                round(vessel.max_draught_m * 0.6, 1)), rng)
        elif u < STARTS_AWAY:
            origin = self.choose_port(rng, include_out_of_area=True)
            dest = self.choose_destination(origin, rng)
            berth, _ = self.berth(origin, rng)
            trip, (berth, heading) = self.voyage(vessel, origin, berth, dest, 0.0, rng,
                                                 wait_at_anchorage=None if u >= STARTS_AT_ANCHOR else True)
            total = trip[-1].t1
            # ships at anchor at the window's start are caught during their wait
            anchored = next((leg for leg in trip if leg.kind == "anchored"), None)
            if anchored is not None and u < STARTS_AT_ANCHOR:
                offset = self.begin - float(rng.uniform(anchored.t0, anchored.t1))
            else:
                offset = self.begin - float(rng.uniform(0.0, total))
            trip = [leg.shifted(offset) for leg in trip]
            legs += trip
            port = dest
            t = trip[-1].t1 + float(rng.uniform(*(AWAY_HOURS if dest.out_of_area else MOORED_HOURS))) * HOUR
            legs += self.moored(port, berth, heading, trip[-1].t1, t, trip[-1].voyage, rng)
        else:
            port = port_by_name("Istanbul")
            berth, heading = (port.lat, port.lon), 0.0
            t = self.begin + float(rng.uniform(0.0, 1.2)) * (self.end - self.begin)
            legs.append(stationary_leg("away", (port.lat, port.lon), start, t, MOORED, silent=True, port=port.name))
        while t < self.horizon:
            dest = self.choose_destination(port, rng)
            trip, (berth, heading) = self.voyage(vessel, port, berth, dest, t, rng)
            legs += trip
            stay = MOORED_HOURS if not dest.out_of_area else AWAY_HOURS
            stay_end = trip[-1].t1 + float(rng.uniform(*stay)) * HOUR
            legs += self.moored(dest, berth, heading, trip[-1].t1, stay_end, trip[-1].voyage, rng)
            port, t = dest, stay_end
        return legs

    # -- fishing, ferries, pleasure craft ---------------------------------------

    @staticmethod
    def _points_in(poly: shapely.Polygon, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
        minx, miny, maxx, maxy = poly.bounds
        out: list[tuple[float, float]] = []
        while len(out) < n:
            x, y = float(rng.uniform(minx, maxx)), float(rng.uniform(miny, maxy))
            if poly.contains(shapely.Point(x, y)):
                out.append((y, x))
        return out

    def fishing(self, vessel: Vessel, rng: np.random.Generator) -> list[Leg]:
        port = port_by_name(vessel.home_port)
        grounds = [(g, poly) for g, poly in zip(FISHING_GROUNDS, fishing_ground_polygons())
                   if port.name in g.home_ports]
        ground, poly = grounds[int(rng.integers(len(grounds)))]
        berth, heading = self.berth(port, rng)
        voyage = Voyage(port.destination, None, vessel.max_draught_m)
        day0 = np.floor((self.begin - 24 * HOUR) / 86_400.0) * 86_400.0
        legs: list[Leg] = []
        t = self.begin - 30 * HOUR
        for day in range(int((self.horizon - day0) // 86_400.0) + 2):
            depart = day0 + day * 86_400.0 + float(rng.uniform(0.5, 5.0)) * HOUR
            if depart < t or rng.random() < 0.15:  # some days the boat stays in
                continue
            legs += self.moored(port, berth, heading, t, depart, voyage, rng)
            out = self.harbour_path(port, berth, outbound=True)
            legs.append(moving_leg("harbour", out, min(vessel.speed_kn, HARBOUR_SPEED_KN), depart, port=port.name))
            tows = self._points_in(poly, 12, rng)
            to_ground = densified(sea_route(port.approach, tows[0]), 1000.0)
            legs.append(moving_leg("transit", to_ground, vessel.speed_kn, legs[-1].t1))
            fishing_hours = float(rng.uniform(6.0, 12.0))
            tow_path = densified(tows, 500.0)
            speed = float(rng.uniform(2.5, 4.0))
            cum = path_length_m(tow_path[:, 0], tow_path[:, 1])
            wanted = speed * KNOT_MS * fishing_hours * HOUR
            tow_path = tow_path[: max(int(np.searchsorted(cum, wanted)), 2)]
            legs.append(moving_leg("fishing", tow_path, speed, legs[-1].t1, FISHING, benign="fishing",
                                   ground=ground.name))
            back = densified(sea_route(tuple(tow_path[-1]), port.approach), 1000.0)
            legs.append(moving_leg("transit", back, vessel.speed_kn, legs[-1].t1))
            legs.append(moving_leg("harbour", self.harbour_path(port, berth, outbound=False),
                                   min(vessel.speed_kn, HARBOUR_SPEED_KN), legs[-1].t1, port=port.name))
            t = legs[-1].t1
            if t > self.horizon:
                break
        if t < self.horizon:
            legs += self.moored(port, berth, heading, t, self.horizon + HOUR, voyage, rng)
        return legs

    def ferry(self, vessel: Vessel, rng: np.random.Generator) -> list[Leg]:
        a, b = (port_by_name(p) for p in vessel.ferry_line)
        here, there = (a, b) if vessel.home_port == a.name else (b, a)
        berths = {p.name: self.berth(p, rng) for p in (a, b)}
        t = self.begin - 6 * HOUR
        legs: list[Leg] = []
        while t < self.horizon:
            depart = t + float(rng.uniform(0.5, 1.25)) * HOUR
            hour = datetime.fromtimestamp(depart, timezone.utc).hour
            if hour >= 20 or hour < 4:  # no night sailings: wait for the 04:00 UTC departure
                depart = depart + ((4 - hour) % 24) * HOUR
            voyage = Voyage(there.destination, None, vessel.max_draught_m)
            legs += self.moored(here, *berths[here.name], t, depart, voyage, rng)
            out = moving_leg("harbour", self.harbour_path(here, berths[here.name][0], True), 10.0, depart,
                             voyage=voyage, port=here.name)
            crossing = moving_leg("transit", densified(lane(here, there)), vessel.speed_kn, out.t1, voyage=voyage,
                                  benign="fast_ferry")
            arrive = moving_leg("harbour", self.harbour_path(there, berths[there.name][0], False), 10.0,
                                crossing.t1, voyage=voyage, port=there.name)
            legs += [out, crossing, arrive]
            here, there, t = there, here, arrive.t1
        return legs

    def pleasure(self, vessel: Vessel, rng: np.random.Generator) -> list[Leg]:
        port = port_by_name(vessel.home_port)
        berth, heading = self.berth(port, rng)
        voyage = Voyage(port.destination, None, vessel.max_draught_m)
        grid = nav_grid()
        legs: list[Leg] = []
        t = self.begin - 6 * HOUR
        day0 = np.floor(self.begin / 86_400.0) * 86_400.0
        for day in range(int((self.horizon - day0) // 86_400.0) + 1):
            depart = day0 + day * 86_400.0 + float(rng.uniform(6.0, 11.0)) * HOUR
            if depart < t or rng.random() < 0.4:
                continue
            out = self.harbour_path(port, berth, outbound=True)
            bearing = float(rng.uniform(0, 360))
            target = destination_point(port.approach[0], port.approach[1], bearing, float(rng.uniform(4e3, 12e3)))
            target = (float(target[0]), float(target[1]))
            if not grid.segment_at_sea(port.approach, target):
                continue
            legs += self.moored(port, berth, heading, t, depart, voyage, rng)
            legs.append(moving_leg("harbour", out, vessel.speed_kn, depart, UNDER_WAY_SAILING, port=port.name))
            trip = densified([port.approach, target, port.approach], 500.0)
            legs.append(moving_leg("trip", trip, vessel.speed_kn, legs[-1].t1, UNDER_WAY_SAILING))
            legs.append(moving_leg("harbour", self.harbour_path(port, berth, outbound=False), vessel.speed_kn,
                                   legs[-1].t1, UNDER_WAY_SAILING, port=port.name))
            t = legs[-1].t1
        legs += self.moored(port, berth, heading, t, max(t, self.horizon) + HOUR, voyage, rng)
        return legs

    # -- tugs and pilot boats ------------------------------------------------------

    @staticmethod
    def movements(plans: dict[int, list[Leg]]) -> list[Movement]:
        """Every merchant harbour leg in or out of a port in the area, in time order."""
        found = []
        for index, legs in plans.items():
            for leg in legs:
                if leg.kind == "harbour" and "outbound" in leg.meta and not port_by_name(leg.meta["port"]).out_of_area:
                    found.append(Movement(index, leg.meta["port"], leg, inbound=not leg.meta["outbound"]))
        return sorted(found, key=lambda m: (m.leg.t0, m.vessel_index))

    def port_service(self, vessel: Vessel, movements: list[Movement], rng: np.random.Generator,
                     claimed: set[int]) -> list[Leg]:
        """Tug or pilot-boat legs serving ``movements`` at its home port; ``claimed`` holds the ids taken.

        A pilot boat meets an inbound ship at the pilot station and collects the
        pilot from an outbound one there; a tug takes an inbound ship over the
        last part of its harbour leg and an outbound one over the first.
        """
        port = port_by_name(vessel.home_port)
        berth, heading = self.berth(port, rng)
        speed = vessel.speed_kn
        voyage = Voyage(port.destination, None, vessel.max_draught_m)
        is_tug = vessel.role == "tug"
        legs: list[Leg] = []
        free_at = self.begin - 3 * HOUR
        for job in movements:
            if job.port != port.name or id(job) in claimed or job.leg.t1 < self.begin - HOUR \
                    or job.leg.t0 > self.horizon or rng.random() < 0.25:
                continue
            ship_leg = job.leg
            span = min(ship_leg.duration_s, (0.4 if is_tug else 0.15) * ship_leg.duration_s + 600.0)
            at_berth_end = job.inbound if is_tug else not job.inbound
            ta = ship_leg.t1 - span if at_berth_end else ship_leg.t0
            # to and from the ship along its own harbour path (a river fairway is no straight line)
            ship_berth_time = ship_leg.t1 if job.inbound else ship_leg.t0
            to_meet = densified([berth, *_along_ship(ship_leg, ship_berth_time, ta)], 200.0)
            travel = path_length_m(to_meet[:, 0], to_meet[:, 1])[-1] / (speed * KNOT_MS)
            leave = ta - travel
            if leave < free_at + 60.0:
                continue
            claimed.add(id(job))
            legs += self.moored(port, berth, heading, free_at, leave, voyage, rng)
            legs.append(moving_leg("harbour", to_meet, speed, leave, port=port.name))
            ta = legs[-1].t1
            side = 35.0 if is_tug else 60.0
            escort_path = lateral_offset(cut_path(ship_leg, ta, ta + span), side if rng.random() < 0.5 else -side)
            legs.append(Leg("escort", ta, ta + span, UNDER_WAY, path=escort_path, voyage=voyage,
                            meta={"port": port.name, "benign": "tug_alongside" if is_tug else "pilot",
                                  "other": job.vessel_index}))
            home = densified([legs[-1].end, *_along_ship(ship_leg, ta + span, ship_berth_time), berth], 200.0)
            legs.append(moving_leg("harbour", home, speed, legs[-1].t1, port=port.name))
            free_at = legs[-1].t1
        legs += self.moored(port, berth, heading, free_at, self.horizon + HOUR, voyage, rng)
        return legs

    # -- everything ---------------------------------------------------------------

    def plan(self, vessel: Vessel, rng: np.random.Generator) -> list[Leg]:
        if vessel.role in MERCHANT_ROLES:
            return self.merchant(vessel, rng)
        if vessel.role == "fishing":
            return self.fishing(vessel, rng)
        if vessel.role == "fast_ferry":
            return self.ferry(vessel, rng)
        if vessel.role == "pleasure":
            return self.pleasure(vessel, rng)
        raise ValueError(f"{vessel.role} vessels are planned by port_service")


def _along_ship(leg: Leg, t_from: float, t_to: float) -> list[tuple[float, float]]:
    """Points of a ship's harbour path from where it is at ``t_from`` to where it is at ``t_to``."""
    part = cut_path(leg, min(t_from, t_to), max(t_from, t_to))
    points = [(float(a), float(b)) for a, b in part]
    return points if t_from <= t_to else points[::-1]


def continuous(legs: list[Leg]) -> bool:
    """True if each leg starts when the previous ends (plans must have no holes)."""
    return all(abs(a.t1 - b.t0) < 1e-6 for a, b in zip(legs[:-1], legs[1:]))
