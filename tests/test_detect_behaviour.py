"""Behaviour detectors (ais_gap, loitering, rendezvous, route_deviation, zone_entry): what each finds, and the
benign look-alikes each leaves alone, on small synthetic tracks; then a simulated scenario end to end."""

from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
import shapely

from maritime.config import DetectSettings
from maritime.detect.ais_gap import detect_ais_gap
from maritime.detect.common import ship_types
from maritime.detect.lanes import TrafficLanes
from maritime.detect.loitering import detect_loitering
from maritime.detect.rendezvous import detect_rendezvous
from maritime.detect.route_deviation import detect_route_deviation
from maritime.detect.runner import run_rules
from maritime.detect.tracks import STATIC_COLUMNS, Zone
from maritime.detect.zone_entry import detect_zone_entry
from maritime.geo.geodesy import KNOT_MS, destination_point
from tests.behaviour_tracks import AT_ANCHOR, FISHING, MOORED, context, hours_after_t0, staying, voyage

LANE = (43.0, 29.5)  # an east-west lane in the open western basin, far from ports
KILYOS = (41.300, 29.020)  # Bosphorus northern anchorage
ODESA = (46.495, 30.745)
BAFRA_GROUND = (41.90, 35.55)  # on the fishing ground off Bafra
DARK = 271_000_999


def lane_traffic(n: int = 6, every_h: float = 1.0, hours: float = 19.0, first: int = 271_000_001,
                 silent=()) -> list[pd.DataFrame]:
    """Merchant ships following the lane one after another until ``hours`` after the first set out,
    heard all the way (except in ``silent``, hours after each one's start)."""
    return [voyage(first + k, k * every_h, *LANE, [(90.0, 12.0, hours - k * every_h)], silent=silent)
            for k in range(n)]


def minutes_between(a, b) -> float:
    return abs((a - b).total_seconds()) / 60.0


# -- ais_gap ------------------------------------------------------------------------------------

def test_gap_on_a_well_covered_lane_is_flagged_with_distance_and_implied_speed():
    dark = voyage(DARK, 2.0, *LANE, [(90.0, 12.0, 17.0)], silent=[(4.0, 7.0)])
    [event] = detect_ais_gap(context(*lane_traffic(), dark))
    assert event.mmsi == DARK and event.severity == "info"
    assert event.start == hours_after_t0(6.0) and event.end == hours_after_t0(9.0)
    assert event.detected_at == hours_after_t0(8.0)  # gap_min_h after the last fix
    assert event.evidence["distance_m"] == pytest.approx(3 * 12 * 1852, rel=0.01)
    assert event.evidence["implied_speed_kn"] == pytest.approx(12.0, abs=0.2)
    assert event.evidence["speed_before_kn"] == 12.0 and event.evidence["reception_ratio"] >= 0.8


def test_open_gap_is_raised_before_the_vessel_reappears():
    dark = voyage(DARK, 0.0, *LANE, [(90.0, 12.0, 5.0)])
    [event] = detect_ais_gap(context(*lane_traffic(), dark))
    last_fix = dark["time"].max()
    assert event.end is None and event.evidence["reappeared"] is None
    assert event.start == last_fix and event.detected_at == last_fix + timedelta(hours=2)
    assert event.severity == "critical"  # silent until the newest data, 14 h later


def test_open_gap_closes_when_the_vessel_reappears_with_the_same_event_id():
    whole = voyage(DARK, 0.0, *LANE, [(90.0, 12.0, 19.0)], silent=[(5.0, 8.5)])
    before = whole[whole["time"] <= hours_after_t0(5.0)]
    traffic = [t[t["time"] <= hours_after_t0(8.0)] for t in lane_traffic()]
    [open_event] = detect_ais_gap(context(*traffic, before))
    [closed_event] = detect_ais_gap(context(*lane_traffic(), whole))
    assert open_event.end is None and closed_event.end == hours_after_t0(8.5)
    assert open_event.id == closed_event.id


@pytest.mark.parametrize("silence_h, severity", [(3.0, "info"), (7.0, "warning"), (13.0, "critical")])
def test_gap_severity_grows_with_its_length(silence_h, severity):
    dark = voyage(DARK, 1.0, *LANE, [(90.0, 12.0, 24.0)], silent=[(2.0, 2.0 + silence_h)])
    [event] = detect_ais_gap(context(*lane_traffic(n=8, hours=25.0), dark))
    assert event.severity == severity
    assert event.evidence["gap_h"] == pytest.approx(silence_h, abs=0.05)


def test_gap_in_offshore_reception_hole_is_not_flagged():
    # every ship falls silent over the same stretch of sea: nobody is received there
    hole = lane_traffic(n=8, silent=[(4.0, 7.0)])
    assert detect_ais_gap(context(*hole)) == []


def test_gap_in_an_area_nobody_else_sails_is_not_judged():
    lone = voyage(DARK, 0.0, 42.0, 33.5, [(45.0, 12.0, 10.0)], silent=[(3.0, 6.0)])
    assert detect_ais_gap(context(*lane_traffic(), lone)) == []


def test_moored_vessel_with_ais_off_in_port_is_not_flagged():
    neighbours = [staying(272_000_001 + k, 0.0, ODESA[0] + 0.01 * k, ODESA[1], 12.0, MOORED) for k in range(6)]
    # arrives under way inside the port and switches off for 8 hours
    quiet = voyage(DARK, 0.0, ODESA[0] - 0.03, ODESA[1], [(0.0, 5.0, 0.3), (0.0, 0.0, 11.7, MOORED)],
                   silent=[(0.25, 8.3)])
    assert detect_ais_gap(context(*neighbours, quiet)) == []


def test_gap_while_waiting_at_the_bosphorus_northern_anchorage_is_not_flagged():
    queue = [staying(271_100_001 + k, 0.0, KILYOS[0] + 0.005 * k, KILYOS[1], 12.0, AT_ANCHOR) for k in range(6)]
    # comes in under way and falls silent as it reaches its anchor position
    waiting = voyage(DARK, 0.0, KILYOS[0] + 0.05, KILYOS[1], [(180.0, 6.0, 0.5), (0.0, 0.0, 11.5, AT_ANCHOR)],
                     silent=[(0.45, 6.0)])
    assert detect_ais_gap(context(*queue, waiting)) == []


def test_short_silence_is_not_a_gap():
    dark = voyage(DARK, 2.0, *LANE, [(90.0, 12.0, 17.0)], silent=[(4.0, 5.5)])
    assert detect_ais_gap(context(*lane_traffic(), dark)) == []


def test_gap_evidence_gives_draught_before_and_after_from_statics():
    dark = voyage(DARK, 2.0, *LANE, [(90.0, 12.0, 17.0)], silent=[(4.0, 7.0)])
    statics = pd.DataFrame([
        {**{c: None for c in STATIC_COLUMNS}, "mmsi": DARK, "time": hours_after_t0(t), "msg_type": 5, "draught": d}
        for t, d in ((3.0, 6.2), (5.9, 6.2), (9.1, 11.8))], columns=STATIC_COLUMNS)
    statics["time"] = pd.to_datetime(statics["time"])
    [event] = detect_ais_gap(context(*lane_traffic(), dark, statics=statics))
    assert event.evidence["draught_before_m"] == 6.2 and event.evidence["draught_after_m"] == 11.8


# -- loitering ----------------------------------------------------------------------------------

def drifting(mmsi: int, lat: float = 43.0, lon: float = 31.0, drift_h: float = 4.0, then_h: float = 0.0,
             start_h: float = 0.0) -> pd.DataFrame:
    legs = [(90.0, 12.0, 1.0), (45.0, 0.8, drift_h)] + ([(90.0, 12.0, then_h)] if then_h else [])
    return voyage(mmsi, start_h, lat, lon, legs)


def test_slow_drift_far_from_ports_is_loitering_and_open_while_it_goes_on():
    [event] = detect_loitering(context(drifting(DARK)))
    assert event.mmsi == DARK and event.end is None
    assert minutes_between(event.start, hours_after_t0(1.0)) < 20
    assert event.detected_at == event.start + timedelta(hours=2)
    assert event.evidence["mean_sog_kn"] < 2.0 and event.evidence["thresholds"]["loiter_min_h"] == 2.0


def test_loitering_ends_when_the_vessel_gets_under_way_again():
    [event] = detect_loitering(context(drifting(DARK, drift_h=3.0, then_h=1.0)))
    assert event.end is not None and minutes_between(event.end, hours_after_t0(4.0)) < 20


def test_short_slow_spell_is_not_loitering():
    assert detect_loitering(context(drifting(DARK, drift_h=1.0, then_h=1.0))) == []


def test_anchorage_wait_in_bosphorus_northern_anchorage_is_not_loitering():
    waiting = voyage(DARK, 0.0, KILYOS[0] + 0.03, KILYOS[1], [(180.0, 6.0, 0.25), (0.0, 0.1, 8.0, AT_ANCHOR)])
    assert detect_loitering(context(waiting)) == []


def test_fishing_boat_slow_on_its_grounds_is_not_loitering():
    trawling = voyage(DARK, 0.0, *BAFRA_GROUND, [(90.0, 8.0, 0.5), (60.0, 1.5, 5.0, FISHING)])
    assert detect_loitering(context(trawling, types={DARK: 30})) == []


def test_fishing_boat_drifting_off_the_grounds_is_loitering():
    assert len(detect_loitering(context(drifting(DARK), types={DARK: 30}))) == 1


@pytest.mark.parametrize("ship_type", [31, 32, 52, 50, 33, 51, 55, 35])
def test_tugs_pilots_dredgers_rescue_and_patrol_vessels_waiting_at_sea_are_not_loitering(ship_type):
    assert detect_loitering(context(drifting(DARK), types={DARK: ship_type})) == []


# -- rendezvous ---------------------------------------------------------------------------------

A, B = 273_000_002, 273_000_001


def meeting(drift_h: float = 1.5, apart_m: float = 300.0, then_h: float = 1.0, drift_kn: float = 0.5,
            lat: float = 43.0, lon: float = 31.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A sails east for an hour and drifts; B comes up from the south to drift ``apart_m`` beside it."""
    run_m = 12.0 * KNOT_MS * 3600.0
    meet = destination_point(lat, lon, 90.0, run_m)
    beside = destination_point(*meet, 0.0, apart_m)
    start_b = destination_point(*beside, 180.0, run_m)
    after = [(90.0, 12.0, then_h)] if then_h else []
    a = voyage(A, 0.0, lat, lon, [(90.0, 12.0, 1.0), (45.0, drift_kn, drift_h)] + after)
    b = voyage(B, 0.0, *start_b, [(0.0, 12.0, 1.0), (45.0, drift_kn, drift_h)] + after)
    return a, b


def test_two_ships_drifting_side_by_side_at_sea_are_a_rendezvous_naming_both():
    [event] = detect_rendezvous(context(*meeting()))
    assert (event.mmsi, event.other_mmsi) == (B, A)  # the smaller MMSI first
    assert minutes_between(event.start, hours_after_t0(1.0)) <= 10
    assert minutes_between(event.end, hours_after_t0(2.5)) <= 10
    assert event.detected_at == event.start + timedelta(minutes=30)
    assert 250 <= event.evidence["median_distance_m"] <= 350


def test_rendezvous_still_going_on_is_open():
    [event] = detect_rendezvous(context(*meeting(then_h=0.0)))
    assert event.end is None


@pytest.mark.parametrize("ship_type", [31, 32, 50, 52, 53])
def test_tug_pilot_or_tender_alongside_a_ship_is_not_a_rendezvous(ship_type):
    assert detect_rendezvous(context(*meeting(), types={B: ship_type})) == []


def test_ships_at_the_same_anchorage_are_not_a_rendezvous():
    a, b = meeting(lat=KILYOS[0] + 0.01, lon=KILYOS[1] - 0.26, drift_kn=0.1)
    assert detect_rendezvous(context(a, b)) == []


def test_ships_passing_close_under_way_are_not_a_rendezvous():
    a = voyage(A, 0.0, 43.0, 31.0, [(90.0, 12.0, 3.0)])
    b = voyage(B, 0.0, 43.003, 31.0, [(90.0, 12.0, 3.0)])
    assert detect_rendezvous(context(a, b)) == []


def test_vessels_shown_together_inland_are_not_a_rendezvous():
    # spoofed positions (e.g. many ships shown at one airfield) are on_land's and gnss_interference's business
    assert detect_rendezvous(context(*meeting(lat=45.0, lon=33.72))) == []


def test_brief_meeting_is_not_a_rendezvous():
    assert detect_rendezvous(context(*meeting(drift_h=0.3))) == []


def test_ships_too_far_apart_are_not_a_rendezvous():
    assert detect_rendezvous(context(*meeting(apart_m=1_500.0))) == []


def test_rendezvous_suppresses_the_loitering_of_both_vessels():
    ctx = context(*meeting(drift_h=3.0))
    assert len(detect_loitering(ctx)) == 2
    events = run_rules(ctx, [detect_loitering, detect_rendezvous])
    assert [e.kind for e in events] == ["rendezvous"]


# -- route_deviation ----------------------------------------------------------------------------

def lane_history(days: float = 1.5) -> pd.DataFrame:
    """Merchant ships on the lane, both ways, over ``days``."""
    hours = days * 24.0
    east = [voyage(274_000_001 + k, k * 2.0, *LANE, [(90.0, 12.0, 14.0)]) for k in range(int(hours // 2) - 6)]
    far_end = destination_point(*LANE, 90.0, 12.0 * KNOT_MS * 14 * 3600.0)
    west = [voyage(274_100_001 + k, k * 2.0 + 1.0, *far_end, [(270.0, 12.0, 14.0)])
            for k in range(int(hours // 2) - 6)]
    return pd.concat(east + west, ignore_index=True).sort_values(["mmsi", "time"], ignore_index=True)


def detour(mmsi: int = DARK, start_h: float = 30.0) -> pd.DataFrame:
    """East along the lane, then a 16 km dog-leg north of it for 1.5 h, then back on the lane (the
    westbound ships of :func:`lane_history` run a few km south of the eastbound ones: great circles)."""
    return voyage(mmsi, start_h, *LANE, [(90.0, 12.0, 2.0), (45.0, 12.0, 1.0), (90.0, 12.0, 1.5),
                                         (135.0, 12.0, 1.0), (90.0, 12.0, 2.0)])


def test_lanes_are_learned_per_type_group():
    history = lane_history()
    lanes = TrafficLanes().fit(history, ship_types(context(history)))
    on_lane = destination_point(*LANE, 90.0, 100_000.0)
    off_lane = destination_point(*on_lane, 180.0, 30_000.0)
    distance, threshold = lanes.distance_m(np.array([on_lane[0], off_lane[0]]), np.array([on_lane[1], off_lane[1]]),
                                           np.array([70.0, 80.0]))
    assert distance[0] == 0.0 and 15_000.0 < distance[1] < 35_000.0  # cells of 0.05°: ±5 km
    assert threshold[0] == 5_000.0  # the floor: every training position lies on the lane
    fishing, _ = lanes.distance_m(np.array([on_lane[0]]), np.array([on_lane[1]]), np.array([30.0]))
    assert np.isnan(fishing[0])  # no lanes for fishing boats


def test_a_route_only_one_ship_sails_does_not_widen_what_counts_as_far():
    rare = voyage(275_000_001, 3.0, LANE[0] + 0.6, LANE[1], [(90.0, 12.0, 14.0)])  # 65 km north, once
    history = pd.concat([lane_history(), rare], ignore_index=True).sort_values(["mmsi", "time"], ignore_index=True)
    lanes = TrafficLanes().fit(history, ship_types(context(history)))
    assert lanes.threshold_m_[1] == 5_000.0  # the floor: lane traffic keeps to the lane


def test_the_threshold_is_learned_from_passages_that_keep_to_the_lanes():
    from maritime.detect.lanes import lane_following

    distance = np.array([0.0, 0.0, 7_000.0, 40_000.0, 45_000.0, 0.0, np.nan])
    passage = np.array([1, 1, 1, 2, 2, 2, 3])
    # passage 1 keeps to the lanes and strays once (kept); passage 2 is mostly on a route of its own
    assert lane_following(distance, passage, 5_000.0).tolist() == [True, True, True, False, False, False, False]


def test_lanes_run_both_ways_but_one_ship_going_out_and_back_makes_none():
    start = (LANE[0] + 0.6, LANE[1])
    out_and_back = voyage(275_000_002, 0.0, *start, [(90.0, 12.0, 6.0), (0.0, 0.0, 3.0, MOORED),
                                                     (270.0, 12.0, 6.0)])
    middle = destination_point(*start, 90.0, 12.0 * KNOT_MS * 3 * 3600.0)
    alone = TrafficLanes().fit(out_and_back, ship_types(context(out_and_back)))
    assert alone.distance_ == {}  # one ship's own trip is no lane
    second = voyage(275_000_003, 1.0, *start, [(90.0, 12.0, 6.0)])  # another ship, eastbound only
    both = pd.concat([out_and_back, second], ignore_index=True).sort_values(["mmsi", "time"], ignore_index=True)
    lanes = TrafficLanes().fit(both, ship_types(context(both)))
    distance, _ = lanes.distance_m(np.array([middle[0]]), np.array([middle[1]]), np.array([70.0]),
                                   sector=np.array([6]))  # westbound on an eastbound lane: on it
    assert distance[0] == 0.0


def test_off_lane_runs_a_few_minutes_apart_are_one_detour():
    from maritime.detect.common import join_runs

    t = np.arange(12) * 60.0
    t[6:] += 3600.0  # a silence before row 6
    breaks = np.zeros(12, dtype=bool)
    breaks[6] = True
    starts, ends, joined = join_runs(np.array([0, 3, 5, 6, 10]), np.array([1, 4, 5, 8, 11]), t, breaks, 15 * 60.0)
    assert starts.tolist() == [0, 6] and ends.tolist() == [5, 11] and joined.tolist() == [0, 0, 0, 1, 1]


def test_a_route_deviation_needs_half_an_hour_off_the_lanes_not_two_blips_an_hour_apart():
    track = voyage(DARK, 30.0, *LANE, [(90.0, 12.0, 6.0)])
    for first in (100, 140):  # two bursts of three displaced fixes, 40 min apart
        track.loc[track.index[first:first + 3], "lat"] += 0.4
    assert detect_route_deviation(context(track, history=lane_history())) == []


def test_unfitted_lanes_refuse_to_answer():
    with pytest.raises(RuntimeError, match="not fitted"):
        TrafficLanes().distance_m(np.array([43.0]), np.array([30.0]), np.array([70.0]))


def test_ship_leaving_the_lane_for_a_detour_is_a_route_deviation():
    [event] = detect_route_deviation(context(detour(), history=lane_history()))
    assert event.mmsi == DARK and event.end is not None
    assert hours_after_t0(32.0) <= event.start <= hours_after_t0(33.0)
    assert event.evidence["detour_m"] > 10_000 and event.evidence["type_group"] == "merchant"
    assert event.detected_at == event.start + timedelta(minutes=30)


def test_ship_keeping_to_the_lane_is_not_a_route_deviation():
    on_lane = voyage(DARK, 30.0, *LANE, [(90.0, 12.0, 8.0)])
    assert detect_route_deviation(context(on_lane, history=lane_history())) == []


def test_straight_passage_across_open_sea_without_a_lane_is_not_a_route_deviation():
    crossing = voyage(DARK, 30.0, 42.3, 30.0, [(30.0, 12.0, 8.0)])
    assert detect_route_deviation(context(crossing, history=lane_history())) == []


def test_fishing_boat_away_from_the_lanes_is_not_judged():
    assert detect_route_deviation(context(detour(), history=lane_history(), types={DARK: 30})) == []


def test_a_detour_across_a_zone_is_one_zone_entry_not_also_a_route_deviation():
    track = detour()
    lat, lon = track["lat"].iloc[210], track["lon"].iloc[210]  # 3.5 h out: on the dog-leg
    zone = Zone("Box", "restricted", shapely.box(lon - 0.1, lat - 0.1, lon + 0.1, lat + 0.1))
    ctx = context(track, history=lane_history(), zones=[zone])
    assert [e.kind for e in detect_route_deviation(ctx)] == ["route_deviation"]
    assert [e.kind for e in run_rules(ctx, [detect_route_deviation, detect_zone_entry])] == ["zone_entry"]


def test_a_window_too_short_to_learn_lanes_from_is_not_fitted_at_all(monkeypatch):
    def no_fit(*_):
        raise AssertionError("lanes fitted on a window too short to judge by")

    monkeypatch.setattr(TrafficLanes, "fit", no_fit)
    assert detect_route_deviation(context(detour())) == []  # 7.5 h of one ship, no history


def test_a_few_displaced_fixes_are_noise_not_a_route_deviation():
    track = voyage(DARK, 30.0, *LANE, [(90.0, 12.0, 6.0)])
    jump = track.index[100:104]
    track.loc[jump, "lat"] -= 0.4
    assert detect_route_deviation(context(track, history=lane_history())) == []


def test_lanes_learned_from_too_little_traffic_flag_nothing():
    assert detect_route_deviation(context(detour(), history=lane_history(days=0.6))) == []


def test_fitted_lanes_can_be_reused_for_later_windows():
    history = lane_history()
    lanes = TrafficLanes.from_settings(DetectSettings()).fit(history, ship_types(context(history)))
    window = context(detour())
    window.vessels = context(detour(), history=history).vessels
    assert len(detect_route_deviation(window, lanes)) == 1


# -- zone_entry ---------------------------------------------------------------------------------

BOX = shapely.box(31.0, 42.9, 31.3, 43.1)  # (lon_min, lat_min, lon_max, lat_max)


def test_first_fix_inside_a_mine_danger_zone_is_a_critical_entry():
    track = voyage(DARK, 0.0, 43.0, 30.5, [(90.0, 12.0, 4.0)])
    [event] = detect_zone_entry(context(track, zones=[Zone("Box", "mine_danger", BOX)]))
    assert event.severity == "critical" and event.evidence["zone"] == "Box"
    assert event.lon == pytest.approx(31.0, abs=1e-4)  # entry point on the boundary
    first_inside = track[track["lon"] >= 31.0]["time"].min()
    assert event.detected_at == first_inside and event.start <= first_inside
    assert event.end is not None and event.evidence["exit"]["lon"] == pytest.approx(31.3, abs=1e-4)


@pytest.mark.parametrize("kind", ["restricted", "exclusion"])
def test_restricted_and_exclusion_zone_entries_are_warnings(kind):
    track = voyage(DARK, 0.0, 43.0, 30.5, [(90.0, 12.0, 4.0)])
    [event] = detect_zone_entry(context(track, zones=[Zone("Box", kind, BOX)]))
    assert event.severity == "warning" and event.evidence["zone_kind"] == kind


def test_leg_crossing_a_zone_between_sparse_reports_is_an_entry():
    narrow = shapely.box(30.8, 42.9, 30.95, 43.1)  # hourly fixes at 30.77 E and 31.05 E fall either side
    track = voyage(DARK, 0.0, 43.0, 30.5, [(90.0, 12.0, 4.0)], every_s=3600.0)
    [event] = detect_zone_entry(context(track, zones=[Zone("Narrow", "restricted", narrow)]))
    assert event.evidence["how"] == "crossed between reports" and event.evidence["reports_inside"] == 0
    assert event.lon == pytest.approx(30.8, abs=1e-4)
    assert hours_after_t0(1.0) < event.start < event.end < hours_after_t0(2.0)


def test_each_visit_of_a_zone_is_one_event():
    track = voyage(DARK, 0.0, 43.0, 30.9, [(90.0, 12.0, 1.0), (270.0, 12.0, 1.5), (90.0, 12.0, 2.0)])
    events = detect_zone_entry(context(track, zones=[Zone("Box", "mine_danger", BOX)]))
    assert len(events) == 2 and all(e.end is not None for e in events)
    assert events[0].end < events[1].start


def test_vessel_still_inside_the_zone_is_an_open_entry():
    track = voyage(DARK, 0.0, 43.0, 30.5, [(90.0, 12.0, 2.0)])
    [event] = detect_zone_entry(context(track, zones=[Zone("Box", "mine_danger", BOX)]))
    assert event.end is None


def test_a_lone_displaced_fix_inside_a_zone_is_not_an_entry():
    track = voyage(DARK, 0.0, 42.6, 30.5, [(90.0, 12.0, 4.0)])
    jump = track.index[120]
    track.loc[jump, ["lat", "lon"]] = (43.0, 31.1)  # 45 km away for one report: a spoofed fix
    assert detect_zone_entry(context(track, zones=[Zone("Box", "mine_danger", BOX)])) == []


def test_vessel_passing_outside_the_zone_is_not_an_entry():
    track = voyage(DARK, 0.0, 42.8, 30.5, [(90.0, 12.0, 4.0)])
    assert detect_zone_entry(context(track, zones=[Zone("Box", "mine_danger", BOX)])) == []


def test_vessel_first_heard_inside_a_zone_is_an_entry_unless_the_window_cut_its_track():
    inside = staying(DARK, 2.0, 43.0, 31.1, 3.0, status=AT_ANCHOR)
    other = voyage(271_000_001, 0.0, *LANE, [(90.0, 12.0, 5.0)])
    zone = Zone("Box", "mine_danger", BOX)
    [event] = detect_zone_entry(context(other, inside, zones=[zone]))
    assert event.evidence["how"] == "inside when first seen" and event.start == hours_after_t0(2.0)
    # at the window's edge it was inside before the window began: its entry is not known
    assert detect_zone_entry(context(staying(DARK, 0.0, 43.0, 31.1, 3.0), other, zones=[zone])) == []


# -- a simulated scenario, end to end -----------------------------------------------------------

MINE = ("ais_gap", "loitering", "rendezvous", "zone_entry")
LOOK_ALIKES = ("anchorage_wait", "moored_ais_off", "fishing", "tug_alongside", "pilot", "reception_hole")


@pytest.mark.slow
def test_simulated_anomalies_are_found_near_their_labels_and_look_alikes_are_left_alone(tmp_path):
    simulate = pytest.importorskip("maritime.simulate").simulate
    from maritime.detect.tracks import load_context
    from maritime.evaluate import load_labels, match, overlaps
    from maritime.geo.zones import read_zones
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store

    out = tmp_path / "sim"
    simulate(hours=6.0, vessels=300, seed=5, out_dir=out, anomalies={kind: 1 for kind in MINE})
    engine = open_store(f"sqlite:///{tmp_path / 'sim.sqlite'}")
    ingest_paths(engine, [str(out / "ais.nmea")])
    with engine.connect() as connection:
        ctx = load_context(connection, None, None, DetectSettings())
    ctx.zones = [Zone(z.name, z.kind, z.shape) for z in read_zones(out / "zones.geojson")]
    events = run_rules(ctx, [detect_ais_gap, detect_loitering, detect_rendezvous, detect_zone_entry])

    labels = [label for label in load_labels(out / "labels.jsonl") if label["kind"] in MINE]
    assert sorted(label["kind"] for label in labels) == sorted(MINE)
    rows = [e.as_dict() for e in events]
    for kind in MINE:
        kind_events = [r for r in rows if r["kind"] == kind]
        kind_labels = [label for label in labels if label["kind"] == kind]
        assert len(match(kind_events, kind_labels)) == len(kind_labels) == len(kind_events), kind

    benign = [label for label in load_labels(out / "benign.jsonl") if label["kind"] in LOOK_ALIKES]
    assert benign, "the scenario has look-alikes"
    for label in benign:
        vessels = {label["mmsi"], label.get("other_mmsi")} - {None}
        during = [r for r in rows if vessels & {r["mmsi"], r["other_mmsi"]} and overlaps(r, label)]
        assert during == [], label


def test_route_deviation_in_a_window_is_judged_by_lanes_from_the_stored_history_before_it(db_url):
    from maritime.detect.lane_history import history_lanes
    from maritime.detect.runner import detect_window
    from maritime.detect.tracks import load_tracks
    from maritime.store.db import open_store
    from tests.behaviour_tracks import T0
    from tests.model_helpers import store_tracks

    history = lane_history()
    tracks = pd.concat([history, detour()], ignore_index=True)
    engine = open_store(db_url)
    store_tracks(engine, tracks, pd.DataFrame({"mmsi": sorted(set(tracks["mmsi"])), "ship_type": 70}))
    since, until = T0 + timedelta(hours=29), T0 + timedelta(hours=40)
    with engine.connect() as connection:
        sampled = load_tracks(connection, None, None, sample=4)
        assert len(sampled) == len(tracks) // 4 + (len(tracks) % 4 > 0)  # keys 0..n-1: every fourth
        lanes = history_lanes(connection, since, DetectSettings())
        assert 20.0 <= lanes.hours_ <= 29.0  # learned from before the window only
        assert history_lanes(connection, since, DetectSettings()) is lanes  # reused, not refitted
    # the 11 h window alone is too little traffic to learn lanes from; the stored history before it is not
    report = detect_window(engine, since, until, DetectSettings())
    [event] = [e for e in report.events if e.kind == "route_deviation"]
    assert event.mmsi == DARK and hours_after_t0(32.0) <= event.start <= hours_after_t0(33.0)
    short = DetectSettings(lanes_history_days=0.25)  # 6 h of history: too sparse, and the window too
    assert [e for e in detect_window(engine, since, until, short).events if e.kind == "route_deviation"] == []
    engine.dispose()


def test_a_silence_longer_than_the_lookback_stays_one_gap_event_that_grows_and_closes(sqlite_url):
    from maritime.config import Settings
    from maritime.pipeline import detect_recent
    from maritime.store.db import open_store
    from maritime.store.events import iter_events
    from tests.model_helpers import store_tracks

    traffic = [voyage(271_000_001 + k, k * 2.0, *LANE, [(90.0, 6.0, 40.0 - k * 2.0)]) for k in range(12)]
    dark = voyage(DARK, 0.0, *LANE, [(90.0, 6.0, 40.0)], silent=[(5.0, 25.0)])  # 20 h dark; lookback 14 h
    tracks = pd.concat(traffic + [dark], ignore_index=True)
    engine = open_store(sqlite_url)
    store_tracks(engine, tracks, pd.DataFrame({"mmsi": sorted(set(tracks["mmsi"])), "ship_type": 70}))
    settings = Settings()

    def gaps():
        with engine.connect() as connection:
            return [e for e in iter_events(connection) if e["kind"] == "ais_gap" and e["mmsi"] == DARK]

    for tick_h, severity in ((8, "info"), (12, "warning"), (20, "critical"), (24, "critical")):
        detect_recent(engine, settings, until=hours_after_t0(tick_h))
        [gap] = gaps()
        assert gap["end"] is None and gap["severity"] == severity, tick_h  # still seen after 14 h
    detect_recent(engine, settings, until=hours_after_t0(28))  # it reappeared at 25 h
    [gap] = gaps()
    assert gap["status"] == "open" and gap["end"] == hours_after_t0(25.0)
    assert gap["start"] == hours_after_t0(5.0)  # the last fix before the silence
    engine.dispose()
