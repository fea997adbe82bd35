"""Run every rule detector over a window, let parent kinds suppress their children, store the events."""

from __future__ import annotations

import time as clock
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Iterable, Optional

from sqlalchemy import Engine

from maritime.config import DetectSettings
from maritime.detect.events import Event
from maritime.detect.lane_history import lanes_for_window
from maritime.detect.tracks import TrackContext, load_context
from maritime.store.events import save_events

Detector = Callable[[TrackContext], list[Event]]

# A parent event explains child events on the same vessel at the same time: a spoofed
# inland position is on_land, not also a position_jump; a cloned MMSI is one
# mmsi_conflict, not fifty jumps; a rendezvous is not also two loiterings (nor two route deviations).
SUPPRESSES: dict[str, tuple[str, ...]] = {
    "gnss_interference": ("position_jump", "on_land", "circle_spoofing", "speed_anomaly"),
    "mmsi_conflict": ("position_jump", "ais_gap", "speed_anomaly", "on_land"),
    "on_land": ("position_jump", "speed_anomaly"),
    "circle_spoofing": ("position_jump", "speed_anomaly", "loitering"),
    "rendezvous": ("loitering", "route_deviation"),
    # a ship that left the lanes to loiter, or to cross a zone, did deviate: the reason is the event
    "loitering": ("route_deviation",),
    "zone_entry": ("route_deviation",),
}
OVERLAP_SLACK = timedelta(minutes=10)


def rule_detectors() -> tuple[Detector, ...]:
    """The rule detectors, one module per kind."""
    from maritime.detect import registry

    return registry.RULES


def _span(event: Event, newest: datetime) -> tuple[datetime, datetime]:
    return event.start - OVERLAP_SLACK, (event.end or newest) + OVERLAP_SLACK


def _vessels_of(event: Event) -> set[int]:
    vessels = {m for m in (event.mmsi, event.other_mmsi) if m is not None}
    vessels.update(event.evidence.get("mmsis", ()))
    return vessels


def suppress_children(events: list[Event]) -> list[Event]:
    """Drop events explained by a parent event on the same vessel and time; a model's outlier
    is dropped when any rule already covers the stretch."""
    if not events:
        return events
    newest = max((e.end or e.start) for e in events)
    parents = [e for e in events if e.kind in SUPPRESSES]
    rules = [e for e in events if e.kind != "behaviour_outlier"]
    kept = []
    for event in events:
        start, end = _span(event, newest)
        vessels = _vessels_of(event)

        def explains(parent: Event) -> bool:
            p_start, p_end = _span(parent, newest)
            return parent is not event and bool(vessels & _vessels_of(parent)) and p_start <= end and start <= p_end

        if any(event.kind in SUPPRESSES[p.kind] and explains(p) for p in parents):
            continue
        if event.kind == "behaviour_outlier" and any(explains(r) for r in rules):
            continue
        kept.append(event)
    return kept


def run_rules(context: TrackContext, detectors: Optional[Iterable[Detector]] = None) -> list[Event]:
    events: list[Event] = []
    for detect in detectors if detectors is not None else rule_detectors():
        events.extend(detect(context))
    return suppress_children(events)


@dataclass
class DetectReport:
    events: list[Event] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    positions: int = 0
    vessels: int = 0
    seconds: float = 0.0

    def by_kind(self) -> Counter:
        return Counter(e.kind for e in self.events)


def detect_window(engine: Engine, since: Optional[datetime], until: Optional[datetime],
                  settings: Optional[DetectSettings] = None) -> DetectReport:
    """`maritime detect`: every rule over stored tracks in [since, until); idempotent."""
    settings = settings or DetectSettings()
    started = clock.perf_counter()
    with engine.connect() as connection:
        context = load_context(connection, since, until, settings)
        context.lanes = lanes_for_window(connection, since, settings)  # None: no history before the window
    events = run_rules(context)
    with engine.begin() as connection:
        new, updated = save_events(connection, events)
    return DetectReport(events, new, updated, len(context.tracks), context.tracks["mmsi"].nunique(),
                        clock.perf_counter() - started)
