"""The dashboard's store readers on SQLite and PostgreSQL: one query per view, plain data back."""

from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from maritime.store import dashboard_queries as q
from tests.dashboard_data import XSS_CSV_MMSI, build


@pytest.fixture
def store(db_url, tmp_path):
    data = build(tmp_path, simulate_traffic=False, url=db_url)
    engine = create_engine(db_url)
    yield data, engine
    engine.dispose()


def test_live_vessels_carry_their_worst_open_anomaly(store):
    data, engine = store
    with engine.connect() as connection:
        vessels = q.live_vessels(connection).set_index("mmsi")
    assert len(vessels) == data.vessels == 4
    assert vessels.loc[271000001, "worst"] == "critical" and vessels.loc[271000001, "open_kinds"] == "loitering"
    assert vessels.loc[XSS_CSV_MMSI, "worst"] == "warning"
    assert vessels.loc[271000003, "worst_rank"] == 0 and vessels.loc[271000003, "open_kinds"] == ""


def test_events_filter_sort_and_count(store):
    _, engine = store
    with engine.connect() as connection:
        by_severity = q.events(connection, q.EventQuery(sort="severity"))
        assert list(by_severity["severity"]) == ["critical", "warning", "info"]
        oldest_first = q.events(connection, q.EventQuery(sort="start", descending=False))
        assert oldest_first["kind"].iloc[0] == "ais_gap"
        assert q.count_events(connection, q.EventQuery(kinds=("loitering",), statuses=("open",))) == 1
        assert list(q.events(connection, q.EventQuery(mmsi=XSS_CSV_MMSI))["kind"]) == ["identity_change"]


def test_acknowledge_then_dismiss_records_who_and_why_and_nothing_after(store):
    _, engine = store
    with engine.connect() as connection:
        event_id = q.events(connection, q.EventQuery(kinds=("ais_gap",)))["id"].iloc[0]
    with engine.begin() as connection:
        assert q.set_event_status(connection, event_id, "acknowledged", "olga", "called VTS")
        assert not q.set_event_status(connection, event_id, "acknowledged", "olga", "again")
        assert q.set_event_status(connection, event_id, "dismissed", "anna", "known reception hole")
    with engine.connect() as connection:
        event = q.event(connection, event_id)
    assert (event["status"], event["status_by"], event["status_comment"]) == ("dismissed", "anna",
                                                                             "known reception hole")


def test_health_readers(store):
    data, engine = store
    with engine.connect() as connection:
        runs = q.ingest_runs(connection)
        sources = q.sources(connection, now=data.newest + timedelta(minutes=5))
        totals, samples = q.rejects_by_reason(connection)
        size = q.database_size_bytes(connection)
        first, last = q.data_window(connection)
    assert len(runs) == 2 and set(runs["status"]) == {"done"}
    assert len(sources) == 2 and (sources["lag"] >= timedelta(0)).all()
    assert totals.empty == samples.empty
    assert size and size > 0 and first < last == data.newest


def test_track_and_identity_history(store):
    _, engine = store
    with engine.connect() as connection:
        track = q.track(connection, 271000001)
        reports = q.identity_reports(connection, 271000001)
        first, last = q.track_time_range(connection, 271000001)
    assert len(track) == 3 and track["time"].is_monotonic_increasing
    assert list(q.identities(reports)["name"]) == ["<B>BOLD</B>"]
    assert last - first == timedelta(minutes=2)
