"""Score detected events against ground truth (``maritime simulate``'s labels.jsonl), kind by kind.

An event matches a label of the same kind on the same vessel (either order of a
rendezvous pair; for gnss_interference a shared vessel or the event's place within
``area_m`` of the label's) whose time overlaps, widened by ``tolerance``. Each label
and each event is matched at most once, and as many as possible are (a maximum
bipartite matching). Unmatched events are false positives, unmatched labels false
negatives. Time to alert is ``detected_at - label start``: how long after the
behaviour began the event was raised, in data time.

False alarms are given per 1,000 vessel-hours: the sum over vessels of the span between
their first and last stored position in the window.

Everything here but :func:`evaluate_stored` and :func:`load_labels` is a pure function
of lists of dicts.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Optional

from sqlalchemy import Connection, func, select

from maritime.detect.events import KINDS, STATUSES
from maritime.errors import MaritimeError
from maritime.geo.geodesy import haversine_m
from maritime.store.events import iter_events
from maritime.store.schema import PositionRow

TOLERANCE = timedelta(minutes=30)
AREA_M = 5_000.0  # a gnss_interference event placed this close to the label's place is the same area
COUNTED_STATUSES = tuple(s for s in STATUSES if s != "retracted")  # a dismissed event was still raised


# -- labels ---------------------------------------------------------------------------------------

def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def parse_labels(lines: Iterable[str], source: str = "labels") -> list[dict]:
    """JSON lines → label dicts with naive UTC ``start``/``end``; blank lines skipped."""
    labels = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            label = json.loads(line)
            label["start"] = _utc(label["start"])
            label["end"] = _utc(label["end"]) if label.get("end") else label["start"]
            label["kind"] = str(label["kind"])
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise MaritimeError(f"{source}:{number}: not a label ({exc.__class__.__name__}: {exc})") from None
        labels.append(label)
    return labels


def load_labels(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_labels(handle, str(path))
    except UnicodeDecodeError:
        raise MaritimeError(f"{path}: not a UTF-8 text file") from None


# -- matching -------------------------------------------------------------------------------------

def _vessels(row: dict) -> set[int]:
    found = {m for m in (row.get("mmsi"), row.get("other_mmsi")) if m is not None}
    found.update((row.get("evidence") or {}).get("mmsis") or ())
    found.update(row.get("mmsis") or ())
    return found


def _near(event: dict, label: dict, area_m: float) -> bool:
    places = (event.get("lat"), event.get("lon"), label.get("lat"), label.get("lon"))
    return None not in places and float(haversine_m(*places)) <= area_m


def same_subject(event: dict, label: dict, area_m: float = AREA_M) -> bool:
    """Does the event name the vessel(s) (or the area) of the label?"""
    kind = label["kind"]
    if kind == "gnss_interference":
        return bool(_vessels(event) & _vessels(label)) or _near(event, label, area_m)
    if kind == "rendezvous":
        pair = {m for m in (event.get("mmsi"), event.get("other_mmsi")) if m is not None}
        truth = {m for m in (label.get("mmsi"), label.get("other_mmsi")) if m is not None}
        return pair == truth if len(pair) == len(truth) == 2 else bool(pair & truth)
    return event.get("mmsi") is not None and event.get("mmsi") == label.get("mmsi")


def overlaps(event: dict, label: dict, tolerance: timedelta = TOLERANCE) -> bool:
    event_end = event.get("end") or event["start"]
    return event["start"] <= label["end"] + tolerance and label["start"] <= event_end + tolerance


def max_matching(candidates: list[list[int]], n_labels: int) -> dict[int, int]:
    """Event index → label index, as many pairs as possible (Kuhn's augmenting paths, iterative).

    ``candidates[e]`` lists the labels event ``e`` may match, preferred first.
    """
    owner = [-1] * n_labels  # label → event
    matched: dict[int, int] = {}  # event → label
    for root in range(len(candidates)):
        reached_from: dict[int, int] = {}  # label → the event that reached it
        stack = [(root, iter(candidates[root]))]
        free = None
        while stack and free is None:
            event, labels = stack[-1]
            for label in labels:
                if label in reached_from:
                    continue
                reached_from[label] = event
                if owner[label] == -1:
                    free = label
                else:
                    stack.append((owner[label], iter(candidates[owner[label]])))
                break
            else:
                stack.pop()
        label = free
        while label is not None:  # flip the path: each event on it takes the label that reached it
            event = reached_from[label]
            previous = matched.get(event)
            owner[label], matched[event] = event, label
            label = previous if event != root else None
    return matched


def match(events: list[dict], labels: list[dict], tolerance: timedelta = TOLERANCE,
          area_m: float = AREA_M) -> list[tuple[int, int]]:
    """(event index, label index) pairs of one kind; earlier detections are preferred for a label."""
    order = sorted(range(len(events)), key=lambda i: (events[i].get("detected_at") or events[i]["start"]))
    candidates = []
    for i in order:
        event = events[i]
        fits = [j for j, label in enumerate(labels) if overlaps(event, label, tolerance)
                and same_subject(event, label, area_m)]
        fits.sort(key=lambda j: abs((labels[j]["start"] - event["start"]).total_seconds()))
        candidates.append(fits)
    pairs = max_matching(candidates, len(labels))
    return sorted((order[e], j) for e, j in pairs.items())


# -- scores ---------------------------------------------------------------------------------------

@dataclass
class Score:
    kind: str
    labels: int
    events: int
    true_positives: int
    false_positives: int
    false_negatives: int
    precision: Optional[float]  # None when nothing was detected
    recall: Optional[float]  # None when there is nothing to find
    f1: float
    time_to_alert_mean_min: Optional[float]
    time_to_alert_median_min: Optional[float]
    false_alarms_per_1000_vessel_hours: Optional[float]


def _ratio(a: int, b: int) -> Optional[float]:
    return a / b if b else None


def score(kind: str, n_events: int, n_labels: int, delays_min: list[float], vessel_hours: float) -> Score:
    tp = len(delays_min)
    fp, fn = n_events - tp, n_labels - tp
    return Score(
        kind=kind, labels=n_labels, events=n_events, true_positives=tp, false_positives=fp, false_negatives=fn,
        precision=_ratio(tp, tp + fp), recall=_ratio(tp, tp + fn), f1=_ratio(2 * tp, 2 * tp + fp + fn) or 0.0,
        time_to_alert_mean_min=statistics.fmean(delays_min) if delays_min else None,
        time_to_alert_median_min=statistics.median(delays_min) if delays_min else None,
        false_alarms_per_1000_vessel_hours=1000.0 * fp / vessel_hours if vessel_hours > 0 else None,
    )


@dataclass
class Evaluation:
    kinds: list[Score]
    total: Score  # micro-averaged: counts summed over kinds
    vessel_hours: float
    tolerance_minutes: float
    ignored_labels: int  # labels whose kind is not an anomaly kind (e.g. benign look-alikes)

    def as_dict(self) -> dict:
        return {"kinds": {s.kind: _without_kind(s) for s in self.kinds}, "total": _without_kind(self.total),
                "vessel_hours": self.vessel_hours, "tolerance_minutes": self.tolerance_minutes,
                "ignored_labels": self.ignored_labels}


def _without_kind(s: Score) -> dict:
    data = asdict(s)
    del data["kind"]
    return data


def evaluate(events: list[dict], labels: list[dict], vessel_hours: float, tolerance: timedelta = TOLERANCE,
             area_m: float = AREA_M) -> Evaluation:
    """Per-kind and micro-averaged scores; retracted events do not count; kinds with neither
    labels nor events are left out."""
    events = [e for e in events if e.get("status", "open") != "retracted"]
    known = [label for label in labels if label["kind"] in KINDS]
    scores, all_delays = [], []
    for kind in KINDS:
        kind_events = [e for e in events if e["kind"] == kind]
        kind_labels = [label for label in known if label["kind"] == kind]
        if not kind_events and not kind_labels:
            continue
        delays = [_minutes((kind_events[e].get("detected_at") or kind_events[e]["start"]) - kind_labels[j]["start"])
                  for e, j in match(kind_events, kind_labels, tolerance, area_m)]
        scores.append(score(kind, len(kind_events), len(kind_labels), delays, vessel_hours))
        all_delays.extend(delays)
    total = score("all", sum(s.events for s in scores), sum(s.labels for s in scores), all_delays, vessel_hours)
    return Evaluation(scores, total, vessel_hours, tolerance.total_seconds() / 60.0, len(labels) - len(known))


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60.0


# -- from the store -------------------------------------------------------------------------------

def in_window(labels: list[dict], since: Optional[datetime], until: Optional[datetime]) -> list[dict]:
    return [label for label in labels
            if (since is None or label["end"] >= since) and (until is None or label["start"] < until)]


def vessel_hours(connection: Connection, since: Optional[datetime], until: Optional[datetime]) -> float:
    """Sum over vessels of the time between their first and last stored position in [since, until)."""
    t = PositionRow.__table__
    statement = select(func.min(t.c.time), func.max(t.c.time)).group_by(t.c.mmsi)
    if since is not None:
        statement = statement.where(t.c.time >= since)
    if until is not None:
        statement = statement.where(t.c.time < until)
    return sum((last - first).total_seconds() for first, last in connection.execute(statement)) / 3600.0


def evaluate_stored(connection: Connection, labels: list[dict], since: Optional[datetime] = None,
                    until: Optional[datetime] = None, tolerance: timedelta = TOLERANCE) -> Evaluation:
    """`maritime evaluate`: stored events (not retracted) in the window against the labels in it."""
    events = list(iter_events(connection, since=since, until=until, statuses=COUNTED_STATUSES))
    return evaluate(events, in_window(labels, since, until), vessel_hours(connection, since, until), tolerance)
