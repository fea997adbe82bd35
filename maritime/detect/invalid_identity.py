"""invalid_identity: an identity no administration could have issued.

Problems, one event per vessel for each:

``unallocated_mid``
    the MID inside the MMSI is not allocated by the ITU (ITU-R M.585, :mod:`maritime.ais.mid`);
``mmsi_length``
    more than nine digits, or fewer than a station's: eight digits is a group call number
    (0MIDxxxxx), six or fewer fits no format; seven is a base station (00MIDxxxx) and valid;
``imo_check_digit``
    an IMO number (0 means "none" and is fine) that is not seven digits ending in its check digit;
``ship_type``
    a ship type the station cannot have: any ship type from an aid to navigation, base station,
    SAR aircraft, AIS-SART, MOB or EPIRB-AIS number, a cargo ship or tanker (70–89) from
    an auxiliary craft's number (98MIDxxxx), or a code reserved for future use (1–19, 200–255,
    ITU-R M.1371-5 table 53).

The special forms (AtoN 99MIDxxxx, SAR aircraft 111MIDxxx, base station 00MIDxxxx,
auxiliary craft 98MIDxxxx, SART 970, MOB 972, EPIRB 974) are valid numbers.

``start`` is the first report ever stored for the MMSI (the identity was wrong from then
on), so reruns over later windows find the same event; ``detected_at`` is the first
report that shows the problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Optional

import pandas as pd

from maritime.ais.mid import is_allocated_mid
from maritime.detect.events import Event
from maritime.detect.identity import Places, clean_imo, clean_ship_type, is_valid_imo, mmsi_form, plain_time
from maritime.detect.tracks import TrackContext

NOT_SHIPS = ("aton", "base_station", "sar_aircraft", "sart", "mob", "epirb")
CARGO_AND_TANKERS = range(70, 90)
RESERVED_SHIP_TYPES = (*range(1, 20), *range(200, 256))
SEVERITY = {"unallocated_mid": ("warning", 0.7), "mmsi_length": ("warning", 0.7),
            "imo_check_digit": ("warning", 0.6), "ship_type": ("info", 0.4)}


@dataclass
class Problem:
    name: str
    first: datetime  # first report showing it
    last: datetime
    evidence: dict[str, Any]


def mmsi_problem(mmsi: int) -> Optional[tuple[str, dict]]:
    """What is wrong with the number itself, if anything."""
    digits = len(str(mmsi)) if mmsi > 0 else 0
    form = mmsi_form(mmsi)
    if form is not None and form.station == "group":
        return "mmsi_length", {"digits": digits, "reason": f"{digits} digits: a group call number, not a station"}
    if form is None or digits <= 6:
        return "mmsi_length", {"digits": digits, "reason": f"{digits} digits: no MMSI format has this length"}
    if form.mid is not None and not is_allocated_mid(form.mid):
        return "unallocated_mid", {"mid": form.mid, "station": form.station,
                                   "reason": f"MID {form.mid:03d} is not allocated by the ITU"}
    return None


def impossible_ship_type(mmsi: int, ship_type: int) -> Optional[str]:
    """Why this station cannot report this ship type, or None if it can."""
    form = mmsi_form(mmsi)
    station = form.station if form is not None else None
    if station in NOT_SHIPS:
        return f"a {station.replace('_', ' ')} number reports ship type {ship_type}"
    if station == "auxiliary" and ship_type in CARGO_AND_TANKERS:
        return f"an auxiliary craft number reports ship type {ship_type} (cargo ship or tanker)"
    if ship_type in RESERVED_SHIP_TYPES:
        return f"ship type {ship_type} is reserved for future use"
    return None


def _imo_reason(mmsi: int, imo) -> Optional[tuple[str, dict]]:
    imo = clean_imo(imo)
    if imo is None or is_valid_imo(imo):
        return None
    return "imo_check_digit", {"imo": imo, "reason": f"IMO {imo} fails its check digit"}


def _ship_type_reason(mmsi: int, ship_type) -> Optional[tuple[str, dict]]:
    ship_type = clean_ship_type(ship_type)
    reason = impossible_ship_type(mmsi, ship_type) if ship_type is not None else None
    return None if reason is None else ("ship_type", {"ship_type": ship_type, "reason": reason})


def static_problems(statics: pd.DataFrame) -> dict[int, list[Problem]]:
    """IMO and ship-type problems in identity reports, by MMSI; each distinct (MMSI, value) is judged once."""
    found: dict[tuple[int, str], Problem] = {}
    for column, judge in (("imo", _imo_reason), ("ship_type", _ship_type_reason)):
        values = statics.dropna(subset=[column])
        if values.empty:
            continue
        spans = values.groupby(["mmsi", column])["time"].agg(["min", "max"]).sort_values("min")
        for (mmsi, value), (first, last) in spans.iterrows():
            verdict = judge(int(mmsi), value)
            if verdict is None:
                continue
            key = (int(mmsi), verdict[0])
            known = found.get(key)
            if known is None:
                found[key] = Problem(verdict[0], plain_time(first), plain_time(last), verdict[1])
            else:
                known.last = max(known.last, plain_time(last))
    by_mmsi: dict[int, list[Problem]] = {}
    for (mmsi, _), problem in found.items():
        by_mmsi.setdefault(mmsi, []).append(problem)
    return by_mmsi


def _report_spans(ctx: TrackContext) -> pd.DataFrame:
    """First and last report time of each MMSI in the window (positions and identity reports)."""
    times = pd.concat([ctx.tracks[["mmsi", "time"]], ctx.statics[["mmsi", "time"]]], ignore_index=True)
    return times.groupby("mmsi")["time"].agg(["min", "max"])


def _first_seen(ctx: TrackContext) -> dict[int, datetime]:
    vessels = ctx.vessels
    if "first_seen" not in vessels.columns or vessels.empty:
        return {}
    known = vessels.dropna(subset=["first_seen"])
    return {int(m): plain_time(t) for m, t in zip(known["mmsi"], known["first_seen"])}


def _event(mmsi: int, start: datetime, problem: Problem, places: Places) -> Event:
    severity, score = SEVERITY[problem.name]
    lat, lon = places.at(mmsi, problem.first)
    return Event(kind="invalid_identity", mmsi=mmsi, start=min(start, problem.first), end=problem.last, lat=lat,
                 lon=lon, severity=severity, score=score, detector="invalid_identity", detected_at=problem.first,
                 evidence={"problem": problem.name, **problem.evidence}, variant=problem.name)


def detect_invalid_identity(ctx: TrackContext) -> list[Event]:
    spans = _report_spans(ctx)
    if spans.empty:
        return []
    first_seen = _first_seen(ctx)
    places = Places(ctx.tracks, timedelta(minutes=ctx.settings.identity_position_max_gap_minutes))
    from_statics = static_problems(ctx.statics) if not ctx.statics.empty else {}
    events = []
    for mmsi, first, last in zip(spans.index, spans["min"], spans["max"]):
        mmsi = int(mmsi)
        start = first_seen.get(mmsi, plain_time(first))
        problems = list(from_statics.get(mmsi, ()))
        number = mmsi_problem(mmsi)
        if number is not None:  # every report carries the number: shown from the first one
            problems.append(Problem(number[0], start, plain_time(last), number[1]))
        events.extend(_event(mmsi, start, p, places) for p in problems)
    return events
