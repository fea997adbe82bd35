"""The anomaly estimators (scikit-learn contract), window labels, calibration and evaluation."""

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks
from threadpoolctl import threadpool_limits

from maritime.config import ModelSettings
from maritime.errors import MaritimeError
from maritime.features import LaneGrid
from maritime.model_registry import anomaly_scores
from models.calibration import calibrate_threshold
from models.estimators import BoostedBehaviourDetector, IsolationForestDetector
from models.evaluation import evaluate_scores
from models.labels import _frame, read_labels, window_targets
from models.training import build_training_data, fit_model
from tests.model_helpers import labelled_fleet


@pytest.fixture(autouse=True)
def one_thread():
    """Gradient boosting's OpenMP threads thrash on a busy host (20x slower); the suite runs them singly."""
    with threadpool_limits(limits=1):
        yield


@parametrize_with_checks([IsolationForestDetector(n_estimators=10, random_state=0),
                          BoostedBehaviourDetector(max_iter=30, random_state=0)])
def test_estimators_follow_the_scikit_learn_contract(estimator, check):
    check(estimator)


def behaviour_data(n: int, seed: int):
    """Windows of (speed, port distance, lane distance, fishing, noise): anomalies are slow, far out and off
    the lanes; fishing boats are slow and far out too, but on their lanes. 2 % are anomalous."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(3, size=n, p=[0.6, 0.38, 0.02])
    speed = np.where(kind == 0, rng.normal(12, 2, n), rng.normal(1.0, 0.4, n))
    port = np.where(kind == 0, rng.uniform(0, 150, n), rng.uniform(30, 150, n))
    lane = np.where(kind == 2, rng.uniform(8, 20, n), rng.uniform(0, 3, n))
    fishing = (kind == 1).astype(float)
    X = np.column_stack([speed, port, lane, fishing, rng.normal(size=n)])
    y = np.where(kind == 2, -1, 1)
    return X, y


def pr_auc(scores, y):
    from sklearn.metrics import average_precision_score

    return average_precision_score(y == -1, scores)


def test_boosted_detector_finds_labelled_behaviour_far_better_than_the_isolation_forest():
    X, y = behaviour_data(6000, 0)
    X_test, y_test = behaviour_data(4000, 1)
    boosted = BoostedBehaviourDetector(random_state=0).fit(X, y)
    forest = IsolationForestDetector(random_state=0).fit(X, y)
    assert pr_auc(-boosted.score_samples(X_test), y_test) > pr_auc(-forest.score_samples(X_test), y_test) + 0.1


def test_boosted_detector_without_labels_still_flags_what_is_unlike_the_data():
    X, _ = behaviour_data(3000, 0)
    odd = np.array([[25.0, 0.0, 20.0, 1.0, 0.0]])  # fast, in port, off the lanes, fishing: never seen
    model = BoostedBehaviourDetector(random_state=0).fit(X)
    assert -model.score_samples(odd)[0] > np.quantile(-model.score_samples(X), 0.99)


def test_isolation_forest_is_fitted_on_the_normal_windows_only():
    X, y = behaviour_data(2000, 0)
    with_labels = IsolationForestDetector(random_state=0).fit(X, y)
    normal_only = IsolationForestDetector(random_state=0).fit(X[y == 1])
    np.testing.assert_array_equal(with_labels.score_samples(X), normal_only.score_samples(X))


def test_left_out_windows_do_not_change_the_boosted_model():
    X, y = behaviour_data(2000, 0)
    left_out = y.copy()
    left_out[:50] = 0
    a = BoostedBehaviourDetector(random_state=0, reference_weight=0).fit(X, left_out)
    b = BoostedBehaviourDetector(random_state=0, reference_weight=0).fit(X[50:], y[50:])
    np.testing.assert_allclose(a.score_samples(X), b.score_samples(X))


@pytest.mark.parametrize("estimator", [IsolationForestDetector(random_state=0),
                                       BoostedBehaviourDetector(random_state=0)])
def test_the_stored_plain_estimator_scores_exactly_like_the_wrapper(estimator):
    X, y = behaviour_data(1000, 0)
    estimator.fit(X, y)
    np.testing.assert_array_equal(anomaly_scores(estimator.estimator_, X), -estimator.score_samples(X))


def test_y_that_is_not_numeric_is_refused():
    with pytest.raises(ValueError, match="numeric"):
        BoostedBehaviourDetector().fit(np.zeros((4, 2)), ["a", "b", "c", "d"])


# -- calibration and evaluation ----------------------------------------------------------------------

def test_threshold_lets_through_the_stated_false_alarms_per_thousand_vessel_hours():
    rng = np.random.default_rng(0)
    scores = rng.random(10_000)
    normal = np.ones(10_000, dtype=bool)
    normal[:100] = False
    scores[:100] += 1.0  # anomalies above every normal window
    calibration = calibrate_threshold(scores, normal, vessel_hours=10_000, per_1000_vessel_hours=2.0)
    assert calibration.false_alarms == 20 and (scores[normal] > calibration.threshold).sum() == 20
    assert calibration.achieved_per_1000_vessel_hours == pytest.approx(2.0)


def test_a_zero_false_alarm_rate_puts_the_threshold_at_the_highest_normal_score():
    scores = np.array([0.1, 0.5, 0.9, 0.3])
    calibration = calibrate_threshold(scores, np.array([True, True, False, True]), 1000, 0.0)
    assert calibration.threshold == 0.5 and calibration.false_alarms == 0


def test_pr_auc_per_kind_leaves_windows_of_other_kinds_out():
    targets = pd.DataFrame({"loitering": [True, False, False, False, False],
                            "route_deviation": [False, True, False, False, False],
                            "rendezvous": [False] * 5,
                            "labelled": [True, True, True, False, False]})
    scores = np.array([0.9, 0.2, 0.95, 0.1, 0.3])  # window 2 is another kind (e.g. a gap), scored highest
    result = evaluate_scores(scores, targets, threshold=0.5)
    assert result["pr_auc"]["loitering"] == 1.0
    assert result["pr_auc"]["route_deviation"] == pytest.approx(0.5)
    assert result["pr_auc"]["rendezvous"] is None
    assert result["recall"]["loitering"] == 1.0 and result["recall"]["route_deviation"] == 0.0
    assert result["false_alarms_per_1000_vessel_hours"] == 0.0


# -- labels -------------------------------------------------------------------------------------------

def windows_of(mmsi: int, hours: int) -> pd.DataFrame:
    start = pd.Timestamp("2024-07-01") + pd.to_timedelta(np.arange(hours), unit="h")
    return pd.DataFrame({"mmsi": mmsi, "window_start": start, "window_end": start + pd.Timedelta(hours=1)})


def labels(*rows) -> pd.DataFrame:
    return pd.concat([_frame([{"kind": k, "mmsi": m, "other_mmsi": o, "start": s, "end": e}], source)
                      for k, m, o, s, e, source in rows], ignore_index=True)


def test_windows_mostly_covered_by_a_label_are_positives_and_slivers_are_left_out():
    windows = windows_of(1, 4)
    truth = labels(("loitering", 1, None, "2024-07-01T00:50:00Z", "2024-07-01T02:10:00Z", "labels"))
    targets = window_targets(windows, truth)
    assert list(targets["loitering"]) == [False, True, False, False]
    assert list(targets["y"]) == [0, -1, 0, 1]


def test_labels_files_keep_anomalies_and_skip_benign_look_alikes(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"kind": "loitering", "mmsi": 1, "other_mmsi": null, "start": "2024-07-01T00:00:00Z", '
                    '"end": "2024-07-01T02:00:00Z", "lat": 43.0, "lon": 32.0}\n'
                    '{"kind": "anchorage_wait", "mmsi": 2, "other_mmsi": null, "start": "2024-07-01T00:00:00Z", '
                    '"end": "2024-07-01T05:00:00Z", "lat": 46.4, "lon": 30.9}\n')
    frame = read_labels([path])
    assert list(frame["kind"]) == ["loitering"] and frame["start"].iloc[0] == pd.Timestamp("2024-07-01")


def test_a_bad_labels_line_is_a_one_line_error_naming_it(tmp_path):
    path = tmp_path / "labels.jsonl"
    path.write_text('{"kind": "loitering"}\n')
    with pytest.raises(MaritimeError, match="labels.jsonl:1"):
        read_labels([path])


def test_a_rendezvous_label_makes_both_vessels_positive():
    windows = pd.concat([windows_of(1, 2), windows_of(2, 2), windows_of(3, 2)], ignore_index=True)
    truth = labels(("rendezvous", 1, 2, "2024-07-01T00:00:00Z", "2024-07-01T01:00:00Z", "labels"))
    assert list(window_targets(windows, truth)["y"]) == [-1, 1, -1, 1, 1, 1]


def test_labels_of_other_kinds_leave_windows_out_of_training():
    truth = labels(("ais_gap", 1, None, "2024-07-01T00:10:00Z", "2024-07-01T00:40:00Z", "labels"))
    targets = window_targets(windows_of(1, 2), truth)
    assert list(targets["labelled"]) == [True, False] and list(targets["y"]) == [0, 1]


def test_analysts_verdicts_override_the_labels():
    windows = windows_of(1, 3)
    truth = labels(("loitering", 1, None, "2024-07-01T00:00:00Z", "2024-07-01T01:00:00Z", "labels"),
                   ("loitering", 1, None, "2024-07-01T00:00:00Z", "2024-07-01T01:00:00Z", "dismissed"),
                   ("behaviour_outlier", 1, None, "2024-07-01T02:00:00Z", "2024-07-01T03:00:00Z", "acknowledged"))
    assert list(window_targets(windows, truth)["y"]) == [1, 1, -1]


# -- training on a small labelled fleet -----------------------------------------------------------------

@pytest.fixture(scope="module")
def fleet_data():
    tracks, vessels, truth = labelled_fleet()
    return build_training_data(tracks, vessels, _frame(truth, "labels"), holdout_fraction=0.3)


def test_training_data_is_split_in_time_and_lanes_come_from_the_earlier_part(fleet_data):
    starts, cut = fleet_data.windows["window_start"], fleet_data.cut
    assert (starts[fleet_data.fit_rows] < cut).all() and (starts[~fleet_data.fit_rows] >= cut).all()
    assert (fleet_data.targets["y"][fleet_data.fit_rows] == -1).any()
    tracks, vessels, _ = labelled_fleet()
    earlier = LaneGrid.learn(tracks[tracks["time"] < cut], vessels)
    np.testing.assert_array_equal(fleet_data.lanes.cells["all"], earlier.cells["all"])
    assert len(LaneGrid.learn(tracks, vessels).cells["all"]) > len(earlier.cells["all"])


@pytest.mark.parametrize("estimator", ["iforest", "gbm"])
def test_fit_model_calibrates_on_held_out_windows_and_reports_per_kind_figures(fleet_data, estimator):
    trained = fit_model(fleet_data, estimator, ModelSettings(false_alarms_per_1000_vessel_hours=10.0))
    held = trained.metrics["heldout"]
    assert set(held["pr_auc"]) == {"loitering", "route_deviation", "rendezvous", "overall"}
    assert held["false_alarms_per_1000_vessel_hours"] <= 10.0
    assert trained.critical_threshold >= trained.threshold
    assert trained.artifact["estimator"] is trained.estimator.estimator_


def test_gbm_without_any_labelled_anomaly_is_a_clear_error(fleet_data):
    unlabelled = build_training_data(*labelled_fleet()[:2], _frame([], "labels"), holdout_fraction=0.3)
    with pytest.raises(MaritimeError, match="--estimator iforest"):
        fit_model(unlabelled, "gbm", ModelSettings())
