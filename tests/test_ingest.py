"""Ingest of NMEA files into a real database (SQLite always, PostgreSQL when configured)."""

import gzip
import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from maritime.config import IngestSettings
from maritime.errors import FeedError
from maritime.export import write_export
from maritime.ingest import ingest_paths
from maritime.store.db import open_store
from maritime.store.schema import (CheckpointRow, PositionRow, RejectRow, RejectTotalRow, StaticRow, StationRow,
                                   VesselRow)
from tests.nmea_helpers import position, static_voyage, tag

T0 = 1_764_000_000  # 2025-11-24T16:00:00Z


def _count(engine, model):
    with engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(model)).scalar_one()


def _positions(engine):
    with engine.connect() as connection:
        return connection.execute(select(PositionRow.mmsi, PositionRow.time, PositionRow.lat, PositionRow.lon,
                                         PositionRow.sog, PositionRow.cog, PositionRow.heading, PositionRow.source)
                                  .order_by(PositionRow.mmsi, PositionRow.time)).all()


def _traffic(n_vessels=5, n_reports=20):
    lines = []
    for i in range(n_reports):
        for v in range(n_vessels):
            lines.append(tag(position(272000000 + v, 46.0 + 0.01 * i, 31.0 + 0.1 * v, second=i % 60),
                             T0 + 60 * i + v, "rx1"))
    return lines


def _write(path, lines, newline="\n"):
    path.write_text(newline.join(lines) + newline)
    return path


def test_ingest_stores_positions_and_identity(db_url, tmp_path):
    lines = _traffic()
    parts = static_voyage(272000001, "MRIYA", callsign="UTMR")
    lines += [tag(parts[0], T0 + 5, "rx1", group="1-2-7"), tag(parts[1], group="2-2-7")]
    engine = open_store(db_url)
    report = ingest_paths(engine, [str(_write(tmp_path / "a.nmea", lines))])
    assert report.total("read") == 102
    assert report.total("rejected") == 0
    assert _count(engine, PositionRow) == 100
    assert _count(engine, StaticRow) == 1
    with engine.connect() as connection:
        vessel = connection.execute(select(VesselRow).where(VesselRow.mmsi == 272000001)).one()
    assert (vessel.name, vessel.callsign, vessel.imo, vessel.flag, vessel.length, vessel.beam) == \
        ("MRIYA", "UTMR", 9074729, "UA", 140, 22)
    assert vessel.lat == pytest.approx(46.19, abs=1e-4)


def test_ingest_same_file_twice_stores_nothing_new(db_url, tmp_path):
    path = _write(tmp_path / "a.nmea", _traffic())
    engine = open_store(db_url)
    first = ingest_paths(engine, [str(path)])
    before = _positions(engine)
    second = ingest_paths(engine, [str(path)])
    assert first.total("stored") == 100
    assert second.total("stored") == 0
    assert _positions(engine) == before


def test_same_file_under_another_name_stores_nothing_new(db_url, tmp_path):
    lines = _traffic()
    engine = open_store(db_url)
    ingest_paths(engine, [str(_write(tmp_path / "a.nmea", lines))])
    report = ingest_paths(engine, [str(_write(tmp_path / "copy.nmea", lines))])
    assert report.total("stored") == 0
    assert _count(engine, PositionRow) == 100


def test_growing_file_ingests_only_what_was_appended(sqlite_url, tmp_path):
    lines = _traffic()
    path = _write(tmp_path / "live.nmea", lines[:50])
    engine = open_store(sqlite_url)
    ingest_paths(engine, [str(path)])
    _write(path, lines)
    report = ingest_paths(engine, [str(path)])
    assert report.sources[0].resumed_from is not None
    assert report.total("stored") == 50
    assert _count(engine, PositionRow) == 100


def test_second_receiver_copy_within_seconds_is_stored_once(db_url, tmp_path):
    sentence = position(272000009, 46.5, 30.8)
    lines = [tag(sentence, T0, "rx1"), tag(sentence, T0 + 2, "rx2"), tag(sentence, T0 + 600, "rx1")]
    engine = open_store(db_url)
    report = ingest_paths(engine, [str(_write(tmp_path / "d.nmea", lines))])
    assert report.total("duplicates") == 1
    assert _count(engine, PositionRow) == 2  # the report ten minutes later is a new report


def test_sentinels_are_stored_as_null(db_url, tmp_path):
    lines = [tag(position(272000010, 91.0, 181.0, sog=102.3, cog=360.0, heading=511), T0, "rx1")]
    engine = open_store(db_url)
    ingest_paths(engine, [str(_write(tmp_path / "s.nmea", lines))])
    (row,) = _positions(engine)
    assert row.lat is None and row.lon is None and row.sog is None and row.cog is None and row.heading is None


def test_receiver_wrappings_give_the_time_and_never_reject_good_sentences(sqlite_url, tmp_path):
    s = [position(272000020 + i, 44.0, 33.0 + i) for i in range(6)]
    lines = [
        s[0] + ",d-109,S2105,t050056.00,T56.137,r003669946,1764000100,1764000101",  # USCG NAIS
        s[1] + ",1764000200",  # bare trailing unix time
        "$PGHP,1,2025,11,24,16,5,0,0,244,0,,1,72*21",  # DMA/Gatehouse time for the next line
        s[2].replace("!AIVDM", "!BSVDM", 1).rsplit("*", 1)[0],  # replaced below with a right checksum
        "2025-11-24T16:06:40Z " + s[3],  # leading ISO time
        "1764000500.5 " + s[4].replace("!AIVDM", "!ABVDM"),  # leading unix time, other talker
        tag(s[5], None, "rx9"),  # tag block without time: the time of ingest
    ]
    body = lines[3][1:]
    from tests.nmea_helpers import checksum
    lines[3] = f"!{body}*{checksum(body)}"
    path = tmp_path / "w.nmea"
    path.write_bytes(("\r\n".join(lines[:3]) + "\n" + "\n".join(lines[3:]) + "\r\n").encode())
    engine = open_store(sqlite_url)
    report = ingest_paths(engine, [str(path)])
    assert report.total("rejected") == 0
    rows = {r.mmsi: r for r in _positions(engine)}
    assert len(rows) == 6
    assert rows[272000020].time.isoformat() == "2025-11-24T16:01:40"
    assert rows[272000021].time.isoformat() == "2025-11-24T16:03:20"
    assert rows[272000022].time.isoformat() == "2025-11-24T16:05:00"
    assert rows[272000023].time.isoformat() == "2025-11-24T16:06:40"
    assert rows[272000024].time.isoformat() == "2025-11-24T16:08:20.500000"
    assert rows[272000025].source == "rx9"
    with engine.connect() as connection:
        reported = dict(connection.execute(select(PositionRow.mmsi, PositionRow.time_reported)).all())
    assert reported[272000025] is False and reported[272000020] is True


def test_interleaved_multipart_messages_are_assembled(sqlite_url, tmp_path):
    a = static_voyage(272000030, "ALPHA", seq_id=1)
    b = static_voyage(272000031, "BRAVO", seq_id=2)
    lines = [tag(a[0], T0, "rx1"), tag(b[0], T0, "rx1"), tag(position(272000032, 45.0, 30.0), T0, "rx1"),
             tag(b[1], T0 + 1, "rx1"), tag(a[1], T0 + 1, "rx1")]
    engine = open_store(sqlite_url)
    report = ingest_paths(engine, [str(_write(tmp_path / "m.nmea", lines))])
    assert report.total("rejected") == 0
    with engine.connect() as connection:
        names = dict(connection.execute(select(StaticRow.mmsi, StaticRow.name)).all())
    assert names == {272000030: "ALPHA", 272000031: "BRAVO"}


def test_bad_input_is_counted_and_kept_and_good_data_survives(db_url, tmp_path):
    good = _traffic(2, 5)
    bad = [
        "garbage line",
        "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B",  # wrong checksum
        "!AIVDM,1,1,,A,15RTgt0PA",  # truncated
        static_voyage(272000050, "LONELY")[0],  # first part whose partner never comes
        "!AIVDM,1,1,,A,w5RTgt0PAso;90TKcjM8h6g208CQ,0*0C",  # type 63
        "X" * 5_000_000,  # a line of megabytes
    ]
    path = tmp_path / "bad.nmea"
    path.write_bytes(("\n".join(good[:5] + bad + good[5:]) + "\n").encode() + bytes(b for b in range(256) if b != 10) + b"\n")
    engine = open_store(db_url)
    report = ingest_paths(engine, [str(path)], settings=IngestSettings(rejects_kept=100))
    assert report.total("stored") == 10
    assert report.total("rejected") == 7
    with engine.connect() as connection:
        reasons = dict(connection.execute(select(RejectTotalRow.reason, RejectTotalRow.count)).all())
        kept = connection.execute(select(RejectRow.reason, RejectRow.raw)).all()
    assert reasons == {"not_nmea": 2, "checksum": 1, "truncated": 1, "incomplete_multipart": 1, "unknown_type": 1,
                       "too_long": 1}
    assert len(kept) == 7
    assert all(len(raw) <= 1000 for _, raw in kept)


def test_rejects_table_is_bounded_but_totals_are_kept(sqlite_url, tmp_path):
    path = _write(tmp_path / "junk.nmea", [f"junk {i}" for i in range(50)])
    engine = open_store(sqlite_url)
    ingest_paths(engine, [str(path)], settings=IngestSettings(rejects_kept=10, batch_size=7))
    assert _count(engine, RejectRow) == 10
    with engine.connect() as connection:
        assert connection.execute(select(func.sum(RejectTotalRow.count))).scalar_one() == 50


def test_gzip_and_folder_and_glob_are_read(sqlite_url, tmp_path):
    lines = _traffic(3, 4)
    folder = tmp_path / "feed"
    folder.mkdir()
    with gzip.open(folder / "a.nmea.gz", "wt") as handle:
        handle.write("\n".join(lines[:6]) + "\n")
    _write(folder / "b.log", lines[6:])
    engine = open_store(sqlite_url)
    assert ingest_paths(engine, [str(folder)]).total("stored") == 12
    assert ingest_paths(engine, [str(folder / "*.gz")]).total("stored") == 0


def test_missing_file_is_a_feed_error(sqlite_url, tmp_path):
    engine = open_store(sqlite_url)
    with pytest.raises(FeedError, match="no such file"):
        ingest_paths(engine, [str(tmp_path / "nope.nmea")])


def test_station_reports_are_kept_apart_from_vessels(sqlite_url, tmp_path):
    from pyais import encode_dict

    (aton,) = encode_dict({"type": 21, "mmsi": 992721001, "aid_type": 1, "name": "ODESA FAIRWAY",
                           "lat": 46.45, "lon": 30.8}, talker_id="AI")
    (base,) = encode_dict({"type": 4, "mmsi": 2720001, "lat": 46.5, "lon": 30.7, "year": 2025, "month": 11,
                           "day": 24, "hour": 16}, talker_id="AI")
    engine = open_store(sqlite_url)
    ingest_paths(engine, [str(_write(tmp_path / "st.nmea", [tag(aton, T0, "rx"), tag(base, T0, "rx")]))])
    assert _count(engine, StationRow) == 2
    assert _count(engine, VesselRow) == 0


def test_export_escapes_attacker_text(sqlite_url, tmp_path):
    import io

    parts = static_voyage(272000040, "<B>BOLD</B>", callsign="=CMD", destination="-2+3+CMD")
    engine = open_store(sqlite_url)
    ingest_paths(engine, [str(_write(tmp_path / "x.nmea", [tag(parts[0], T0, "rx", "1-2-9"),
                                                          tag(parts[1], None, None, "2-2-9")]))])
    with engine.connect() as connection:
        jsonl, table = io.StringIO(), io.StringIO()
        write_export(connection, "vessels", jsonl, "jsonl")
        write_export(connection, "statics", table, "csv")
    assert "<" not in jsonl.getvalue() and json.loads(jsonl.getvalue())["name"] == "<B>BOLD</B>"
    assert "'=CMD" in table.getvalue() and "'-2+3+CMD" in table.getvalue()


MARINECADASTRE = """MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,Length,Width,Draft,Cargo,TransceiverClass
272123456,2025-11-24T16:00:00,46.40,30.80,10.2,181.5,180,<img src=x onerror=alert(1)>,IMO9074729,UTAB,70,0,140,22,8.5,70,A
272123456,2025-11-24T16:01:00,46.39,30.80,10.1,400.0,511,<img src=x onerror=alert(1)>,IMO9074729,UTAB,70,0,140,22,8.5,70,A
272123457,2025-11-24T16:00:30,91,181,102.3,360,511,SEA BREEZE,,UTCD,37,,12,4,,,B
272123458,2025-11-24T16:00:30,95.5,30.0,5,10,10,BAD LAT,,,70,0,100,20,6,,A
"""


def test_csv_archive_ingest_is_detected_stored_and_idempotent(db_url, tmp_path):
    path = tmp_path / "AIS_2025_11_24.csv"
    path.write_text(MARINECADASTRE)
    engine = open_store(db_url)
    report = ingest_paths(engine, [str(path)])
    assert report.sources[0].format == "csv"
    assert report.total("read") == 4 and report.total("rejected") == 1
    rows = _positions(engine)
    assert len(rows) == 3
    by_time = {(r.mmsi, r.time.minute): r for r in rows}
    assert by_time[(272123456, 1)].cog is None and by_time[(272123456, 1)].heading is None
    assert by_time[(272123457, 0)].lat is None and by_time[(272123457, 0)].sog is None
    with engine.connect() as connection:
        name = connection.execute(select(VesselRow.name).where(VesselRow.mmsi == 272123456)).scalar_one()
    assert name == "<img src=x onerror=alert(1)>"  # stored as broadcast; escaped where shown
    assert ingest_paths(engine, [str(path)]).total("stored") == 0


def test_writer_process_stores_the_same_rows_as_in_process_writes(db_url, tmp_path):
    from tests.nmea_helpers import traffic_file

    recording = tmp_path / "feed.nmea"
    traffic_file(recording, 3_000)
    in_process = open_store(f"sqlite:///{tmp_path / 'reference.sqlite'}")
    reference = ingest_paths(in_process, [str(recording)])
    engine = open_store(db_url)
    report = ingest_paths(engine, [str(recording)], settings=IngestSettings(parallel_write_min_bytes=1, batch_size=500))
    assert report.total("stored") == reference.total("stored") > 2_500
    assert report.sources[0].newest_time is not None
    assert [r[:4] for r in _positions(engine) if r.time.year == 2025] == \
        [r[:4] for r in _positions(in_process) if r.time.year == 2025]


def test_csv_archive_that_grew_stores_its_new_rows(sqlite_url, tmp_path):
    path = tmp_path / "AIS_2025_11_24.csv"
    lines = MARINECADASTRE.splitlines()
    path.write_text("\n".join(lines[:3]) + "\n")
    engine = open_store(sqlite_url)
    assert ingest_paths(engine, [str(path)]).total("stored") >= 2
    path.write_text("\n".join(lines) + "\n")
    report = ingest_paths(engine, [str(path)])
    assert not report.sources[0].skipped_unchanged
    assert len(_positions(engine)) == 3


def test_damaged_gzip_keeps_what_was_read_before_the_damage(sqlite_url, tmp_path):
    data = bytearray(gzip.compress(("\n".join(_traffic(5, 400)) + "\n").encode()))
    data[len(data) * 3 // 4] ^= 0xFF
    path = tmp_path / "damaged.nmea.gz"
    path.write_bytes(bytes(data))
    engine = open_store(sqlite_url)
    report = ingest_paths(engine, [str(path)], settings=IngestSettings(batch_size=100))
    assert report.sources[0].error and "cannot read" in report.sources[0].error
    assert report.total("stored") > 500
    assert len(_positions(engine)) == report.total("stored")


def test_unfinished_last_line_of_a_file_being_written_waits_for_the_next_run(sqlite_url, tmp_path):
    lines = _traffic(2, 3)
    path = tmp_path / "live.nmea"
    path.write_text("\n".join(lines[:5]) + "\n" + lines[5][:30])  # the recorder is mid-sentence
    engine = open_store(sqlite_url)
    first = ingest_paths(engine, [str(path)])
    assert first.total("stored") == 5 and first.total("rejected") == 0
    path.write_text("\n".join(lines) + "\n")
    second = ingest_paths(engine, [str(path)])
    assert second.total("stored") == 1 and second.total("rejected") == 0
    assert len(_positions(engine)) == 6


def test_two_ingests_of_one_file_cannot_both_store_the_same_stretch(sqlite_url, tmp_path):
    from maritime.errors import StoreError
    from maritime.store.writer import save_checkpoint

    engine = open_store(sqlite_url)
    values = {"fingerprint": "1:x", "offset": 100, "line_no": 2, "warm_offset": 0, "warm_line_no": 0,
              "completed": False, "fallback_time": datetime(2025, 11, 24), "updated_at": datetime(2025, 11, 24)}
    with engine.begin() as connection:
        save_checkpoint(connection, "feed.nmea", values, expected_offset=None)
    with engine.begin() as connection:
        save_checkpoint(connection, "feed.nmea", dict(values, offset=200), expected_offset=100)
    with pytest.raises(StoreError, match="another ingest"):
        with engine.begin() as connection:  # a second ingest that started from offset 100 too
            save_checkpoint(connection, "feed.nmea", dict(values, offset=250), expected_offset=100)
    with engine.connect() as connection:
        assert connection.execute(select(CheckpointRow.offset)).scalar_one() == 200
