"""Stage 2 of anomaly injection: falsify the reports where the planned events are, and label them.

Each planned :class:`~maritime.simulate.anomalies.Event` marks its legs with
``meta["anomaly"] = event.id``; here the reports of those legs get their false
positions, speeds or identities, MMSI clones are labelled, and every label is
read off the reports as they were sent (first and last report of the event).
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from maritime.geo.geodesy import KNOT_MS, destination_point, haversine_m
from maritime.simulate.anomalies import GNSS_AREA_RADIUS_M, GNSS_MIN_VESSELS, Clone, Event
from maritime.simulate.labels import Label
from maritime.simulate.placement import open_sea
from maritime.simulate.reporting import Transmitter
from maritime.simulate.zones import ZONES


class Tamperer:
    """Applies planned events to the transmitters' reports; ``skipped`` counts events that left no trace."""

    def __init__(self, events: list[Event], clones: list[Clone], used: set[int], seed: int,
                 skipped: dict[str, int]):
        self.events = events
        self.clones = clones
        self.used = used
        self.seed = seed
        self.skipped = skipped

    def apply(self, transmitters: dict) -> list[Label]:
        """Falsify reports where the events say so; return the labels of everything injected."""
        labels: list[Label] = []
        for event in self.events:
            rng = np.random.default_rng([self.seed, 8, event.id])
            if event.kind == "gnss_interference":
                continue
            label = getattr(self, f"_{event.kind}", self._leg_span)(event, transmitters, rng)
            if label is None:
                self.skipped[event.kind] = self.skipped.get(event.kind, 0) + 1
            else:
                labels.append(label)
        for event in self.events:  # last: it must not overwrite the other events' vessels
            if event.kind == "gnss_interference":
                rng = np.random.default_rng([self.seed, 8, event.id])
                label = self._gnss_interference(event, transmitters, rng)
                if label is None:
                    self.skipped[event.kind] = self.skipped.get(event.kind, 0) + 1
                else:
                    labels.append(label)
        return labels

    @staticmethod
    def _rows(tx: Transmitter, event_id: int) -> np.ndarray:
        legs = [i for i, leg in enumerate(tx.legs) if leg.meta.get("anomaly") == event_id]
        return np.nonzero(np.isin(tx.reports.leg, legs))[0]

    def _leg_span(self, event: Event, transmitters: dict[int, Transmitter],
                         rng: np.random.Generator) -> Optional[Label]:
        """Loitering and route deviation: the label is the span of the event's reports, as sent."""
        tx = transmitters[event.vessel]
        rows = self._rows(tx, event.id)
        if len(rows) < 2:
            return None
        r = tx.reports
        return Label(event.kind, tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), float(r.lat[rows[0]]),
                     float(r.lon[rows[0]]))

    def _rendezvous(self, event: Event, transmitters: dict[int, Transmitter],
                           rng: np.random.Generator) -> Optional[Label]:
        a, b = transmitters[event.vessel], transmitters[event.other]
        rows_a, rows_b = self._rows(a, event.id), self._rows(b, event.id)
        if len(rows_a) < 2 or len(rows_b) < 2:
            return None
        start = max(a.reports.t[rows_a[0]], b.reports.t[rows_b[0]])
        end = min(a.reports.t[rows_a[-1]], b.reports.t[rows_b[-1]])
        lat, lon = event.params["point"]
        return Label("rendezvous", a.mmsi, float(start), float(end), lat, lon, other_mmsi=b.mmsi)

    def _zone_entry(self, event: Event, transmitters: dict[int, Transmitter],
                           rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        zone = next(z for z in ZONES if z.name == event.params["zone"])
        rows = self._rows(tx, event.id)
        r = tx.reports
        rows = rows[zone.contains(r.lat[rows], r.lon[rows])]
        if len(rows) == 0:
            return None
        return Label("zone_entry", tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), float(r.lat[rows[0]]),
                     float(r.lon[rows[0]]))

    def _ais_gap(self, event: Event, transmitters: dict[int, Transmitter],
                        rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        leg_index = next(i for i, leg in enumerate(tx.legs) if leg.meta.get("anomaly") == event.id)
        r = tx.reports
        before = np.nonzero(r.leg < leg_index)[0]
        after = np.nonzero(r.leg > leg_index)[0]
        if len(before) == 0 or len(after) == 0:
            return None
        a, b = before[-1], after[0]
        tx.silences.append((float(r.t[a]) + 1, float(r.t[b]) - 1))
        return Label("ais_gap", tx.mmsi, float(r.t[a]), float(r.t[b]), float(r.lat[a]), float(r.lon[a]))

    def _position_jump(self, event: Event, transmitters: dict[int, Transmitter],
                              rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        rows = self._rows(tx, event.id)[: event.params["reports"]]
        if len(rows) == 0:
            return None
        r = tx.reports
        for _ in range(50):
            lat, lon = destination_point(r.true_lat[rows[0]], r.true_lon[rows[0]], float(rng.uniform(0, 360)),
                                         float(rng.uniform(40_000.0, 150_000.0)))
            if open_sea(lat, lon, from_ports_m=10_000.0):
                break
        else:
            return None
        r.lat[rows] = lat + rng.normal(0.0, 0.0002, len(rows))
        r.lon[rows] = lon + rng.normal(0.0, 0.0003, len(rows))
        return Label("position_jump", tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), float(lat), float(lon))

    def _on_land(self, event: Event, transmitters: dict[int, Transmitter],
                        rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        rows = self._rows(tx, event.id)[: event.params["reports"]]
        if len(rows) < 2:
            return None
        lat, lon = event.params["inland"]
        r = tx.reports
        r.lat[rows] = lat + rng.normal(0.0, 0.001, len(rows))
        r.lon[rows] = lon + rng.normal(0.0, 0.0013, len(rows))
        return Label("on_land", tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), lat, lon)

    def _circle_spoofing(self, event: Event, transmitters: dict[int, Transmitter],
                                rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        rows = self._rows(tx, event.id)
        if len(rows) < 5:
            return None
        r = tx.reports
        p = event.params
        centre = destination_point(r.true_lat[rows[0]], r.true_lon[rows[0]], float(rng.uniform(0, 360)),
                                   float(rng.uniform(0.0, 2_000.0)))
        lat, lon, sog, cog = _circle(centre, p["radius_m"], p["speed_kn"], r.t[rows] - r.t[rows[0]],
                                     float(rng.uniform(0, 360)), p["clockwise"])
        r.lat[rows], r.lon[rows] = lat, lon
        r.sog[rows], r.cog[rows] = np.round(sog + rng.normal(0, 0.1, len(rows)), 1), np.round(cog, 1) % 360
        if (r.heading[rows] != 511).any():
            r.heading[rows] = np.round(cog).astype(np.int64) % 360
        return Label("circle_spoofing", tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), float(centre[0]),
                     float(centre[1]))

    def _speed_anomaly(self, event: Event, transmitters: dict[int, Transmitter],
                              rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        rows = self._rows(tx, event.id)[: event.params["reports"]]
        if len(rows) < 3:
            return None
        r = tx.reports
        r.sog[rows] = np.round(event.params["speed_kn"] + rng.normal(0.0, 0.4, len(rows)), 1)
        return Label("speed_anomaly", tx.mmsi, float(r.t[rows[0]]), float(r.t[rows[-1]]), float(r.lat[rows[0]]),
                     float(r.lon[rows[0]]))

    def _mmsi_conflict(self, event: Event, transmitters: dict[int, Transmitter],
                              rng: np.random.Generator) -> Optional[Label]:
        clone = next((c for c in self.clones if c.event is event), None)
        tx = transmitters.get(f"clone-{event.id}")
        if clone is None or tx is None or len(tx.reports) == 0:
            return None
        r = tx.reports
        return Label("mmsi_conflict", tx.mmsi, float(r.t[0]), float(r.t[-1]), float(r.lat[0]), float(r.lon[0]))

    def _identity_change(self, event: Event, transmitters: dict[int, Transmitter],
                                rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        tx.identities.append((event.params["at"], event.params["identity"]))
        # the label's time is set once static report times are known (see identity_change_label)
        return Label("identity_change", tx.mmsi, event.params["at"], event.params["at"], 0.0, 0.0)

    def _invalid_identity(self, event: Event, transmitters: dict[int, Transmitter],
                                 rng: np.random.Generator) -> Optional[Label]:
        tx = transmitters[event.vessel]
        r = tx.reports
        if len(r) == 0:
            return None
        return Label("invalid_identity", tx.mmsi, float(r.t[0]), float(r.t[-1]), float(r.lat[0]), float(r.lon[0]))

    def _gnss_interference(self, event: Event, transmitters: dict[int, Transmitter],
                                  rng: np.random.Generator) -> Optional[Label]:
        p = event.params
        t0, t1 = p["window"]
        fake_lat, fake_lon = p["false_point"]
        affected: list[int] = []
        first, last = np.inf, -np.inf
        spoof_radius = 2_000.0
        for key, tx in transmitters.items():
            if not isinstance(key, int) or (key in self.used and not self._gnss_vessel(key, event)):
                continue
            r = tx.reports
            rows = np.nonzero((r.t >= t0) & (r.t <= t1))[0]
            if len(rows) == 0:
                continue
            rows = rows[haversine_m(r.true_lat[rows], r.true_lon[rows], *p["centre"]) <= GNSS_AREA_RADIUS_M]
            if len(rows) == 0:
                continue
            if p["variant"] == "same_point":
                r.lat[rows] = fake_lat + rng.normal(0.0, 0.0003, len(rows))
                r.lon[rows] = fake_lon + rng.normal(0.0, 0.0004, len(rows))
            else:
                lat, lon, _, _ = _circle((fake_lat, fake_lon), spoof_radius, 10.0, r.t[rows] - t0, 0.0, True)
                r.lat[rows], r.lon[rows] = lat, lon
            affected.append(tx.mmsi)
            first, last = min(first, float(r.t[rows[0]])), max(last, float(r.t[rows[-1]]))
        if len(affected) < GNSS_MIN_VESSELS:
            return None
        return Label("gnss_interference", None, first, last, fake_lat, fake_lon, mmsis=sorted(set(affected)))

    def _gnss_vessel(self, index: int, event: Event) -> bool:
        """Vessels placed in the area for this event (as opposed to ones carrying other anomalies)."""
        return not any(e.vessel == index or e.other == index for e in self.events if e is not event)


def identity_change_label(label: Label, tx: Transmitter, static_times: np.ndarray) -> Optional[Label]:
    """Pin an identity_change label to the first static report heard with the new identity.

    ``static_times`` are the times of the transmitter's static reports that a receiver heard.
    """
    after = static_times[static_times >= label.start]
    if len(after) == 0:
        return None
    t = float(after[0])
    r = tx.reports
    i = int(np.clip(np.searchsorted(r.t, t), 0, len(r) - 1))
    return Label("identity_change", label.mmsi, t, t, float(r.lat[i]), float(r.lon[i]))


def _circle(centre, radius_m: float, speed_kn: float, dt: np.ndarray, start_deg: float, clockwise: bool):
    """Positions sweeping a circle at a steady speed; returns lat, lon, sog, cog."""
    omega = np.degrees(speed_kn * KNOT_MS / radius_m)  # degrees of arc per second
    sign = 1.0 if clockwise else -1.0
    theta = start_deg + sign * omega * np.asarray(dt, dtype=float)
    lat, lon = destination_point(np.full(len(theta), centre[0]), np.full(len(theta), centre[1]), theta, radius_m)
    cog = (theta + sign * 90.0) % 360.0
    return np.asarray(lat), np.asarray(lon), np.full(len(theta), speed_kn), cog
