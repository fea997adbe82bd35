"""The bulk writer's vectorised helpers agree with the row-by-row rules they replace."""

import random

from maritime.ais.records import Position
from maritime.store.writer import _position_summary, sqlite_time, sqlite_times


def test_vectorised_times_match_the_text_sqlalchemy_stores_to_the_microsecond():
    rng = random.Random(3)
    values = [1_764_000_000 + rng.random() * 1e6 for _ in range(20_000)] + [
        1_764_000_000.0, 1_764_000_000.9999996, 1_764_000_000.0000005, 1_764_000_000.0000015, 86_399.9999999, 0.5]
    assert sqlite_times(values) == [sqlite_time(v) for v in values]


def position(mmsi, time, lat=44.0, lon=31.0, key=b"k"):
    return Position(mmsi, time, lat, lon, 10.0, 90.0, 90, 0, 1, "test", True, key)


def test_batch_summary_gives_span_and_newest_located_report_per_vessel():
    positions = [position(1, 50.0), position(2, 10.0), position(1, 20.0, key=b"a"), position(1, 70.0, None, None),
                 position(1, 50.0, 45.0, 32.0, key=b"later"), position(3, 5.0, None, None)]
    spans, latest = _position_summary(positions)
    assert spans == {1: [20.0, 70.0], 2: [10.0, 10.0], 3: [5.0, 5.0]}
    assert latest[1].key == b"later"  # the newest with a position; of equal times, the later in the batch
    assert latest[2].time == 10.0 and 3 not in latest
