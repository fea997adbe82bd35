"""Scoring events against ground truth: exact figures on hand-made events and labels."""

from datetime import datetime, timedelta

import pytest

from maritime.errors import MaritimeError
from maritime.evaluate import evaluate, match, max_matching, parse_labels

T0 = datetime(2024, 7, 1, 10, 0, 0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def label(kind, mmsi, start, end, other=None, lat=44.0, lon=31.0, mmsis=None):
    return {"kind": kind, "mmsi": mmsi, "other_mmsi": other, "start": at(start), "end": at(end), "lat": lat,
            "lon": lon, **({"mmsis": mmsis} if mmsis is not None else {})}


def event(kind, mmsi, start, end, detected=None, other=None, status="open", lat=44.0, lon=31.0, evidence=None):
    return {"kind": kind, "mmsi": mmsi, "other_mmsi": other, "start": at(start), "end": at(end),
            "detected_at": at(start if detected is None else detected), "status": status, "lat": lat, "lon": lon,
            "evidence": evidence or {}}


def by_kind(evaluation):
    return {s.kind: s for s in evaluation.kinds}


def test_evaluate_gives_exact_precision_recall_f1_time_to_alert_and_false_alarm_rate():
    labels = [label("loitering", 1, 0, 120), label("loitering", 2, 0, 60), label("loitering", 3, 0, 60)]
    events = [event("loitering", 1, 30, 120, detected=45),
              event("loitering", 2, 0, 150, detected=90),  # late: raised 90 min after the behaviour began
              event("loitering", 9, 0, 60)]  # nothing there: a false alarm
    (s,) = evaluate(events, labels, vessel_hours=500.0).kinds
    assert (s.true_positives, s.false_positives, s.false_negatives) == (2, 1, 1)
    assert s.precision == pytest.approx(2 / 3) and s.recall == pytest.approx(2 / 3) and s.f1 == pytest.approx(2 / 3)
    assert s.time_to_alert_mean_min == pytest.approx(67.5) and s.time_to_alert_median_min == pytest.approx(67.5)
    assert s.false_alarms_per_1000_vessel_hours == pytest.approx(2.0)


def test_evaluate_micro_averages_counts_over_kinds_and_omits_kinds_without_labels_or_events():
    labels = [label("on_land", 1, 0, 10), label("ais_gap", 2, 0, 120), label("ais_gap", 3, 0, 120)]
    events = [event("on_land", 1, 0, 10, detected=4), event("ais_gap", 2, 0, 120, detected=130),
              event("zone_entry", 7, 0, 5)]
    evaluation = evaluate(events, labels, vessel_hours=1000.0)
    assert [s.kind for s in evaluation.kinds] == ["ais_gap", "on_land", "zone_entry"]
    scores = by_kind(evaluation)
    assert scores["zone_entry"].precision == 0.0 and scores["zone_entry"].recall is None
    assert scores["ais_gap"].recall == 0.5 and scores["ais_gap"].time_to_alert_mean_min == 130.0
    total = evaluation.total
    assert (total.true_positives, total.false_positives, total.false_negatives) == (2, 1, 1)
    assert total.precision == pytest.approx(2 / 3) and total.recall == pytest.approx(2 / 3)
    assert total.time_to_alert_mean_min == pytest.approx(67.0) and total.time_to_alert_median_min == 67.0
    assert total.false_alarms_per_1000_vessel_hours == pytest.approx(1.0)


def test_evaluate_matches_each_label_at_most_once():
    labels = [label("position_jump", 1, 0, 10)]
    events = [event("position_jump", 1, 0, 5), event("position_jump", 1, 6, 10)]
    (s,) = evaluate(events, labels, vessel_hours=100.0).kinds
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 1, 0)


def test_evaluate_ignores_retracted_events():
    labels = [label("speed_anomaly", 1, 0, 10)]
    events = [event("speed_anomaly", 1, 0, 10, status="retracted"), event("speed_anomaly", 5, 0, 10,
                                                                          status="retracted")]
    (s,) = evaluate(events, labels, vessel_hours=100.0).kinds
    assert (s.events, s.true_positives, s.false_negatives) == (0, 0, 1) and s.precision is None


def test_evaluate_ignores_labels_of_kinds_that_are_not_anomalies():
    evaluation = evaluate([], [label("anchorage_wait", 1, 0, 60)], vessel_hours=10.0)
    assert evaluation.kinds == [] and evaluation.ignored_labels == 1


def test_rendezvous_matches_either_order_of_the_pair():
    labels = [label("rendezvous", 1, 0, 60, other=2)]
    assert evaluate([event("rendezvous", 2, 10, 50, other=1)], labels, 10.0).total.true_positives == 1
    assert evaluate([event("rendezvous", 2, 10, 50, other=3)], labels, 10.0).total.true_positives == 0


def test_gnss_interference_matches_by_shared_vessels_or_nearby_area():
    labels = [label("gnss_interference", None, 0, 60, mmsis=[1, 2, 3], lat=44.0, lon=31.0)]
    shared = event("gnss_interference", None, 5, 50, evidence={"mmsis": [3, 4]}, lat=45.0, lon=33.0)
    nearby = event("gnss_interference", None, 5, 50, evidence={"mmsis": [8, 9]}, lat=44.02, lon=31.02)
    far = event("gnss_interference", None, 5, 50, evidence={"mmsis": [8, 9]}, lat=44.2, lon=31.0)
    assert evaluate([shared], labels, 10.0).total.true_positives == 1
    assert evaluate([nearby], labels, 10.0).total.true_positives == 1
    assert evaluate([far], labels, 10.0).total.true_positives == 0


def test_time_overlap_has_a_tolerance():
    labels = [label("ais_gap", 1, 0, 60)]
    assert evaluate([event("ais_gap", 1, 80, 90)], labels, 10.0).total.true_positives == 1
    assert evaluate([event("ais_gap", 1, 100, 110)], labels, 10.0).total.true_positives == 0
    assert evaluate([event("ais_gap", 1, 100, 110)], labels, 10.0,
                    tolerance=timedelta(minutes=45)).total.true_positives == 1


def test_matching_finds_the_most_pairs_not_the_first_greedy_ones():
    labels = [label("loitering", 1, 0, 30), label("loitering", 1, 60, 90)]
    wide = event("loitering", 1, 20, 70, detected=20)  # fits both labels, prefers the first (nearer start)
    narrow = event("loitering", 1, 0, 5, detected=40)  # fits only the first
    assert sorted(match([wide, narrow], labels)) == [(0, 1), (1, 0)]


def test_max_matching_augments_along_a_chain():
    # event 0 takes label 0 first; event 1 can only have label 0; event 2 only label 1
    assert max_matching([[0, 1], [0], [1, 2]], 3) == {0: 1, 1: 0, 2: 2}


def test_parse_labels_reads_simulator_lines_and_reports_a_bad_line():
    lines = ['{"kind": "rendezvous", "mmsi": 1, "other_mmsi": 2, "start": "2024-07-01T10:00:00Z", '
             '"end": "2024-07-01T11:00:00Z", "lat": 44.0, "lon": 31.0}', "", "not json"]
    with pytest.raises(MaritimeError, match="labels.jsonl:3"):
        parse_labels(lines, "labels.jsonl")
    (parsed,) = parse_labels(lines[:2])
    assert parsed["start"] == T0 and parsed["end"] == at(60) and parsed["other_mmsi"] == 2
