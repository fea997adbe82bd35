"""Behaviour features per vessel and window, checked on hand-made tracks."""

import numpy as np
import pandas as pd
import pytest

from maritime.features import (FEATURE_COLUMNS, HOURS_SINCE_PORT_CAP, LANE_DISTANCE_CAP_KM, NEAR_VESSEL_CAP_KM,
                               LaneGrid, type_groups, window_features)
from tests.model_helpers import START, chain, labelled_fleet, leg, then

CARGO = pd.DataFrame({"mmsi": [1, 2, 3], "ship_type": [70, 70, 70]})
OPEN_SEA = (43.0, 32.0)  # ~150 km from any port


def one(features: pd.DataFrame, mmsi: int, hour: int) -> pd.Series:
    rows = features[(features["mmsi"] == mmsi) & (features["window_start"] == START + pd.Timedelta(hours=hour))]
    assert len(rows) == 1
    return rows.iloc[0]


def test_straight_transit_gives_its_speed_a_straight_path_and_regular_reports():
    track = leg(1, *OPEN_SEA, sog_kn=10.0, cog_deg=90.0, minutes=120)
    features = window_features(track, CARGO)
    assert list(features["window_start"]) == [START, START + pd.Timedelta(hours=1)]
    w = one(features, 1, 1)
    assert w["n_reports"] == 60 and w["span_min"] == 59
    assert w["sog_mean_kn"] == 10.0 and w["implied_speed_kn"] == pytest.approx(10.0, abs=0.1)
    assert w["path_km"] == pytest.approx(10 * 1.852 * 59 / 60, rel=0.01)
    assert w["straightness"] == pytest.approx(1.0, abs=1e-3)
    assert w["turn_mean_deg"] == 0.0 and w["heading_cog_diff_deg"] == 0.0
    assert w["interval_median_s"] == 60 and w["interval_max_s"] == 60 and w["gap_count"] == 0
    assert w["slow_frac"] == 0.0 and w["stop_count"] == 0
    assert w["type_cargo"] == 1.0 and w["type_tanker"] == 0.0


def test_vessel_that_stops_counts_one_stop_and_half_the_window_slow():
    track = then(leg(1, *OPEN_SEA, sog_kn=10.0, cog_deg=90.0, minutes=30), 0.2, 90.0, 30)
    w = one(window_features(track, CARGO), 1, 0)
    assert w["stop_count"] == 1
    assert w["stopped_frac"] == pytest.approx(0.5) and w["slow_frac"] == pytest.approx(0.5)
    assert w["sog_max_kn"] == 10.0 and w["sog_std_kn"] > 4


def test_silence_is_a_gap_in_the_window_where_reports_resume():
    before = leg(1, *OPEN_SEA, sog_kn=10.0, cog_deg=90.0, minutes=20)
    last = before.iloc[-1]
    after = leg(1, last["lat"], last["lon"], 10.0, 90.0, 50, start=START + pd.Timedelta(minutes=70))
    features = window_features(chain(before, after), CARGO)
    assert one(features, 1, 0)["gap_count"] == 0
    w = one(features, 1, 1)
    assert w["gap_count"] == 1 and w["interval_max_s"] == pytest.approx(70 * 60 - 19 * 60)
    assert w["interval_cv"] > 1


def test_unavailable_positions_are_counted_and_never_used_as_places():
    track = leg(1, *OPEN_SEA, sog_kn=10.0, cog_deg=90.0, minutes=60)
    track.loc[track.index % 2 == 1, ["lat", "lon"]] = np.nan
    w = one(window_features(track, CARGO), 1, 0)
    assert w["position_unavailable_frac"] == pytest.approx(0.5)
    assert w["implied_speed_kn"] == pytest.approx(10.0, abs=0.1)
    assert w["interval_median_s"] == 60


def test_reported_speed_falls_back_to_implied_speed_and_mismatch_is_measured():
    track = leg(1, *OPEN_SEA, sog_kn=12.0, cog_deg=0.0, minutes=60)
    track["sog"] = np.nan
    w = one(window_features(track, CARGO), 1, 0)
    assert w["sog_mean_kn"] == pytest.approx(12.0, abs=0.1)
    lying = leg(2, *OPEN_SEA, sog_kn=12.0, cog_deg=0.0, minutes=60)
    lying["sog"] = 2.0
    assert one(window_features(lying, CARGO), 2, 0)["speed_mismatch_kn"] == pytest.approx(10.0, abs=0.2)


def test_turning_vessel_has_its_turn_per_report():
    track = leg(1, *OPEN_SEA, sog_kn=8.0, cog_deg=0.0, minutes=60)
    track["cog"] = (np.arange(len(track)) * 6.0) % 360  # 6° a minute, wrapping through north
    w = one(window_features(track, CARGO), 1, 0)
    assert w["turn_mean_deg"] == pytest.approx(6.0) and w["turn_max_deg"] == pytest.approx(6.0)


def test_two_slow_vessels_side_by_side_at_sea_are_close_and_slow_and_a_lone_one_is_not():
    a = leg(1, *OPEN_SEA, sog_kn=0.5, cog_deg=90.0, minutes=60)
    b = leg(2, OPEN_SEA[0] + 0.002, OPEN_SEA[1], sog_kn=0.5, cog_deg=90.0, minutes=60)  # ~220 m north
    lone = leg(3, 44.0, 34.0, sog_kn=0.5, cog_deg=90.0, minutes=60)
    features = window_features(chain(a, b, lone), CARGO)
    for mmsi in (1, 2):
        w = one(features, mmsi, 0)
        assert w["nearest_vessel_km"] == pytest.approx(0.22, abs=0.03)
        assert w["close_slow_frac"] == 1.0
    assert one(features, 3, 0)["nearest_vessel_km"] == NEAR_VESSEL_CAP_KM
    assert one(features, 3, 0)["close_slow_frac"] == 0.0


def test_close_vessels_under_way_are_not_close_and_slow():
    a = leg(1, *OPEN_SEA, sog_kn=12.0, cog_deg=90.0, minutes=60)
    b = leg(2, OPEN_SEA[0] + 0.002, OPEN_SEA[1], sog_kn=12.0, cog_deg=90.0, minutes=60)
    w = one(window_features(chain(a, b), CARGO), 1, 0)
    assert w["nearest_vessel_km"] < 0.3 and w["close_slow_frac"] == 0.0


def test_port_features_in_odesa_and_far_at_sea():
    moored = leg(1, 46.495, 30.745, sog_kn=0.0, cog_deg=0.0, minutes=60)
    at_sea = leg(2, *OPEN_SEA, sog_kn=10.0, cog_deg=90.0, minutes=60)
    features = window_features(chain(moored, at_sea), CARGO)
    assert one(features, 1, 0)["in_port_frac"] == 1.0 and one(features, 1, 0)["port_distance_km"] == 0.0
    assert one(features, 1, 0)["hours_since_port"] == 0.0
    assert one(features, 2, 0)["port_distance_km"] > 100 and one(features, 2, 0)["in_port_frac"] == 0.0
    assert one(features, 2, 0)["hours_since_port"] == HOURS_SINCE_PORT_CAP


def test_lanes_learned_from_history_measure_how_far_a_vessel_is_off_them():
    history = chain(*(leg(100 + i, 43.0 + i * 0.001, 31.0, 12.0, 90.0, 600) for i in range(5)))
    types = pd.DataFrame({"mmsi": [*range(100, 105), 1, 2], "ship_type": 70})
    lanes = LaneGrid.learn(history, types, cell_deg=0.05, min_vessels=3, min_group_vessels=3)
    on_lane = leg(1, 43.0, 31.5, 12.0, 90.0, 60)
    off_lane = leg(2, 43.2, 31.5, 12.0, 90.0, 60)  # 22 km north of the lane
    features = window_features(chain(on_lane, off_lane), types, lanes)
    assert one(features, 1, 0)["lane_distance_km"] == 0.0 and one(features, 1, 0)["lane_vessels"] == 5
    assert one(features, 2, 0)["lane_distance_km"] == pytest.approx(22.0, abs=3.0)
    assert one(features, 2, 0)["lane_vessels"] == 0


def test_a_type_group_with_too_few_vessels_is_measured_against_every_types_lanes():
    history = chain(*(leg(100 + i, 43.0, 31.0, 12.0, 90.0, 600) for i in range(5)))
    types = pd.DataFrame({"mmsi": [*range(100, 105), 1], "ship_type": [70] * 5 + [80]})
    lanes = LaneGrid.learn(history, types, min_vessels=3, min_group_vessels=3)
    assert "tanker" not in lanes.cells and "cargo" in lanes.cells
    w = one(window_features(leg(1, 43.0, 31.5, 12.0, 90.0, 60), types, lanes), 1, 0)
    assert w["lane_distance_km"] == 0.0 and w["type_tanker"] == 1.0


def test_without_lanes_every_lane_distance_is_capped():
    w = one(window_features(leg(1, *OPEN_SEA, 12.0, 90.0, 60), CARGO), 1, 0)
    assert w["lane_distance_km"] == LANE_DISTANCE_CAP_KM and w["lane_distance_all_km"] == LANE_DISTANCE_CAP_KM


def test_lanes_survive_a_round_trip_through_plain_values():
    tracks, vessels, _ = labelled_fleet(hours=3)
    lanes = LaneGrid.learn(tracks, vessels, min_group_vessels=5)
    again = LaneGrid.from_dict(lanes.to_dict())
    pd.testing.assert_frame_equal(window_features(tracks, vessels, lanes), window_features(tracks, vessels, again))


def test_type_groups_follow_the_ais_type_codes():
    codes = pd.Series([70, 84, 30, 52, 37, 60, 45, 99, None])
    assert list(type_groups(codes)) == ["cargo", "tanker", "fishing", "service", "pleasure", "passenger",
                                        "passenger", "other", "other"]


def test_features_do_not_depend_on_row_order_and_are_always_finite():
    tracks, vessels, _ = labelled_fleet(hours=4)
    tracks.loc[tracks.index % 7 == 0, ["sog", "cog"]] = np.nan
    tracks.loc[tracks.index % 11 == 0, ["lat", "lon"]] = np.nan
    features = window_features(tracks, vessels)
    shuffled = window_features(tracks.sample(frac=1.0, random_state=1), vessels)
    pd.testing.assert_frame_equal(features, shuffled)
    assert np.isfinite(features[list(FEATURE_COLUMNS)].to_numpy()).all()


def test_windows_are_aligned_to_the_hour_wherever_the_data_starts():
    track = leg(1, *OPEN_SEA, 10.0, 90.0, 90, start=START + pd.Timedelta(minutes=37))
    features = window_features(track, CARGO)
    assert list(features["window_start"]) == [START, START + pd.Timedelta(hours=1), START + pd.Timedelta(hours=2)]
    assert (features["window_end"] - features["window_start"] == pd.Timedelta(hours=1)).all()


def test_no_tracks_give_an_empty_frame_with_every_column():
    empty = window_features(leg(1, *OPEN_SEA, 10.0, 90.0, 0), CARGO)
    assert empty.empty and set(FEATURE_COLUMNS) <= set(empty.columns)


def test_unknown_vessels_are_type_other():
    w = one(window_features(leg(9, *OPEN_SEA, 10.0, 90.0, 60)), 9, 0)
    assert w["type_other"] == 1.0
