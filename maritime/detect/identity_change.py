"""identity_change: the name, call sign or IMO number an MMSI reports changes.

Each field is compared with the last report that carried it, so a class B's part A
(name) is compared with earlier names and its part B (call sign) with earlier call
signs; missing values and ``@`` padding are ignored. Destination, ETA and draught
change on every voyage and are not looked at.

A swap of several fields arrives over a few reports (a class B sends its name and
call sign minutes apart): changes within ``identity_merge_minutes`` of the first
make one event. A transition already seen on this MMSI (A→B again after B→A, two
transmitters sharing the number) is counted on the first event, not raised again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Optional

import pandas as pd

from maritime.detect.events import Event
from maritime.detect.identity import Places, clean_imo, clean_text, plain_time
from maritime.detect.tracks import TrackContext

FIELDS = {"name": clean_text, "callsign": clean_text, "imo": clean_imo}


@dataclass
class Change:
    field: str
    old: Any
    old_seen: datetime  # the last report with the old value
    new: Any
    new_seen: datetime  # the first report with the new value
    repeats: int = 0  # later reports of the same transition

    def as_evidence(self) -> dict:
        return {"field": self.field, "old": self.old, "old_seen": self.old_seen.isoformat() + "Z", "new": self.new,
                "new_seen": self.new_seen.isoformat() + "Z", "repeats": self.repeats}


@dataclass
class Swap:
    """Changes close enough in time to be one change of identity."""

    changes: list[Change] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.changes[0].new_seen

    @property
    def end(self) -> datetime:
        return self.changes[-1].new_seen

    def fields(self) -> list[str]:
        return [c.field for c in self.changes]


def field_changes(reports: pd.DataFrame) -> list[Change]:
    """One vessel's identity reports in time order → its first-time transitions, each field on its own."""
    last: dict[str, tuple[Any, datetime]] = {}
    first_of: dict[tuple, Change] = {}
    changes = []
    for row in reports[["time", *FIELDS]].itertuples(index=False):
        when = plain_time(row.time)
        for name, clean in FIELDS.items():
            value = clean(getattr(row, name))
            if value is None:
                continue
            known = last.get(name)
            last[name] = (value, when)
            if known is None or known[0] == value:
                continue
            transition = (name, known[0], value)
            if transition in first_of:
                first_of[transition].repeats += 1
                continue
            change = Change(name, known[0], known[1], value, when)
            first_of[transition] = change
            changes.append(change)
    return changes


def group_swaps(changes: list[Change], merge: timedelta) -> list[Swap]:
    swaps: list[Swap] = []
    for change in changes:
        current = swaps[-1] if swaps else None
        if current is not None and change.new_seen - current.start <= merge and change.field not in current.fields():
            current.changes.append(change)
        else:
            swaps.append(Swap([change]))
    return swaps


def _severity(fields: list[str]) -> tuple[str, float]:
    """An IMO number belongs to the hull for life; a change of it, or of several fields at once, is critical."""
    score = min(1.0, 0.5 + 0.2 * len(fields) + (0.1 if "imo" in fields else 0.0))
    return ("critical" if "imo" in fields or len(fields) > 1 else "warning"), round(score, 2)


def _event(mmsi: int, swap: Swap, place: tuple[Optional[float], Optional[float]], merge_minutes: float) -> Event:
    fields = swap.fields()
    severity, score = _severity(fields)
    return Event(
        kind="identity_change", mmsi=mmsi, start=swap.start, end=swap.end, lat=place[0], lon=place[1],
        severity=severity, score=score, detector="identity_change", detected_at=swap.start,
        evidence={"fields": fields, "changes": [c.as_evidence() for c in swap.changes],
                  "thresholds": {"identity_merge_minutes": merge_minutes}},
    )


def cleaned(statics: pd.DataFrame) -> pd.DataFrame:
    """mmsi, time and the compared fields, cleaned (each distinct raw value cleaned once)."""
    frame = statics[["mmsi", "time"]].copy()
    for name, clean in FIELDS.items():
        column = statics[name]
        frame[name] = column.map({raw: clean(raw) for raw in column.dropna().unique()})
    return frame


def detect_identity_change(ctx: TrackContext) -> list[Event]:
    s = ctx.settings
    if ctx.statics.empty:
        return []
    statics = cleaned(ctx.statics)
    distinct = statics.groupby("mmsi")[list(FIELDS)].nunique()
    changed = distinct.index[(distinct > 1).any(axis=1)]
    merge = timedelta(minutes=s.identity_merge_minutes)
    places = Places(ctx.tracks, timedelta(minutes=s.identity_position_max_gap_minutes))
    events = []
    for mmsi, reports in statics[statics["mmsi"].isin(changed)].groupby("mmsi", sort=True):
        for swap in group_swaps(field_changes(reports.sort_values("time", kind="stable")), merge):
            events.append(_event(int(mmsi), swap, places.at(int(mmsi), swap.start), s.identity_merge_minutes))
    return events
