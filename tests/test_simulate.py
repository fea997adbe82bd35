"""The traffic simulator: deterministic, valid NMEA, traffic at sea, labels that match what was sent."""

import itertools
import json
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import xor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from pyais import decode

from maritime.errors import MaritimeError
from maritime.geo.geodesy import KNOT_MS, haversine_m, initial_bearing_deg
from maritime.geo.land import is_land, is_land_away_from_ports
from maritime.geo.ports import PORTS, distance_to_port_or_anchorage_m, in_port_or_anchorage
from maritime.simulate import ANOMALY_KINDS, simulate
from maritime.simulate.anomalies import anomaly_counts
from maritime.simulate.benign import apply_gnss_outages
from maritime.simulate.fleet import build_fleet
from maritime.simulate.identity import FLAGS, imo_check_digit, is_valid_imo
from maritime.simulate.itinerary import allowed_trade
from maritime.simulate.motion import moving_leg
from maritime.simulate.reporting import Transmitter, build_reports
from maritime.simulate.routes import densified, lane
from maritime.simulate.zones import in_any_zone

ALL_KINDS = {kind: 1 for kind in ANOMALY_KINDS}
ALLOCATED_MIDS = {mid for flag in FLAGS.values() for mid in flag.mids}
# Kinds whose reported positions are false on purpose (they may be on land or anywhere).
FALSE_POSITION_KINDS = {"on_land", "gnss_interference", "position_jump", "circle_spoofing"}


@dataclass
class Run:
    out: Path
    summary: object

    @property
    def labels(self) -> list[dict]:
        return [json.loads(line) for line in (self.out / "labels.jsonl").read_text().splitlines()]

    @property
    def benign(self) -> list[dict]:
        return [json.loads(line) for line in (self.out / "benign.jsonl").read_text().splitlines()]

    @property
    def vessels(self) -> list[dict]:
        return [json.loads(line) for line in (self.out / "vessels.jsonl").read_text().splitlines()]

    def lines(self) -> list[bytes]:
        return (self.out / "ais.nmea").read_bytes().split(b"\n")[:-1]


def xor_checksum(data: bytes) -> int:
    return reduce(xor, data, 0)


def split_line(line: bytes) -> tuple[dict, bool, bytes, bool]:
    """Tag-block fields, tag-block checksum ok, the sentence, sentence checksum ok."""
    end = line.index(b"\\", 1)
    fields_text, tag_sum = line[1:end].rsplit(b"*", 1)
    fields = dict(item.split(b":", 1) for item in fields_text.split(b","))
    sentence = line[end + 1:]
    try:
        body, sentence_sum = sentence[1:].rsplit(b"*", 1)
        sentence_ok = len(sentence_sum) == 2 and int(sentence_sum, 16) == xor_checksum(body)
        sentence.decode("ascii")
    except (ValueError, UnicodeDecodeError):
        sentence_ok = False
    return fields, int(tag_sum, 16) == xor_checksum(fields_text), sentence, sentence_ok


def decode_run(run: Run) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Positions and statics as heard (first reception of each), decoded with pyais."""
    positions, statics, groups = [], [], {}
    for line in run.lines():
        fields, _, sentence, ok = split_line(line)
        if not ok:
            continue
        t, source = int(fields[b"c"]), fields[b"s"].decode()
        if b"g" in fields:
            number, total, group = fields[b"g"].split(b"-")
            groups.setdefault((source, group), []).append(sentence.decode())
            if number != total:
                continue
            sentences = groups.pop((source, group))
        else:
            sentences = [sentence.decode()]
        try:
            m = decode(*sentences).asdict()
        except Exception:  # a lost fragment of a corrupted pair
            continue
        if m["msg_type"] in (1, 2, 3, 18):
            positions.append((m["mmsi"], t, m["lat"], m["lon"], m["speed"], m["course"], m["heading"],
                              m["msg_type"], source))
        else:
            statics.append((m["mmsi"], t, m["msg_type"], m.get("partno"), m.get("shipname"), m.get("callsign"),
                            m.get("imo"), m.get("ship_type"), source))
    pos = pd.DataFrame(positions, columns=["mmsi", "t", "lat", "lon", "sog", "cog", "heading", "type", "source"])
    st = pd.DataFrame(statics, columns=["mmsi", "t", "type", "part", "name", "callsign", "imo", "ship_type",
                                        "source"])
    # keep one reception of each report (a duplicate repeats it from another receiver)
    pos = pos.sort_values(["mmsi", "t"]).drop_duplicates(["mmsi", "lat", "lon", "sog"]).reset_index(drop=True)
    return pos, st


def unix(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def outside_labels(pos: pd.DataFrame, labels: list[dict], kinds: set[str]) -> pd.DataFrame:
    keep = np.ones(len(pos), dtype=bool)
    for label in labels:
        if label["kind"] not in kinds:
            continue
        mmsis = label.get("mmsis") or [label["mmsi"]]
        keep &= ~(pos.mmsi.isin(mmsis) & (pos.t >= unix(label["start"])) & (pos.t <= unix(label["end"])))
    return pos[keep]


@pytest.fixture(scope="module")
def benign_run(tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("benign")
    return Run(out, simulate(2, 30, seed=11, out_dir=out, anomalies={}))


@pytest.fixture(scope="module")
def anomaly_run(tmp_path_factory) -> Run:
    out = tmp_path_factory.mktemp("anomalies")
    return Run(out, simulate(6, 80, seed=3, out_dir=out, anomalies=ALL_KINDS))


@pytest.fixture(scope="module")
def benign_decoded(benign_run):
    return decode_run(benign_run)


@pytest.fixture(scope="module")
def anomaly_decoded(anomaly_run):
    return decode_run(anomaly_run)


# -- determinism ----------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(tmp_path):
    a = simulate(2, 30, seed=5, out_dir=tmp_path / "a")
    b = simulate(2, 30, seed=5, out_dir=tmp_path / "b")
    assert [f.name for f in a.files] == [f.name for f in b.files]
    for fa, fb in zip(a.files, b.files):
        assert fa.read_bytes() == fb.read_bytes(), fa.name


def test_different_seed_gives_different_traffic(tmp_path, benign_run):
    other = simulate(2, 30, seed=12, out_dir=tmp_path, anomalies={})
    assert (tmp_path / "ais.nmea").read_bytes() != (benign_run.out / "ais.nmea").read_bytes()
    assert {v["mmsi"] for v in Run(tmp_path, other).vessels} != {v["mmsi"] for v in benign_run.vessels}


# -- the NMEA -------------------------------------------------------------------------------------


def test_every_checksum_is_valid_except_the_deliberately_corrupted(anomaly_run):
    lines = anomaly_run.lines()
    parsed = [split_line(line) for line in lines]
    assert all(tag_ok for _, tag_ok, _, _ in parsed)
    bad = sum(1 for _, _, _, ok in parsed if not ok)
    assert bad == anomaly_run.summary.corrupted > 0
    assert anomaly_run.summary.sentences == len(lines)


def test_lines_are_sorted_by_receive_time(anomaly_run):
    times = [int(split_line(line)[0][b"c"]) for line in anomaly_run.lines()]
    assert times == sorted(times)


def test_multi_sentence_messages_carry_tag_block_groups(benign_run):
    groups = {}
    for line in benign_run.lines():
        fields, _, sentence, ok = split_line(line)
        count = int(sentence.split(b",")[1]) if ok else None
        if count == 2:
            number, total, group = fields[b"g"].split(b"-")
            assert int(total) == 2
            groups.setdefault((fields[b"s"], group), []).append(int(number))
        elif count == 1:
            assert b"g" not in fields
    assert groups and all(numbers == [1, 2] for numbers in groups.values() if len(numbers) == 2)


def test_duplicates_come_from_a_second_receiver_within_three_seconds(benign_run):
    seen: dict[bytes, list[tuple[int, bytes]]] = {}
    for line in benign_run.lines():
        fields, _, sentence, ok = split_line(line)
        if ok:
            seen.setdefault(sentence, []).append((int(fields[b"c"]), fields[b"s"]))
    pairs = 0
    for receptions in seen.values():
        for (t1, s1), (t2, s2) in itertools.combinations(sorted(receptions), 2):
            if t2 - t1 <= 3:
                assert s1 != s2
                pairs += 1
    assert pairs >= benign_run.summary.duplicates > 0


def test_progress_reaches_its_total(tmp_path):
    calls = []
    simulate(1, 10, seed=2, out_dir=tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls and calls[-1][0] == calls[-1][1] > 0
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# -- the traffic ----------------------------------------------------------------------------------


def test_decoding_gives_the_fleet_and_the_expected_message_types(benign_run, benign_decoded):
    pos, st = benign_decoded
    fleet = {v["mmsi"]: v for v in benign_run.vessels}
    assert len(fleet) == 30
    assert set(pos.mmsi) <= set(fleet) and len(set(pos.mmsi)) >= 25
    assert set(pos.type) | set(st.type) <= {1, 3, 5, 18, 24}
    assert {1, 5, 18, 24} <= set(pos.type) | set(st.type)
    for mmsi, types in pos.groupby("mmsi").type.agg(set).items():
        assert types <= ({18} if fleet[mmsi]["class"] == "B" else {1, 3}), mmsi
    assert {30, 52} <= {v["ship_type"] for v in fleet.values()}  # fishing boats and tugs


def test_static_reports_match_the_true_fleet(benign_run, benign_decoded):
    _, st = benign_decoded
    fleet = {v["mmsi"]: v for v in benign_run.vessels}
    for row in st.itertuples():
        v = fleet[row.mmsi]
        if row.type == 5 or (row.type == 24 and row.part == 0):
            assert row.name == v["name"]
        if row.type == 5 or (row.type == 24 and row.part == 1):
            assert row.callsign == v["callsign"] and int(row.ship_type) == v["ship_type"]
        if row.type == 5:
            assert row.imo == (v["imo"] or 0)
            assert fleet[row.mmsi]["class"] == "A"


def test_benign_fleet_identities_are_valid(benign_run):
    fleet = benign_run.vessels
    assert len({v["mmsi"] for v in fleet}) == len({v["name"] for v in fleet}) == len(fleet)
    for v in fleet:
        assert 100_000_000 <= v["mmsi"] <= 999_999_999 and v["mmsi"] // 1_000_000 in ALLOCATED_MIDS
        assert v["imo"] is None or is_valid_imo(v["imo"])


def test_normal_traffic_is_at_sea(benign_decoded, anomaly_run, anomaly_decoded):
    for pos, labels in ((benign_decoded[0], []), (anomaly_decoded[0], anomaly_run.labels)):
        normal = outside_labels(pos, labels, FALSE_POSITION_KINDS)
        normal = normal[normal.lat <= 90]
        on_land = is_land_away_from_ports(normal.lat.to_numpy(), normal.lon.to_numpy())
        assert not on_land.any(), normal[on_land].head()


def test_normal_traffic_stays_out_of_the_zones(anomaly_run, anomaly_decoded):
    pos = outside_labels(anomaly_decoded[0], anomaly_run.labels, FALSE_POSITION_KINDS | {"zone_entry"})
    assert not in_any_zone(pos.lat.to_numpy(), pos.lon.to_numpy()).any()


def test_every_lane_stays_at_sea_and_out_of_the_zones():
    for origin, dest in itertools.product(PORTS, PORTS):
        if allowed_trade(origin, dest):
            path = densified(lane(origin, dest), 300.0)
            assert not is_land(path[:, 0], path[:, 1]).any(), (origin.name, dest.name)
            assert not in_any_zone(path[:, 0], path[:, 1]).any(), (origin.name, dest.name)


def test_the_fleet_has_every_kind_of_vessel_the_sea_has():
    roles = {v.role for v in build_fleet(60, np.random.default_rng(0))}
    assert roles == {"bulk", "tanker", "container", "passenger", "fast_ferry", "fishing", "tug", "pilot",
                     "pleasure"}


def test_sensorless_vessels_report_the_unavailable_values():
    vessel = build_fleet(30, np.random.default_rng(0))[0]
    vessel.heading_sensor, vessel.sog_sensor = False, False
    leg = moving_leg("transit", densified([(43.0, 30.0), (43.0, 31.0)]), 12.0, 0.0)
    r = build_reports(vessel, [leg], 0.0, 3_000.0, 0.0, np.random.default_rng(1))
    assert (r.heading == 511).all() and (r.sog == 102.3).all() and (r.cog == 360.0).all()


def test_a_lost_fix_reports_position_unavailable():
    vessel = build_fleet(30, np.random.default_rng(0))[0]
    leg = moving_leg("transit", densified([(43.0, 30.0), (43.5, 31.0)]), 12.0, 0.0)
    tx = Transmitter(0, vessel, [leg], build_reports(vessel, [leg], 0.0, 20_000.0, 60.0, np.random.default_rng(1)),
                     [(0.0, vessel.identity)])
    (label,) = apply_gnss_outages(tx, hours=1e6, rng=np.random.default_rng(2))  # an outage made certain
    rows = (tx.reports.t >= label.start) & (tx.reports.t <= label.end)
    assert rows.sum() >= 2 and (tx.reports.lat[rows] == 91.0).all() and (tx.reports.lon[rows] == 181.0).all()
    assert label.kind == "position_unavailable"


def test_imo_check_digit():
    assert imo_check_digit(907472) == 9 and is_valid_imo(9074729)
    assert not is_valid_imo(9074728)


# -- labels ---------------------------------------------------------------------------------------


def test_benign_only_scenario_has_no_labels(benign_run):
    assert benign_run.labels == []
    assert sum(benign_run.summary.labels.values()) == 0
    assert benign_run.benign, "the look-alikes are still there"


def test_labels_contain_each_kind_when_asked(anomaly_run):
    assert sorted({label["kind"] for label in anomaly_run.labels}) == sorted(ANOMALY_KINDS)
    assert anomaly_run.summary.skipped == {}


def test_labels_have_the_agreed_format(anomaly_run):
    for label in anomaly_run.labels:
        assert {"kind", "mmsi", "other_mmsi", "start", "end", "lat", "lon"} <= set(label)
        assert label["start"].endswith("Z") and label["end"].endswith("Z")
        assert unix(label["start"]) <= unix(label["end"])
        assert (label["other_mmsi"] is not None) == (label["kind"] == "rendezvous")
        if label["kind"] == "gnss_interference":
            assert label["mmsi"] is None and len(label["mmsis"]) >= 20
        else:
            assert isinstance(label["mmsi"], int) and "mmsis" not in label


def _label(run: Run, kind: str) -> dict:
    return next(label for label in run.labels if label["kind"] == kind)


def _span(pos: pd.DataFrame, label: dict, mmsi=None) -> pd.DataFrame:
    mmsi = label["mmsi"] if mmsi is None else mmsi
    return pos[(pos.mmsi == mmsi) & (pos.t >= unix(label["start"])) & (pos.t <= unix(label["end"]))]


def test_rendezvous_label_shows_two_slow_ships_close_together_at_sea(anomaly_run, anomaly_decoded):
    pos = anomaly_decoded[0]
    label = _label(anomaly_run, "rendezvous")
    a, b = _span(pos, label), _span(pos, label, label["other_mmsi"])
    both = pd.merge_asof(a.sort_values("t"), b.sort_values("t"), on="t", direction="nearest", tolerance=120)
    both = both.dropna(subset=["lat_y"])
    assert len(both) >= 10 and unix(label["end"]) - unix(label["start"]) >= 30 * 60
    assert haversine_m(both.lat_x, both.lon_x, both.lat_y, both.lon_y).max() <= 500.0
    assert a.sog.max() < 2.0 and b.sog.max() < 2.0
    assert not in_port_or_anchorage(a.lat.to_numpy(), a.lon.to_numpy()).any()


def test_loitering_label_shows_a_merchant_ship_drifting_far_from_port(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "loitering")
    span = _span(anomaly_decoded[0], label)
    assert unix(label["end"]) - unix(label["start"]) >= 2 * 3600
    assert span.sog.max() < 2.0
    assert distance_to_port_or_anchorage_m(span.lat.to_numpy(), span.lon.to_numpy()).min() >= 10_000.0
    ship_type = next(v["ship_type"] for v in anomaly_run.vessels if v["mmsi"] == label["mmsi"])
    assert ship_type != 30


def test_ais_gap_label_is_a_silence_of_two_hours_under_way(anomaly_run, anomaly_decoded):
    pos = anomaly_decoded[0]
    label = _label(anomaly_run, "ais_gap")
    start, end = unix(label["start"]), unix(label["end"])
    mine = pos[pos.mmsi == label["mmsi"]]
    assert end - start >= 2 * 3600
    assert not ((mine.t > start) & (mine.t < end)).any()
    assert mine[mine.t <= start].sog.iloc[-1] > 5.0 and mine[mine.t >= end].sog.iloc[0] > 5.0


def test_position_jump_label_implies_an_impossible_speed(anomaly_run, anomaly_decoded):
    pos = anomaly_decoded[0]
    label = _label(anomaly_run, "position_jump")
    mine = pos[pos.mmsi == label["mmsi"]].sort_values("t")
    before = mine[mine.t < unix(label["start"])].iloc[-1]
    jumped = mine[mine.t >= unix(label["start"])].iloc[0]
    implied_kn = haversine_m(before.lat, before.lon, jumped.lat, jumped.lon) / (jumped.t - before.t) / KNOT_MS
    assert implied_kn > 100.0


def test_on_land_label_has_consecutive_fixes_inland(anomaly_run, anomaly_decoded):
    span = _span(anomaly_decoded[0], _label(anomaly_run, "on_land"))
    assert len(span) >= 2 and is_land_away_from_ports(span.lat.to_numpy(), span.lon.to_numpy()).all()


def test_circle_spoofing_label_sweeps_a_small_circle(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "circle_spoofing")
    span = _span(anomaly_decoded[0], label)
    radius = haversine_m(label["lat"], label["lon"], span.lat.to_numpy(), span.lon.to_numpy())
    assert len(span) >= 10 and radius.max() < 2_500.0 and radius.std() < 50.0
    bearings = np.sort(initial_bearing_deg(label["lat"], label["lon"], span.lat.to_numpy(), span.lon.to_numpy()))
    assert np.diff(np.concatenate((bearings, bearings[:1] + 360))).max() < 90.0  # all the way round


def test_speed_anomaly_label_has_a_cargo_ship_at_forty_knots(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "speed_anomaly")
    span = _span(anomaly_decoded[0], label)
    assert len(span) >= 3 and span.sog.min() > 30.0
    ship_type = next(v["ship_type"] for v in anomaly_run.vessels if v["mmsi"] == label["mmsi"])
    assert 70 <= ship_type <= 89


def test_route_deviation_label_is_far_from_every_lane(anomaly_run, anomaly_decoded):
    span = _span(anomaly_decoded[0], _label(anomaly_run, "route_deviation"))
    lanes = np.vstack([densified(lane(a, b), 2_000.0) for a in PORTS for b in PORTS if allowed_trade(a, b)])
    off_lane = [haversine_m(lat, lon, lanes[:, 0], lanes[:, 1]).min() for lat, lon in zip(span.lat, span.lon)]
    assert max(off_lane) > 10_000.0


def test_zone_entry_label_is_inside_a_zone_of_the_geojson(anomaly_run, anomaly_decoded):
    span = _span(anomaly_decoded[0], _label(anomaly_run, "zone_entry"))
    zones = json.loads((anomaly_run.out / "zones.geojson").read_text())["features"]
    inside = np.zeros(len(span), dtype=bool)
    for feature in zones:
        inside |= shapely.contains_xy(shapely.geometry.shape(feature["geometry"]), span.lon, span.lat)
    assert len(span) >= 2 and inside.all()


def test_gnss_interference_label_shows_many_ships_at_one_place(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "gnss_interference")
    pos = anomaly_decoded[0]
    span = pos[pos.mmsi.isin(label["mmsis"]) & (pos.t >= unix(label["start"])) & (pos.t <= unix(label["end"]))]
    near = haversine_m(span.lat.to_numpy(), span.lon.to_numpy(), label["lat"], label["lon"]) < 3_000.0
    assert span[near].mmsi.nunique() >= 20


def test_identity_change_label_marks_a_new_name_for_the_mmsi(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "identity_change")
    st = anomaly_decoded[1]
    mine = st[(st.mmsi == label["mmsi"]) & (st.type == 5)].sort_values("t")
    before, after = mine[mine.t < unix(label["start"])], mine[mine.t >= unix(label["start"])]
    assert len(before) and len(after)
    assert before.name.iloc[-1] != after.name.iloc[0] and before.imo.iloc[-1] != after.imo.iloc[0]


def test_mmsi_conflict_label_shows_one_mmsi_in_two_far_places(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "mmsi_conflict")
    span = _span(anomaly_decoded[0], label).sort_values("t")
    d = haversine_m(span.lat.to_numpy()[:-1], span.lon.to_numpy()[:-1], span.lat.to_numpy()[1:],
                    span.lon.to_numpy()[1:])
    assert ((d > 100_000.0) & (np.diff(span.t.to_numpy()) < 600)).sum() >= 5


def test_invalid_identity_label_has_an_unassigned_mid_a_wrong_length_or_a_bad_imo(anomaly_run, anomaly_decoded):
    label = _label(anomaly_run, "invalid_identity")
    mmsi = label["mmsi"]
    imos = set(anomaly_decoded[1][anomaly_decoded[1].mmsi == mmsi].imo.dropna())
    assert (mmsi // 1_000_000 not in ALLOCATED_MIDS or not 100_000_000 <= mmsi <= 999_999_999
            or any(imo and not is_valid_imo(int(imo)) for imo in imos))


def test_zones_geojson_is_valid_polygons(anomaly_run):
    collection = json.loads((anomaly_run.out / "zones.geojson").read_text())
    assert collection["type"] == "FeatureCollection" and len(collection["features"]) >= 3
    kinds = set()
    for feature in collection["features"]:
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Polygon"
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert shapely.geometry.shape(feature["geometry"]).is_valid
        assert feature["properties"]["name"]
        kinds.add(feature["properties"]["kind"])
    assert kinds <= {"restricted", "mine_danger", "exclusion"} and {"restricted", "mine_danger"} <= kinds


# -- how many, and how fast -------------------------------------------------------------------------


def test_anomaly_counts_scale_with_vessels_and_hours():
    day = anomaly_counts(24, 300)
    assert all(1 <= n <= 6 for n in day.values())
    assert sum(anomaly_counts(2, 30).values()) < sum(day.values()) / 10
    assert sum(anomaly_counts(24, 300, rate=0.0).values()) == 0
    assert anomaly_counts(1, 1, explicit={"loitering": 3}) == {kind: 3 if kind == "loitering" else 0
                                                               for kind in ANOMALY_KINDS}
    with pytest.raises(ValueError):
        anomaly_counts(1, 1, explicit={"behaviour_outlier": 1})


def test_bad_arguments_are_maritime_errors(tmp_path):
    with pytest.raises(MaritimeError):
        simulate(0, 10, seed=1, out_dir=tmp_path)
    with pytest.raises(MaritimeError):
        simulate(1, 10, seed=1, out_dir=tmp_path, anomalies={"no_such_kind": 1})


@pytest.mark.slow
def test_a_day_of_300_vessels_has_every_kind_and_every_look_alike(tmp_path):
    summary = simulate(24, 300, seed=1, out_dir=tmp_path)
    assert 250_000 <= summary.positions <= 450_000
    assert all(n >= 1 for n in summary.labels.values())
    assert {"anchorage_wait", "fishing", "fast_ferry", "tug_alongside", "pilot", "moored_ais_off",
            "reception_hole", "position_unavailable"} <= set(summary.benign)
