import gzip
from datetime import datetime, timezone

import pytest

from maritime.ais.records import Position, Static, Station
from maritime.errors import FeedError
from maritime.feeds.csv_archive import detect_csv_format, read_csv_archive

MC_HEADER = ("MMSI,BaseDateTime,LAT,LON,SOG,COG,Heading,VesselName,IMO,CallSign,VesselType,Status,"
             "Length,Width,Draft,Cargo,TransceiverClass")
DMA_HEADER = ("# Timestamp,Type of mobile,MMSI,Latitude,Longitude,Navigational status,ROT,SOG,COG,Heading,"
              "IMO,Callsign,Name,Ship type,Cargo type,Width,Length,Type of position fixing device,Draught,"
              "Destination,ETA,Data source type,A,B,C,D")
XSS_NAME = "<img src=x onerror=alert(1)>"

# A bulk carrier at anchor off Odesa, a Turkish pleasure craft (class B) in the Bosphorus,
# and the rows an analyst meets in real archives: sentinels, lat 91, out-of-range and broken rows.
MC_ROWS = [
    "272123456,2024-03-01T00:00:01,46.48333,30.74500,0.1,211.4,511.0,KAPITAN NIKOLAEV@@@@,IMO9301134,UVAN,70,1,183,32,9.2,70,A",
    "272123456,2024-03-01T00:01:01,46.48334,30.74502,0.0,211.0,211.0,KAPITAN NIKOLAEV@@@@,IMO9301134,UVAN,70,1,183,32,9.2,70,A",
    f"271044321,2024-03-01T00:00:05,41.01500,28.97900,102.3,360.0,511.0,{XSS_NAME},,TCA2345,37,15,12,4,,,B",
    f"271044321,2024-03-01T00:00:35,91.00000,181.00000,5.2,45.0,40.0,{XSS_NAME},,TCA2345,37,15,12,4,,,B",
    "273456789,2024-03-01T00:00:09,95.00000,33.50000,12.0,90.0,90.0,VOLGO-DON 5071,IMO8433150,UBCD7,79,0,138,16,3.5,,A",
    "273456789,2024-03-01T00:00:10,44.61000,not-a-number,12.0,90.0,90.0,VOLGO-DON 5071,IMO8433150,UBCD7,79,0,138,16,3.5,,A",
    "273456789,01/03/2024 00:00,44.61000,33.52000,12.0,90.0,90.0,VOLGO-DON 5071,IMO8433150,UBCD7,79,0,138,16,3.5,,A",
    "273456789,2024-03-01T00:00:12,44.61000",
]

DMA_ROWS = [
    "27/02/2024 00:00:00,Class A,219000123,55.676098,12.568337,Under way using engine,0.0,10.2,89.5,90,9301134,OXYZ2,"
    "NORDIC STAR,Tanker,Category X,32,183,GPS,9.5,GDANSK,28/02/2024 06:30:00,AIS,150,33,16,16",
    "27/02/2024 00:00:10,Class A,219000123,55.676500,12.570000,Under way using engine,0.0,10.1,89.4,90,9301134,OXYZ2,"
    "NORDIC STAR,Tanker,Category X,32,183,GPS,9.5,GDANSK,28/02/2024 06:30:00,AIS,150,33,16,16",
    "27/02/2024 00:00:05,Class B,219555001,55.100000,12.200000,Unknown value,,3.4,181.0,,Unknown,Unknown,"
    "SEA BREEZE,Pleasure,,3,12,GPS,,Unknown,,AIS,,,,",
    "27/02/2024 00:00:06,Base Station,2190047,55.200000,12.300000,Unknown value,,,,,Unknown,Unknown,"
    ",Undefined,,,,Surveyed,,Unknown,,AIS,,,,",
    "27/02/2024 00:00:07,AtoN,992191234,55.300000,12.400000,Unknown value,,,,,Unknown,Unknown,"
    "DROGDEN LT,Undefined,,,,GPS,,Unknown,,AIS,,,,",
    "27/02/2024 00:00:08,SAR Airborne,111219500,55.400000,12.500000,Unknown value,,120,45,,Unknown,Unknown,"
    ",Undefined,,,,GPS,,Unknown,,AIS,,,,",
    "27/02/2024 00:00:20,Class A,219000123,55.677000,12.572000,Moored,0.0,0.0,89.4,90,9301134,OXYZ2,"
    "NORDIC STAR,Tanker,Category X,32,183,GPS,9.1,GDANSK,28/02/2024 06:30:00,AIS,150,33,16,16",
]


def write_csv(tmp_path, name, header, rows, compress=False):
    path = tmp_path / name
    text = "\n".join([header, *rows]) + "\n"
    if compress:
        with gzip.open(path, "wt", encoding="utf-8") as out:
            out.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def read_all(path, **kwargs):
    records, rejects, rows = [], [], 0
    for chunk_records, chunk_rejects, chunk_rows in read_csv_archive(path, "archive-test", **kwargs):
        records += chunk_records
        rejects += chunk_rejects
        rows += chunk_rows
    return records, rejects, rows


def of_type(records, kind):
    return [r for r in records if isinstance(r, kind)]


def unix(text):
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


@pytest.fixture
def marinecadastre(tmp_path):
    return write_csv(tmp_path, "AIS_2024_03_01.csv", MC_HEADER, MC_ROWS)


@pytest.fixture
def dma(tmp_path):
    return write_csv(tmp_path, "aisdk-2024-02-27.csv", DMA_HEADER, DMA_ROWS)


def test_detect_csv_format_recognises_both_archives_and_nothing_else():
    assert detect_csv_format(MC_HEADER) == "marinecadastre"
    assert detect_csv_format(MC_HEADER.lower().replace("basedatetime", "base_date_time")) == "marinecadastre"
    assert detect_csv_format(DMA_HEADER) == "dma"
    assert detect_csv_format("\ufeff" + DMA_HEADER + "\r\n") == "dma"
    assert detect_csv_format("!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C") is None
    assert detect_csv_format("mmsi,time,x,y") is None


def test_marinecadastre_row_becomes_class_a_position_with_unix_time(marinecadastre):
    records, _, _ = read_all(marinecadastre)
    first = of_type(records, Position)[0]
    assert first == Position(
        mmsi=272123456, time=unix("2024-03-01T00:00:01"), lat=46.48333, lon=30.745, sog=0.1, cog=211.4,
        heading=None, nav_status=1, msg_type=1, source="archive-test", time_reported=True, key=first.key)
    assert first.key == f"csv|272123456|{unix('2024-03-01T00:00:01')}|46.48333|30.745|0.1|211.4".encode()


def test_sentinels_become_none(marinecadastre):
    records, _, _ = read_all(marinecadastre)
    pleasure = [p for p in of_type(records, Position) if p.mmsi == 271044321][0]
    assert (pleasure.sog, pleasure.cog, pleasure.heading) == (None, None, None)
    assert pleasure.msg_type == 18
    assert pleasure.nav_status is None  # message 18 has no navigational status


def test_row_with_latitude_91_keeps_its_position_with_unknown_coordinates(marinecadastre):
    records, rejects, _ = read_all(marinecadastre)
    later = [p for p in of_type(records, Position) if p.mmsi == 271044321][1]
    assert (later.lat, later.lon, later.sog, later.heading) == (None, None, 5.2, 40)
    assert not [r for r in rejects if "91.00000" in r.raw]


def test_out_of_range_latitude_is_rejected_with_the_raw_csv_line(marinecadastre):
    _, rejects, _ = read_all(marinecadastre)
    out_of_range = [r for r in rejects if r.reason == "out_of_range"]
    assert len(out_of_range) == 1
    assert out_of_range[0].raw == MC_ROWS[4]
    assert out_of_range[0].line_no == 6
    assert "latitude" in out_of_range[0].detail
    assert out_of_range[0].source == "archive-test"


def test_unparseable_rows_are_rejected_as_malformed(marinecadastre):
    _, rejects, rows = read_all(marinecadastre)
    malformed = {r.raw: r.detail for r in rejects if r.reason == "malformed"}
    assert malformed == {
        MC_ROWS[5]: "unreadable longitude",
        MC_ROWS[6]: "unreadable time",
        MC_ROWS[7]: "3 fields, expected 17",
    }
    assert rows == len(MC_ROWS)


def test_static_is_made_only_when_the_identity_changes(marinecadastre):
    records, _, _ = read_all(marinecadastre)
    statics = of_type(records, Static)
    assert [(s.mmsi, s.msg_type) for s in statics] == [(272123456, 5), (271044321, 24)]
    bulk = statics[0]
    assert (bulk.name, bulk.callsign, bulk.imo, bulk.ship_type, bulk.draught) == (
        "KAPITAN NIKOLAEV", "UVAN", 9301134, 70, 9.2)
    assert bulk.to_bow + bulk.to_stern == 183 and bulk.to_port + bulk.to_starboard == 32
    assert bulk.part is None and bulk.time_reported


def test_identity_is_remembered_across_chunks(dma):
    records_whole, _, _ = read_all(dma)
    records_chunked, _, _ = read_all(dma, chunk_rows=2)
    statics = of_type(records_chunked, Static)
    # NORDIC STAR: first report, then only when her draught changes from 9.5 to 9.1 m
    assert [(s.mmsi, s.draught) for s in statics if s.mmsi == 219000123] == [(219000123, 9.5), (219000123, 9.1)]
    assert sorted(r.key for r in records_chunked) == sorted(r.key for r in records_whole)


def test_html_in_a_vessel_name_is_kept_as_text(marinecadastre):
    records, _, _ = read_all(marinecadastre)
    names = {s.name for s in of_type(records, Static) if s.mmsi == 271044321}
    assert names == {XSS_NAME}


def test_at_padding_and_blanks_are_trimmed_from_text_fields(tmp_path):
    row = "272000777,2024-03-01T00:00:01,46.5,30.7,1.0,10.0,10.0,  MARIUPOL@@@@@@ ,IMO9999999,  UR12@@ ,70,0,100,20,5.0,70,A"
    records, _, _ = read_all(write_csv(tmp_path, "padded.csv", MC_HEADER, [row]))
    static = of_type(records, Static)[0]
    assert (static.name, static.callsign) == ("MARIUPOL", "UR12")


def test_quoted_name_with_a_comma_is_one_field(tmp_path):
    row = '538009563,2024-03-01T00:00:04,43.2,28.0,11.0,150.0,152.0,"STAR, OF VARNA",IMO9869693,V7A4893,70,0,192,30,7.6,70,A'
    records, rejects, _ = read_all(write_csv(tmp_path, "quoted.csv", MC_HEADER, [row, MC_ROWS[0]]))
    assert rejects == []
    assert [s.name for s in of_type(records, Static)] == ["STAR, OF VARNA", "KAPITAN NIKOLAEV"]


def test_gzip_archive_gives_the_same_records_as_plain(tmp_path, marinecadastre):
    packed = write_csv(tmp_path, "AIS_2024_03_01.csv.gz", MC_HEADER, MC_ROWS, compress=True)
    assert read_all(packed) == read_all(marinecadastre)


def test_reading_a_file_twice_gives_identical_keys(dma):
    first, _, _ = read_all(dma)
    second, _, _ = read_all(dma)
    assert [r.key for r in first] == [r.key for r in second]
    assert len({r.key for r in first}) == len(first)


def test_dma_text_codes_become_ais_codes(dma):
    records, rejects, rows = read_all(dma)
    tanker = of_type(records, Static)[0]
    assert tanker.ship_type == 81  # tanker carrying category X
    assert (tanker.to_bow, tanker.to_stern, tanker.to_port, tanker.to_starboard) == (150, 33, 16, 16)
    assert (tanker.destination, tanker.eta, tanker.imo) == ("GDANSK", "02-28T06:30", 9301134)
    statuses = [p.nav_status for p in of_type(records, Position) if p.mmsi == 219000123]
    assert statuses == [0, 0, 5]  # under way using engine, then moored
    assert tanker.time == unix("2024-02-27T00:00:00")  # day first
    assert rejects == [] and rows == len(DMA_ROWS)


def test_dma_class_b_rows_become_messages_18_and_24(dma):
    records, _, _ = read_all(dma)
    [position] = [p for p in of_type(records, Position) if p.mmsi == 219555001]
    [static] = [s for s in of_type(records, Static) if s.mmsi == 219555001]
    assert (position.msg_type, position.sog, position.cog, position.heading) == (18, 3.4, 181.0, None)
    assert (static.msg_type, static.name, static.ship_type, static.imo, static.callsign) == (
        24, "SEA BREEZE", 37, None, None)


def test_dma_base_station_and_aton_rows_become_stations(dma):
    records, _, _ = read_all(dma)
    stations = of_type(records, Station)
    assert [(s.kind, s.mmsi, s.name) for s in stations] == [
        ("base_station", 2190047, None), ("aton", 992191234, "DROGDEN LT")]
    assert not [r for r in records if not isinstance(r, Station) and r.mmsi in (2190047, 992191234)]


def test_dma_sar_aircraft_rows_are_skipped_not_rejected(dma):
    records, rejects, _ = read_all(dma)
    assert not [r for r in records if r.mmsi == 111219500]
    assert rejects == []


def test_missing_file_raises_feed_error_with_one_line(tmp_path):
    with pytest.raises(FeedError) as raised:
        next(read_csv_archive(tmp_path / "nowhere.csv", "x"))
    assert "not found" in str(raised.value) and "\n" not in str(raised.value)


def test_file_that_is_not_an_archive_raises_feed_error(tmp_path):
    nmea = tmp_path / "feed.csv"
    nmea.write_text("!AIVDM,1,1,,B,15M67FC000G?ufbE`FepT@3n00Sa,0*5C\n")
    with pytest.raises(FeedError, match="header"):
        next(read_csv_archive(nmea, "x"))
    with pytest.raises(FeedError, match="dma"):
        next(read_csv_archive(write_csv(tmp_path, "mc.csv", MC_HEADER, MC_ROWS), "x", fmt="dma"))


def test_truncated_gzip_raises_feed_error(tmp_path):
    packed = write_csv(tmp_path, "cut.csv.gz", MC_HEADER, MC_ROWS * 50, compress=True)
    packed.write_bytes(packed.read_bytes()[:-40])
    with pytest.raises(FeedError, match="cannot read"):
        read_all(packed)


def test_blank_lines_are_not_rows(tmp_path):
    path = tmp_path / "blanks.csv"
    path.write_text(MC_HEADER + "\r\n" + MC_ROWS[0] + "\r\n\r\n   \r\n" + MC_ROWS[1])  # no final newline
    records, rejects, rows = read_all(path)
    assert (len(of_type(records, Position)), rejects, rows) == (2, [], 2)


def test_time_outside_2000_to_2100_is_out_of_range(tmp_path):
    future = "272123456,2624-03-01T00:00:01,46.48333,30.74500,0.1,211.4,511.0,X,,,70,1,,,,,A"
    _, rejects, _ = read_all(write_csv(tmp_path, "future.csv", MC_HEADER, [future]))
    assert [(r.reason, r.detail) for r in rejects] == [("out_of_range", "time outside 2000..2100")]
