"""The model registry: skops files checked by sha256, promotion and rollback, scoring in the pipeline, the CLI."""

import json
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sqlalchemy import update
from threadpoolctl import threadpool_limits
from typer.testing import CliRunner

from maritime.cli import app
from maritime.config import DetectSettings, ModelSettings
from maritime.detect.behaviour_outlier import detect_behaviour_outlier
from maritime.detect.runner import run_rules
from maritime.detect.tracks import load_context
from maritime.errors import MaritimeError
from maritime.features import window_features
from maritime.model_registry import (ModelFileError, active_model, active_model_or_none, get_version, list_versions,
                                     load_scoring_model, models_dir, promote, read_model_file, register_model,
                                     rollback)
from maritime.store.db import open_store
from maritime.store.schema import ModelVersionRow
from models.labels import feedback_labels
from models.training import train
from tests.model_helpers import labelled_fleet, store_tracks, write_labels

runner = CliRunner()


@pytest.fixture(autouse=True)
def one_thread():
    with threadpool_limits(limits=1):
        yield


@pytest.fixture
def settings(tmp_path, monkeypatch):
    """Model files in the test's folder (PostgreSQL has no SQLite file to put them beside)."""
    monkeypatch.setenv("MARITIME_MODELS_DIR", str(tmp_path / "models"))
    return ModelSettings(dir=tmp_path / "models", false_alarms_per_1000_vessel_hours=5.0)


@pytest.fixture
def fleet_store(tmp_path, db_url):
    """A real store (SQLite, and PostgreSQL when configured) holding a labelled fleet, and its labels file."""
    tracks, vessels, labels = labelled_fleet()
    engine = open_store(db_url)
    store_tracks(engine, tracks, vessels)
    return engine, write_labels(tmp_path / "labels.jsonl", labels)


@pytest.fixture
def trained(fleet_store, settings):
    engine, labels = fleet_store
    report = train(engine, settings, label_paths=(labels,), estimator="gbm")
    return engine, report.entry


def context(engine):
    with engine.connect() as connection:
        return load_context(connection, None, None, DetectSettings())


def test_model_files_go_beside_an_sqlite_file_unless_a_folder_is_set(tmp_path):
    url = f"sqlite:///{tmp_path / 'db' / 'm.sqlite'}"
    assert models_dir(url, ModelSettings()) == (tmp_path / "db" / "models").resolve()
    assert models_dir(url, ModelSettings(dir=tmp_path / "elsewhere")) == tmp_path / "elsewhere"


def test_train_registers_an_inactive_version_with_its_file_hash_window_and_figures(trained, tmp_path):
    engine, entry = trained
    assert entry.version == "v1" and not entry.active and entry.estimator == "gbm"
    assert Path(entry.path) == tmp_path / "models" / "v1.skops"
    assert len(entry.sha256) == 64 and len(entry.data_hash) == 64
    assert entry.train_since is not None and entry.train_until > entry.train_since
    assert {"scikit-learn", "skops", "numpy"} <= set(entry.library_versions)
    assert entry.metrics["heldout"]["pr_auc"]["overall"] is not None
    assert entry.metrics["labels"] == {"labels": 5}
    with engine.connect() as connection:
        assert get_version(connection, "v1") == entry


SCORE_IN_FRESH_PROCESS = """
import sys, json
import numpy as np
from maritime.store.db import open_store
from maritime.detect.tracks import load_tracks, load_vessels
from maritime.features import window_features
from maritime.model_registry import get_version, load_scoring_model
engine = open_store(sys.argv[1])
with engine.connect() as connection:
    model = load_scoring_model(get_version(connection, sys.argv[2]))
    windows = window_features(load_tracks(connection, None, None), load_vessels(connection), model.lanes)
np.save(sys.argv[3], model.anomaly_scores(windows))
print(json.dumps(sorted(m for m in sys.modules if m == "models" or m.startswith("models."))))
"""


@pytest.mark.parametrize("estimator", ["iforest", "gbm"])
def test_a_model_loaded_in_a_fresh_process_scores_exactly_as_trained(fleet_store, settings, tmp_path, estimator):
    engine, labels = fleet_store
    entry = train(engine, settings, label_paths=(labels,), estimator=estimator).entry
    with engine.connect() as connection:
        model = load_scoring_model(get_version(connection, entry.version))
        from maritime.detect.tracks import load_tracks, load_vessels
        windows = window_features(load_tracks(connection, None, None), load_vessels(connection), model.lanes)
    out = tmp_path / "scores.npy"
    url = engine.url.render_as_string(hide_password=False)
    done = subprocess.run([sys.executable, "-c", SCORE_IN_FRESH_PROCESS, url, entry.version, str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []  # scoring never imports the models package
    np.testing.assert_array_equal(np.load(out), model.anomaly_scores(windows))


def test_a_corrupted_model_file_is_refused_with_one_clear_line(trained):
    engine, entry = trained
    data = bytearray(Path(entry.path).read_bytes())
    data[len(data) // 2] ^= 0xFF
    Path(entry.path).write_bytes(bytes(data))
    with pytest.raises(ModelFileError) as caught:
        read_model_file(Path(entry.path), entry.sha256)
    message = str(caught.value)
    assert "corrupted or has been tampered with" in message and "refusing" in message and "\n" not in message


def tamper(engine, entry, artifact) -> None:
    """Replace the model file and forge its recorded hash, as someone with write access to both would."""
    data = skops.io.dumps(artifact, compression=zipfile.ZIP_DEFLATED)
    Path(entry.path).write_bytes(data)
    import hashlib

    with engine.begin() as connection:
        connection.execute(update(ModelVersionRow).where(ModelVersionRow.version == entry.version)
                           .values(sha256=hashlib.sha256(data).hexdigest()))


def test_a_tampered_file_with_a_forged_hash_is_refused_for_its_untrusted_types(trained):
    engine, entry = trained
    artifact = skops.io.loads(Path(entry.path).read_bytes(), trusted=["sklearn.ensemble._hist_gradient_boosting."
                                                                       "predictor.TreePredictor"])
    artifact["payload"] = Path("/etc/passwd")  # any type outside the trusted list
    tamper(engine, entry, artifact)
    with engine.connect() as connection, pytest.raises(ModelFileError, match="cannot be loaded safely"):
        load_scoring_model(get_version(connection, entry.version))


def test_a_file_holding_another_estimator_is_refused(trained):
    engine, entry = trained
    from sklearn.linear_model import LinearRegression

    tamper(engine, entry, {"format": 1, "estimator": LinearRegression(), "features": entry.features})
    with engine.connect() as connection, pytest.raises(ModelFileError, match="LinearRegression"):
        load_scoring_model(get_version(connection, entry.version))


def register_small(engine, n: int, settings: ModelSettings) -> list[str]:
    """``n`` quick registry entries (an IsolationForest on random windows each)."""
    from models.estimators import IsolationForestDetector

    versions = []
    for i in range(n):
        model = IsolationForestDetector(n_estimators=5, random_state=i).fit(np.random.default_rng(i).random((50, 3)))
        artifact = {"estimator": model.estimator_, "features": ["a", "b", "c"],
                    "lanes": {"cell_deg": 0.05, "min_vessels": 3, "cells": {}, "vessels": {}}, "window_minutes": 60,
                    "reference": {"median": np.zeros(3), "scale": np.ones(3)}}
        versions.append(register_model(engine, artifact, estimator="iforest", threshold=0.5, metrics={},
                                       data_hash="0" * 64, train_since=None, train_until=None,
                                       settings=settings).version)
    return versions


def test_promote_keeps_one_active_version_and_rollback_walks_back_through_promotions(db_url, settings):
    engine = open_store(db_url)
    v1, v2, v3 = register_small(engine, 3, settings)
    with engine.begin() as connection:
        for version in (v1, v2, v3):
            promote(connection, version, "analyst")
        assert [v.version for v in list_versions(connection) if v.active] == [v3]
        withdrawn, active = rollback(connection, "analyst")
        assert (withdrawn.version, active.version) == (v3, v2)
        assert "rolled back" in get_version(connection, v3).notes
        assert rollback(connection)[1].version == v1
        with pytest.raises(MaritimeError, match="nothing to roll back to"):
            rollback(connection)
        assert [v.version for v in list_versions(connection) if v.active] == [v1]


def test_the_active_model_is_loaded_once_and_a_promotion_is_picked_up_at_the_next_run(db_url, settings):
    engine = open_store(db_url)
    v1, v2 = register_small(engine, 2, settings)
    with engine.begin() as connection:
        assert active_model(connection) is None
        promote(connection, v1)
        first = active_model(connection)
        assert active_model(connection) is first and first.version == v1
        promote(connection, v2)
        assert active_model(connection).version == v2


def test_a_broken_active_model_is_skipped_by_the_pipeline_with_a_warning(trained, caplog):
    engine, entry = trained
    with engine.begin() as connection:
        promote(connection, entry.version)
    Path(entry.path).write_bytes(b"not a model")
    with engine.connect() as connection:
        assert active_model_or_none(connection) is None
    assert "behaviour model not used" in caplog.text and "tampered" in caplog.text


# -- scoring in the pipeline ---------------------------------------------------------------------------

def test_without_an_active_model_the_detector_raises_nothing(fleet_store):
    engine, _ = fleet_store
    ctx = context(engine)
    assert ctx.model is None and detect_behaviour_outlier(ctx) == []


def test_the_active_model_flags_the_loiterers_and_explains_why(trained):
    engine, entry = trained
    with engine.begin() as connection:
        promote(connection, entry.version)
    events = run_rules(context(engine), [detect_behaviour_outlier])
    flagged = {e.mmsi for e in events}
    assert {220000000, 220000002} <= flagged  # loiterers in the training part, seen by the model
    event = next(e for e in events if e.mmsi == 220000000)
    assert event.kind == "behaviour_outlier" and event.severity in ("warning", "critical")
    assert 0.0 <= event.score <= 1.0 and event.start <= event.detected_at <= event.end
    assert event.evidence["model_version"] == "v1" and len(event.evidence["unusual_features"]) == 3


def test_analysts_acknowledgements_alone_are_enough_to_train_the_boosted_model(fleet_store, settings):
    from maritime.detect.events import Event
    from maritime.store.events import save_events
    from maritime.store.schema import EventRow

    engine, labels_path = fleet_store
    truth = [json.loads(line) for line in labels_path.read_text().splitlines()]
    events = [Event(kind=t["kind"], mmsi=t["mmsi"], start=datetime.fromisoformat(t["start"][:-1]),
                    end=datetime.fromisoformat(t["end"][:-1]), lat=t["lat"], lon=t["lon"], severity="warning",
                    score=1.0, detector=t["kind"]) for t in truth]
    dismissed = Event(kind="loitering", mmsi=210000000, start=events[0].start, end=events[0].end, lat=43.0,
                      lon=30.0, severity="warning", score=1.0, detector="loitering")
    with engine.begin() as connection:
        save_events(connection, [*events, dismissed])
        connection.execute(update(EventRow).values(status="acknowledged", status_by="analyst"))
        connection.execute(update(EventRow).where(EventRow.id == dismissed.id).values(status="dismissed"))
        feedback = feedback_labels(connection)
    assert sorted(feedback["source"].value_counts().items()) == [("acknowledged", 5), ("dismissed", 1)]
    entry = train(engine, settings, estimator="gbm").entry
    assert entry.metrics["labels"] == {"acknowledged": 5, "dismissed": 1}
    assert entry.metrics["train"]["anomalous"] > 0


# -- the command line ------------------------------------------------------------------------------------

def cli(engine, *args):
    return runner.invoke(app, ["--db", engine.url.render_as_string(hide_password=False), *args])


def test_cli_train_list_show_compare_promote_and_rollback(fleet_store, settings):
    engine, labels = fleet_store
    url = engine
    first = cli(url, "train", "--labels", str(labels), "--estimator", "iforest", "--false-alarms-per-1000h", "5")
    assert first.exit_code == 0, first.output
    assert "v1 (iforest) trained" in first.output and "PR-AUC" in first.output
    second = cli(url, "train", "--labels", str(labels), "--promote", "--notes", "with labels")
    assert second.exit_code == 0, second.output
    assert "v2 (gbm)" in second.output and "active" in second.output
    listed = cli(url, "models", "list")
    assert listed.exit_code == 0 and "v1" in listed.output and "v2" in listed.output
    shown = cli(url, "models", "show", "v2", "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.output)["notes"] == "with labels"
    compared = cli(url, "models", "compare", "v1", "v2")
    assert compared.exit_code == 0 and "same data" in compared.output and "PR-AUC overall" in compared.output
    assert cli(url, "models", "promote", "v1").exit_code == 0
    back = cli(url, "models", "rollback")
    assert back.exit_code == 0 and "v2 (gbm) is active again" in back.output
    with engine.connect() as connection:
        assert [v.version for v in list_versions(connection) if v.active] == ["v2"]


def test_cli_errors_are_one_line(fleet_store, settings):
    engine, _ = fleet_store
    url = engine
    for args, text in ((("models", "show", "v9"), "no model version 'v9'"),
                       (("models", "rollback"), "no active model"),
                       (("train", "--estimator", "gbm", "--no-feedback"), "--estimator iforest")):
        result = cli(url, *args)
        assert result.exit_code == 1 and text in result.output
        assert "Traceback" not in result.output and result.output.count("\n") <= 2


@pytest.mark.slow
def test_on_a_simulated_day_gbm_beats_the_isolation_forest_by_a_wide_margin(tmp_path, sqlite_url, settings):
    from maritime.ingest import ingest_paths
    from maritime.simulate import simulate

    simulate(hours=24, vessels=150, seed=11, out_dir=tmp_path / "sim", anomaly_rate=3.0)
    engine = open_store(sqlite_url)
    ingest_paths(engine, [str(tmp_path / "sim" / "ais.nmea")])
    labels = (tmp_path / "sim" / "labels.jsonl",)
    figures = {e: train(engine, settings, label_paths=labels, estimator=e).entry.metrics["heldout"]
               for e in ("iforest", "gbm")}
    assert figures["gbm"]["positives"]["overall"] >= 10
    assert figures["gbm"]["pr_auc"]["overall"] >= figures["iforest"]["pr_auc"]["overall"] + 0.10
    assert figures["gbm"]["false_alarms_per_1000_vessel_hours"] <= settings.false_alarms_per_1000_vessel_hours
