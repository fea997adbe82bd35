"""identity_change and invalid_identity: what is an identity problem and what is normal."""

from datetime import datetime, timedelta

import pandas as pd
import pytest

from maritime.config import DetectSettings
from maritime.detect.identity import clean_text, is_valid_imo, mmsi_form
from maritime.detect.identity_change import detect_identity_change
from maritime.detect.invalid_identity import detect_invalid_identity, impossible_ship_type, mmsi_problem
from maritime.detect.tracks import STATIC_COLUMNS, TRACK_COLUMNS, VESSEL_COLUMNS, TrackContext

T0 = datetime(2025, 11, 24, 6, 0, 0)


def static(mmsi, minutes, name=None, callsign=None, imo=None, ship_type=70, msg_type=5, part=None,
           destination="ODESA", draught=8.5):
    return {"mmsi": mmsi, "time": T0 + timedelta(minutes=minutes), "msg_type": msg_type, "part": part, "name": name,
            "callsign": callsign, "imo": imo, "ship_type": ship_type, "destination": destination, "draught": draught}


def track(mmsi, minutes, lat=44.0, lon=31.0):
    return {"mmsi": mmsi, "time": T0 + timedelta(minutes=minutes), "lat": lat, "lon": lon, "sog": 10.0, "cog": 90.0,
            "heading": 90.0, "nav_status": 0.0, "msg_type": 1, "source": "rx"}


def context(statics=(), tracks=(), vessels=()):
    tracks_frame = pd.DataFrame(list(tracks), columns=TRACK_COLUMNS).sort_values(["mmsi", "time"])
    statics_frame = pd.DataFrame(list(statics), columns=STATIC_COLUMNS).sort_values(["mmsi", "time"])
    for frame in (tracks_frame, statics_frame):
        frame["time"] = pd.to_datetime(frame["time"])
    return TrackContext(tracks=tracks_frame.reset_index(drop=True), vessels=pd.DataFrame(list(vessels),
                        columns=VESSEL_COLUMNS), statics=statics_frame.reset_index(drop=True))


# -- IMO numbers and MMSI formats ---------------------------------------------------------------------

def test_imo_with_right_check_digit_is_valid():
    assert is_valid_imo(9074729)


def test_imo_with_wrong_check_digit_is_invalid():
    assert not is_valid_imo(9074728)


@pytest.mark.parametrize("imo", [907472, 90747290, 0])
def test_imo_of_other_than_seven_digits_is_invalid(imo):
    assert not is_valid_imo(imo)


@pytest.mark.parametrize("mmsi, station", [
    (992721234, "aton"), (111272123, "sar_aircraft"), (2720123, "base_station"), (982721234, "auxiliary"),
    (970123456, "sart"), (972123456, "mob"), (974123456, "epirb"), (272123456, "ship"),
])
def test_special_mmsi_forms_are_recognised_and_not_alarms(mmsi, station):
    assert mmsi_form(mmsi).station == station
    assert mmsi_problem(mmsi) is None


def test_unallocated_mid_is_a_problem():
    assert mmsi_problem(200123456) == ("unallocated_mid", {"mid": 200, "station": "ship",
                                                           "reason": "MID 200 is not allocated by the ITU"})
    assert mmsi_problem(100123456)[0] == "unallocated_mid"
    assert mmsi_problem(992001234)[0] == "unallocated_mid"  # an AtoN number needs an allocated MID too


@pytest.mark.parametrize("mmsi", [1_002_123_456, 27212345, 12345])
def test_mmsi_of_wrong_length_for_a_ship_is_a_problem(mmsi):
    assert mmsi_problem(mmsi)[0] == "mmsi_length"


def test_ship_type_impossible_for_the_number():
    assert impossible_ship_type(992721234, 70) is not None  # an aid to navigation is no cargo ship
    assert impossible_ship_type(982721234, 80) is not None  # an auxiliary craft is no tanker
    assert impossible_ship_type(982721234, 52) is None  # a tender may be a tug
    assert impossible_ship_type(272123456, 5) is not None  # reserved code
    assert impossible_ship_type(272123456, 70) is None


def test_at_padding_and_spaces_are_not_part_of_a_name():
    assert clean_text("OCEAN  PRIDE@@@") == clean_text(" ocean pride@@X") == "OCEAN PRIDE"
    assert clean_text("@@@@") is None and clean_text("") is None and clean_text(None) is None


# -- invalid_identity ----------------------------------------------------------------------------------

def test_detect_invalid_identity_flags_bad_imo_from_first_report_with_it():
    ctx = context(statics=[static(272123456, 10, "A", imo=9074728)],
                  tracks=[track(272123456, 0), track(272123456, 11, lat=44.5)])
    (event,) = detect_invalid_identity(ctx)
    assert event.kind == "invalid_identity" and event.evidence["problem"] == "imo_check_digit"
    assert event.evidence["imo"] == 9074728
    assert event.start == T0 and event.detected_at == T0 + timedelta(minutes=10)
    assert event.lat == 44.5


def test_detect_invalid_identity_ignores_missing_imo_and_special_numbers():
    ctx = context(statics=[static(272123456, 0, "A", imo=0), static(272123457, 0, "B", imo=None),
                           static(982721234, 0, "TENDER 1", ship_type=52)],
                  tracks=[track(m, 1) for m in (992721234, 111272123, 2720123, 970123456, 972123456, 974123456)])
    assert detect_invalid_identity(ctx) == []


def test_detect_invalid_identity_one_event_per_problem_with_distinct_ids():
    ctx = context(statics=[static(200123456, 5, "X", imo=9074728)], tracks=[track(200123456, 0)])
    events = detect_invalid_identity(ctx)
    assert sorted(e.evidence["problem"] for e in events) == ["imo_check_digit", "unallocated_mid"]
    assert len({e.id for e in events}) == 2
    assert all(e.start == T0 for e in events)


def test_detect_invalid_identity_starts_at_first_report_ever_stored():
    first_seen = T0 - timedelta(days=2)
    vessel = dict.fromkeys(VESSEL_COLUMNS) | {"mmsi": 200123456, "first_seen": pd.Timestamp(first_seen)}
    (event,) = detect_invalid_identity(context(tracks=[track(200123456, 0)], vessels=[vessel]))
    assert event.start == first_seen and event.detected_at == first_seen  # same id whatever the window


# -- identity_change -----------------------------------------------------------------------------------

def test_detect_identity_change_on_name_change():
    ctx = context(statics=[static(272123456, 0, "OCEAN PRIDE", "UTAB", 9074729),
                           static(272123456, 6, "OCEAN PRIDE", "UTAB", 9074729),
                           static(272123456, 12, "SEA LION", "UTAB", 9074729)],
                  tracks=[track(272123456, 11, lat=44.2)])
    (event,) = detect_identity_change(ctx)
    assert event.start == event.detected_at == T0 + timedelta(minutes=12)
    assert event.evidence["fields"] == ["name"] and event.severity == "warning"
    change = event.evidence["changes"][0]
    assert (change["old"], change["new"]) == ("OCEAN PRIDE", "SEA LION")
    assert change["old_seen"] == "2025-11-24T06:06:00Z" and change["new_seen"] == "2025-11-24T06:12:00Z"
    assert event.lat == 44.2


def test_detect_identity_change_not_on_destination_draught_or_eta_change():
    ctx = context(statics=[static(272123456, 0, "OCEAN PRIDE", "UTAB", 9074729, destination="ODESA", draught=8.5),
                           static(272123456, 6, "OCEAN PRIDE", "UTAB", 9074729, destination="CONSTANTA", draught=11)])
    assert detect_identity_change(ctx) == []


def test_detect_identity_change_ignores_missing_values_and_padding():
    ctx = context(statics=[static(272123456, 0, "OCEAN PRIDE", "UTAB", 9074729),
                           static(272123456, 6, "OCEAN PRIDE@@@", None, 0),
                           static(272123456, 12, None, "UTAB", None)])
    assert detect_identity_change(ctx) == []


def test_detect_identity_change_compares_class_b_parts_like_with_like():
    mmsi = 272765432
    ctx = context(statics=[static(mmsi, 0, name="DELFIN", msg_type=24, part="A", ship_type=None),
                           static(mmsi, 1, callsign="UR1234", msg_type=24, part="B", ship_type=37),
                           static(mmsi, 6, name="DELFIN", msg_type=24, part="A", ship_type=None),
                           static(mmsi, 7, callsign="UR1234", msg_type=24, part="B", ship_type=37)])
    assert detect_identity_change(ctx) == []


def test_detect_identity_change_merges_a_class_b_swap_into_one_critical_event():
    mmsi = 272765432
    ctx = context(statics=[static(mmsi, 0, name="DELFIN", msg_type=24, part="A", ship_type=None),
                           static(mmsi, 1, callsign="UR1234", msg_type=24, part="B", ship_type=37),
                           static(mmsi, 30, name="KEFAL", msg_type=24, part="A", ship_type=None),
                           static(mmsi, 34, callsign="UT9876", msg_type=24, part="B", ship_type=37)])
    (event,) = detect_identity_change(ctx)
    assert event.evidence["fields"] == ["name", "callsign"] and event.severity == "critical"
    assert event.start == T0 + timedelta(minutes=30) and event.end == T0 + timedelta(minutes=34)


def test_detect_identity_change_one_event_per_change():
    mmsi = 272123456
    ctx = context(statics=[static(mmsi, 0, "A ONE", imo=9074729), static(mmsi, 60, "B TWO", imo=9074729),
                           static(mmsi, 120, "B TWO", imo=9176187)])
    events = detect_identity_change(ctx)
    assert [e.evidence["fields"] for e in events] == [["name"], ["imo"]]
    assert events[1].severity == "critical"
    assert len({e.id for e in events}) == 2


def test_detect_identity_change_counts_flip_flops_on_the_first_transition():
    mmsi = 272123456
    names = ["A ONE", "B TWO"] * 4
    ctx = context(statics=[static(mmsi, 6 * i, name) for i, name in enumerate(names)])
    events = detect_identity_change(ctx)
    assert [(e.evidence["changes"][0]["old"], e.evidence["changes"][0]["new"]) for e in events] == [
        ("A ONE", "B TWO"), ("B TWO", "A ONE")]
    assert events[0].evidence["changes"][0]["repeats"] == 3


# -- on simulated traffic ------------------------------------------------------------------------------

def test_identity_detectors_find_every_injected_identity_anomaly_and_nothing_else(tmp_path):
    simulate = pytest.importorskip("maritime.simulate").simulate
    from maritime.detect.runner import run_rules
    from maritime.detect.tracks import load_context
    from maritime.evaluate import evaluate_stored, load_labels
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store
    from maritime.store.events import save_events

    simulate(hours=6, vessels=60, seed=11, out_dir=tmp_path, anomalies={"identity_change": 3, "invalid_identity": 3})
    engine = open_store(f"sqlite:///{tmp_path / 'sim.sqlite'}")
    ingest_paths(engine, [str(tmp_path / "ais.nmea")], "nmea")
    with engine.connect() as connection:
        events = run_rules(load_context(connection, None, None, DetectSettings()),
                           [detect_identity_change, detect_invalid_identity])
    with engine.begin() as connection:
        save_events(connection, events)
        evaluation = evaluate_stored(connection, load_labels(tmp_path / "labels.jsonl"))
    scores = {s.kind: s for s in evaluation.kinds}
    assert set(scores) == {"identity_change", "invalid_identity"}
    for s in scores.values():
        assert (s.labels, s.true_positives, s.false_positives) == (3, 3, 0)
        assert s.time_to_alert_median_min <= 10.0
