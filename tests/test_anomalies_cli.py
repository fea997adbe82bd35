"""`maritime anomalies` and `maritime evaluate` on a real SQLite file."""

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert
from typer.testing import CliRunner

from maritime.cli import app
from maritime.detect.events import Event
from maritime.store.db import open_store
from maritime.store.events import retract_events, save_events
from maritime.store.schema import PositionRow

runner = CliRunner()
T0 = datetime(2024, 7, 1, 10, 0, 0)
XSS = "<img src=x onerror=alert(1)>"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def positions(mmsi: int, first: float, last: float) -> list[dict]:
    """A report every 30 minutes from ``first`` to ``last`` (minutes after T0)."""
    return [{"mmsi": mmsi, "time": at(m), "lat": 44.0, "lon": 31.0, "sog": 10.0, "cog": 90.0, "heading": 90,
             "nav_status": 0, "msg_type": 1, "source": "test", "time_reported": True, "key": mmsi * 10_000 + i}
            for i, m in enumerate(range(int(first), int(last) + 1, 30))]


EVENTS = [
    Event("identity_change", 272123456, at(30), at(30), 44.1, 31.1, "critical", 0.9, "identity_change",
          {"fields": ["name"], "changes": [{"field": "name", "old": "OCEAN PRIDE", "new": XSS}]}, at(30)),
    Event("invalid_identity", 200123456, at(0), at(600), 44.2, 31.2, "warning", 0.7, "invalid_identity",
          {"problem": "unallocated_mid", "mid": 200, "reason": "MID 200 is not allocated by the ITU"}, at(0),
          variant="unallocated_mid"),
    Event("rendezvous", 272000001, at(120), at(200), 43.5, 32.5, "warning", 0.6, "rendezvous",
          {"note": "=HYPERLINK(\"http://x\")"}, at(150), other_mmsi=272000002),
    Event("gnss_interference", None, at(300), at(330), None, None, "critical", 0.8, "gnss_interference",
          {"mmsis": [1, 2, 3, 4, 5]}, at(310)),
]


@pytest.fixture
def store(sqlite_url):
    engine = open_store(sqlite_url)
    with engine.begin() as connection:
        connection.execute(insert(PositionRow), positions(272123456, 0, 600) + positions(200123456, 0, 300))
        save_events(connection, EVENTS)
    return sqlite_url


def run(url: str, *args: str):
    result = runner.invoke(app, ["--db", url, *args])
    assert result.exit_code == 0, result.output
    return result


def data_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("{")]


def test_anomalies_jsonl_escapes_html_in_evidence_and_keeps_the_value(store):
    result = run(store, "anomalies", "--format", "jsonl", "--kind", "identity_change")
    (line,) = data_lines(result.stdout)
    assert "<img" not in line and "\\u003cimg src=x onerror=alert(1)\\u003e" in line
    row = json.loads(line)
    assert row["evidence"]["changes"][0]["new"] == XSS
    assert list(row) == ["id", "kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon", "severity", "score",
                         "detector", "evidence", "status", "detected_at"]
    assert row["start"] == "2024-07-01T10:30:00Z" and row["id"] == EVENTS[0].id


def test_anomalies_csv_escapes_evidence_and_guards_formulas(store):
    result = run(store, "anomalies", "--format", "csv")
    assert "<img" not in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["kind"] for r in rows] == ["invalid_identity", "identity_change", "rendezvous", "gnss_interference"]
    evidence = json.loads(rows[1]["evidence"])
    assert evidence["changes"][0]["new"] == XSS
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())


def test_anomalies_geojson_is_a_feature_collection_of_points(store):
    result = run(store, "anomalies", "--format", "geojson")
    assert "<img" not in result.stdout
    collection = json.loads(result.stdout)
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) == 4
    first = collection["features"][0]
    assert first["geometry"] == {"type": "Point", "coordinates": [31.2, 44.2]}
    assert first["properties"]["kind"] == "invalid_identity" and "lat" not in first["properties"]
    assert collection["features"][3]["geometry"] is None  # an area event without a place


def test_anomalies_table_is_newest_first_and_shows_radio_text_literally(sqlite_url):
    engine = open_store(sqlite_url)
    markup = Event("identity_change", 272999999, at(700), at(700), 44.0, 31.0, "warning", 0.7, "identity_change",
                   {"changes": [{"field": "name", "old": "A", "new": "[bold red]X[/]"}]}, at(700))
    with engine.begin() as connection:
        save_events(connection, EVENTS + [markup])
    output = run(sqlite_url, "anomalies").stdout
    assert "[bold red]X[/]" in output
    order = [output.index(str(m)) for m in (272999999, 272000001, 272123456, 200123456)]
    assert order == sorted(order)


def test_anomalies_filters_by_kind_mmsi_either_of_a_pair_status_and_time(store, sqlite_url):
    def ids(*args):
        return [json.loads(line)["id"] for line in data_lines(run(store, "anomalies", "--format", "jsonl",
                                                                        *args).stdout)]

    assert ids("--mmsi", "272000002") == [EVENTS[2].id]
    assert ids("--kind", "invalid_identity") == [EVENTS[1].id]
    assert ids("--since", "2024-07-01T14:00:00Z") == [EVENTS[1].id, EVENTS[3].id]
    assert ids("--until", "2024-07-01T10:10:00Z") == [EVENTS[1].id]
    with open_store(sqlite_url).begin() as connection:
        retract_events(connection, [EVENTS[3].id], "test")
    assert ids("--status", "retracted") == [EVENTS[3].id]


def test_anomalies_out_writes_a_file(store, tmp_path):
    target = tmp_path / "events.geojson"
    result = run(store, "anomalies", "--format", "geojson", "--out", str(target))
    assert "4 events written" in result.output
    assert len(json.loads(target.read_text())["features"]) == 4


def test_anomalies_unknown_kind_is_refused(store):
    result = runner.invoke(app, ["--db", store, "anomalies", "--kind", "piracy"])
    assert result.exit_code != 0


def write_labels(path, labels):
    path.write_text("".join(json.dumps(label) + "\n" for label in labels))
    return str(path)


def test_evaluate_scores_stored_events_against_a_labels_file(store, sqlite_url, tmp_path):
    with open_store(sqlite_url).begin() as connection:
        retract_events(connection, [EVENTS[3].id], "test")  # a retracted event does not count
    labels = write_labels(tmp_path / "labels.jsonl", [
        {"kind": "identity_change", "mmsi": 272123456, "other_mmsi": None, "start": "2024-07-01T10:20:00Z",
         "end": "2024-07-01T10:20:00Z", "lat": 44.1, "lon": 31.1},
        {"kind": "invalid_identity", "mmsi": 200123456, "other_mmsi": None, "start": "2024-07-01T10:00:00Z",
         "end": "2024-07-01T20:00:00Z", "lat": 44.2, "lon": 31.2},
        {"kind": "invalid_identity", "mmsi": 100123456, "other_mmsi": None, "start": "2024-07-01T10:00:00Z",
         "end": "2024-07-01T20:00:00Z", "lat": 44.2, "lon": 31.2},
        {"kind": "anchorage_wait", "mmsi": 1, "other_mmsi": None, "start": "2024-07-01T10:00:00Z",
         "end": "2024-07-01T20:00:00Z", "lat": 44.2, "lon": 31.2},
    ])
    figures = json.loads(run(store, "evaluate", "--labels", labels, "--format", "json").stdout)
    assert figures["vessel_hours"] == pytest.approx(15.0)  # 10 h + 5 h of stored positions
    assert set(figures["kinds"]) == {"identity_change", "invalid_identity", "rendezvous"}
    change = figures["kinds"]["identity_change"]
    assert change["true_positives"] == 1 and change["time_to_alert_mean_min"] == pytest.approx(10.0)
    invalid = figures["kinds"]["invalid_identity"]
    assert (invalid["precision"], invalid["recall"], invalid["f1"]) == (1.0, 0.5, pytest.approx(2 / 3))
    rendezvous = figures["kinds"]["rendezvous"]
    assert rendezvous["false_positives"] == 1
    assert rendezvous["false_alarms_per_1000_vessel_hours"] == pytest.approx(1000 / 15)
    assert figures["total"]["true_positives"] == 2 and figures["total"]["false_negatives"] == 1
    assert figures["ignored_labels"] == 1


def test_evaluate_table_and_window(store, tmp_path):
    labels = write_labels(tmp_path / "labels.jsonl", [
        {"kind": "identity_change", "mmsi": 272123456, "other_mmsi": None, "start": "2024-07-01T10:30:00Z",
         "end": "2024-07-01T10:30:00Z", "lat": 44.1, "lon": 31.1}])
    output = run(store, "evaluate", "--labels", labels, "--until", "2024-07-01T11:00:00Z").stdout
    assert "identity_change" in output and "all (micro)" in output
    assert "rendezvous" not in output  # began after the window
    assert "1.0 vessel-hours" in output  # two vessels, seen from 10:00 to 10:30 before 11:00


def test_evaluate_bad_labels_file_is_a_one_line_error(store, tmp_path):
    bad = tmp_path / "labels.jsonl"
    bad.write_text('{"kind": "ais_gap"}\n')
    result = runner.invoke(app, ["--db", store, "evaluate", "--labels", str(bad)])
    assert result.exit_code == 1 and "labels.jsonl:1: not a label" in result.output
    missing = runner.invoke(app, ["--db", store, "evaluate", "--labels", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 1 and "error:" in missing.output and "Traceback" not in missing.output
