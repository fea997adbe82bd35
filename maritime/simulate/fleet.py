"""The simulated fleet: who the vessels are (identity, type, size, AIS class) and where they belong.

Each vessel has a *role* that decides how it behaves (see :mod:`.itinerary`):
merchant roles trade between ports; fishing boats work their grounds; tugs and
pilot boats serve their home port; fast ferries shuttle on one line; pleasure
craft make short trips from their marina.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional

import numpy as np

from maritime.geo.ports import FISHING_GROUNDS, PORTS, Port, port_by_name
from maritime.simulate.identity import FLAGS, TRADER_FLAGS, make_callsign, make_imo, make_mmsi, make_name

MERCHANT_ROLES = ("bulk", "tanker", "container", "passenger")


@dataclass(frozen=True)
class Profile:
    role: str
    share: float  # of the fleet (relative: normalised over all roles)
    ship_types: tuple[int, ...]  # AIS ship and cargo type codes
    class_b_share: float
    speed_kn: tuple[float, float]  # service speed range
    length_m: tuple[float, float]
    beam_ratio: tuple[float, float]  # beam / length
    draught_m: tuple[float, float]  # laden draught range
    has_imo: bool


PROFILES: dict[str, Profile] = {p.role: p for p in (
    Profile("bulk", 0.30, (70, 70, 70, 79), 0.0, (10.0, 13.5), (90, 230), (0.14, 0.17), (6.0, 13.5), True),
    Profile("tanker", 0.16, (80, 80, 81, 82, 84), 0.0, (10.5, 14.0), (100, 250), (0.15, 0.18), (6.5, 14.5), True),
    Profile("container", 0.05, (71, 70), 0.0, (14.0, 18.5), (140, 300), (0.13, 0.15), (8.0, 13.0), True),
    Profile("passenger", 0.03, (60, 69), 0.0, (15.0, 19.0), (120, 200), (0.14, 0.16), (5.5, 7.0), True),
    Profile("fast_ferry", 0.02, (40,), 0.0, (30.0, 36.0), (30, 48), (0.25, 0.30), (1.5, 2.2), True),
    Profile("fishing", 0.14, (30,), 0.7, (8.0, 10.0), (12, 35), (0.25, 0.30), (1.5, 3.5), False),
    Profile("tug", 0.07, (52,), 0.1, (9.0, 12.0), (22, 35), (0.30, 0.35), (3.0, 5.0), False),
    Profile("pilot", 0.04, (50,), 0.0, (16.0, 22.0), (12, 20), (0.28, 0.33), (1.0, 1.8), False),
    Profile("pleasure", 0.06, (37, 36), 1.0, (5.0, 8.0), (8, 20), (0.28, 0.34), (1.0, 2.5), False),
)}

FERRY_LINES: tuple[tuple[str, str], ...] = (("Varna", "Burgas"), ("Batumi", "Poti"))
MARINAS = ("Varna", "Burgas", "Constanta", "Mangalia", "Odesa", "Batumi", "Samsun", "Trabzon")
# Where tugs and pilots work, weighted by port calls (Istanbul's are beyond the area).
SERVICE_PORTS = tuple(p.name for p in PORTS if not p.out_of_area and p.traffic_weight >= 1.0)


@dataclass(frozen=True)
class Identity:
    """What the vessel says about itself in static reports."""

    mmsi: int
    name: str
    callsign: str
    imo: int  # 0 when it has none
    ship_type: int
    to_bow: int
    to_stern: int
    to_port: int
    to_starboard: int


@dataclass
class Vessel:
    index: int
    role: str
    ais_class: str  # "A" or "B"
    flag: str
    identity: Identity
    speed_kn: float
    max_draught_m: float
    home_port: Optional[str] = None  # tugs, pilots, fishing, pleasure, ferries
    ferry_line: Optional[tuple[str, str]] = None
    heading_sensor: bool = True  # without one, heading is reported as 511
    sog_sensor: bool = True  # without one, speed is reported as 102.3
    notes: dict = field(default_factory=dict)

    @property
    def mmsi(self) -> int:
        return self.identity.mmsi

    @property
    def length_m(self) -> int:
        return self.identity.to_bow + self.identity.to_stern

    def with_identity(self, **changes) -> Identity:
        return replace(self.identity, **changes)


def role_counts(n: int) -> dict[str, int]:
    """How many vessels of each role in a fleet of ``n`` (largest remainder; a ferry once n ≥ 20)."""
    total = sum(p.share for p in PROFILES.values())
    exact = {role: p.share / total * n for role, p in PROFILES.items()}
    counts = {role: int(v) for role, v in exact.items()}
    for role in sorted(exact, key=lambda r: exact[r] - counts[r], reverse=True)[: n - sum(counts.values())]:
        counts[role] += 1
    if n >= 20 and counts["fast_ferry"] == 0:
        counts["fast_ferry"] = 1
        counts["bulk"] -= 1
    return counts


def _pick_flag(rng: np.random.Generator, role: str, home_port: Optional[str]) -> str:
    if home_port is not None:
        return port_by_name(home_port).country
    flags = list(TRADER_FLAGS)
    weights = np.array([TRADER_FLAGS[f] for f in flags])
    return str(rng.choice(flags, p=weights / weights.sum()))


def _home_port(rng: np.random.Generator, role: str, index_in_role: int) -> tuple[Optional[str], Optional[tuple]]:
    if role == "fast_ferry":
        line = FERRY_LINES[index_in_role % len(FERRY_LINES)]
        return line[0] if index_in_role % 2 == 0 else line[1], line
    if role == "fishing":
        ground = FISHING_GROUNDS[int(rng.integers(len(FISHING_GROUNDS)))]
        return str(rng.choice(ground.home_ports)), None
    if role in ("tug", "pilot"):
        weights = np.array([port_by_name(p).traffic_weight for p in SERVICE_PORTS])
        return str(rng.choice(SERVICE_PORTS, p=weights / weights.sum())), None
    if role == "pleasure":
        return str(rng.choice(MARINAS)), None
    return None, None


def build_fleet(n: int, rng: np.random.Generator) -> list[Vessel]:
    """``n`` vessels with unique MMSIs, names and call signs, in a shuffled but seed-determined order."""
    roles = [role for role, count in role_counts(n).items() for _ in range(count)]
    roles = [roles[i] for i in rng.permutation(len(roles))]
    taken_mmsi: set[int] = set()
    taken_names: set[str] = set()
    taken_calls: set[str] = set()
    seen_in_role: dict[str, int] = {}
    fleet = []
    for index, role in enumerate(roles):
        profile = PROFILES[role]
        k = seen_in_role.get(role, 0)
        seen_in_role[role] = k + 1
        home, line = _home_port(rng, role, k)
        flag = FLAGS[_pick_flag(rng, role, home)]
        ais_class = "B" if rng.random() < profile.class_b_share else "A"
        length = float(rng.uniform(*profile.length_m))
        beam = length * float(rng.uniform(*profile.beam_ratio))
        to_bow = int(round(length * rng.uniform(0.75, 0.88)))
        to_port = int(round(beam * rng.uniform(0.4, 0.6)))
        identity = Identity(
            mmsi=make_mmsi(rng, flag, taken_mmsi),
            name=make_name(rng, flag.country, role, taken_names),
            callsign=make_callsign(rng, flag, taken_calls),
            imo=make_imo(rng) if profile.has_imo or (ais_class == "A" and length > 24 and rng.random() < 0.5) else 0,
            ship_type=int(rng.choice(profile.ship_types)),
            to_bow=min(to_bow, 511),
            to_stern=min(max(int(round(length)) - to_bow, 1), 511),
            to_port=min(max(to_port, 1), 63),
            to_starboard=min(max(int(round(beam)) - to_port, 1), 63),
        )
        fleet.append(Vessel(
            index=index,
            role=role,
            ais_class=ais_class,
            flag=flag.country,
            identity=identity,
            speed_kn=float(rng.uniform(*profile.speed_kn)),
            max_draught_m=round(float(rng.uniform(*profile.draught_m)), 1),
            home_port=home,
            ferry_line=line,
            heading_sensor=ais_class == "A" and rng.random() > 0.08 or ais_class == "B" and rng.random() < 0.15,
            sog_sensor=not (ais_class == "B" and rng.random() < 0.05),
        ))
    return fleet


def home(vessel: Vessel) -> Optional[Port]:
    return port_by_name(vessel.home_port) if vessel.home_port else None
