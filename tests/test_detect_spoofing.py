"""The position-spoofing rules: position_jump, on_land, circle_spoofing, speed_anomaly, mmsi_conflict,
gnss_interference — each found when present, quiet for benign look-alikes, and parents suppressing children."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from maritime.config import DetectSettings
from maritime.detect.circle_spoofing import detect_circle_spoofing, fit_circle
from maritime.detect.gnss_interference import detect_gnss_interference
from maritime.detect.mmsi_conflict import detect_mmsi_conflict
from maritime.detect.on_land import detect_on_land
from maritime.detect.position_jump import detect_position_jump
from maritime.detect.runner import run_rules
from maritime.detect.speed_anomaly import detect_speed_anomaly
from maritime.detect.tracks import TRACK_COLUMNS, VESSEL_COLUMNS, TrackContext
from maritime.detect.vessel_types import DEFAULT_TOP_SPEED_KN, top_speed_kn
from maritime.geo.geodesy import KNOT_MS, densify, destination_point
from maritime.geo.land import is_land
from maritime.geo.ports import port_by_name

SPOOFING = (detect_position_jump, detect_on_land, detect_circle_spoofing, detect_speed_anomaly,
            detect_mmsi_conflict, detect_gnss_interference)
T0 = pd.Timestamp("2024-07-01 06:00:00")
OPEN_SEA = (43.0, 34.0)  # mid Black Sea, 150 km from any coast
CARGO, TANKER, HSC, TUG = 70, 80, 40, 52
GELENDZHIK_AIRPORT = (44.58, 38.01)
NOVOROSSIYSK_ANCHORAGE = (44.58, 37.85)


# -- building tracks ------------------------------------------------------------------

def reports(mmsi: int, lat, lon, *, start_s: float = 0.0, every_s: float = 60.0, sog=None, cog=None,
            nav_status: float = 0.0) -> pd.DataFrame:
    """Reports of one vessel at fixed intervals; NaN positions or speeds stand for 'not available'."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    n = len(lat)
    return pd.DataFrame({
        "mmsi": mmsi, "time": T0 + pd.to_timedelta(start_s + every_s * np.arange(n), unit="s"),
        "lat": lat, "lon": lon, "sog": np.broadcast_to(np.nan if sog is None else sog, n).astype(float),
        "cog": np.broadcast_to(np.nan if cog is None else cog, n).astype(float), "heading": np.nan,
        "nav_status": float(nav_status), "msg_type": 1, "source": "test"})


def straight(mmsi: int, start: tuple[float, float], course_deg: float, speed_kn: float, n: int,
             every_s: float = 60.0, start_s: float = 0.0, **kw) -> pd.DataFrame:
    """A vessel steaming a straight course, reporting its true speed unless told otherwise."""
    distance = speed_kn * KNOT_MS * every_s * np.arange(n)
    lat, lon = destination_point(np.full(n, start[0]), np.full(n, start[1]), course_deg, distance)
    kw.setdefault("sog", speed_kn)
    return reports(mmsi, lat, lon, start_s=start_s, every_s=every_s, **kw)


def circling(mmsi: int, centre: tuple[float, float], radius_m: float, speed_kn: float, n: int,
             every_s: float = 60.0, start_s: float = 0.0, **kw) -> pd.DataFrame:
    """Positions running round a circle at a steady speed (clockwise)."""
    bearing = np.degrees(speed_kn * KNOT_MS * every_s * np.arange(n) / radius_m)
    lat, lon = destination_point(np.full(n, centre[0]), np.full(n, centre[1]), bearing, radius_m)
    kw.setdefault("sog", speed_kn)
    return reports(mmsi, lat, lon, start_s=start_s, every_s=every_s, **kw)


def end_of(frame: pd.DataFrame) -> tuple[float, float]:
    return float(frame["lat"].iloc[-1]), float(frame["lon"].iloc[-1])


def seconds_after(frame: pd.DataFrame) -> float:
    return (frame["time"].iloc[-1] - T0).total_seconds()


def context(*frames: pd.DataFrame, types: dict[int, int] | None = None, **settings) -> TrackContext:
    tracks = pd.concat(frames, ignore_index=True)[TRACK_COLUMNS].sort_values(["mmsi", "time"], kind="stable")
    types = types or {}
    vessels = pd.DataFrame([{"mmsi": m, "ship_type": types.get(m, CARGO)} for m in tracks["mmsi"].unique()],
                           columns=VESSEL_COLUMNS)
    return TrackContext(tracks=tracks.reset_index(drop=True), vessels=vessels, statics=pd.DataFrame(),
                        settings=DetectSettings(**settings))


def kinds(events) -> list[str]:
    return sorted(e.kind for e in events)


# -- vessel types ------------------------------------------------------------------------

def test_top_speed_known_for_common_types_and_generous_for_unknown_ones():
    speeds = top_speed_kn(np.array([CARGO, TANKER, 60, HSC, 49, 30, TUG, 37, 51, np.nan, 0, 99]))
    assert list(speeds[:9]) == [25.0, 20.0, 30.0, 45.0, 45.0, 15.0, 14.0, 40.0, 40.0]
    assert list(speeds[9:11]) == [DEFAULT_TOP_SPEED_KN] * 2
    assert speeds[11] >= 30.0


# -- position_jump -----------------------------------------------------------------------

def test_position_jump_found_for_fixes_displaced_far_off_the_track():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 30)
    track.loc[10:11, "lat"] += 0.6  # 67 km north for two reports
    events = detect_position_jump(context(track))
    assert len(events) == 1
    event = events[0]
    assert (event.mmsi, event.start, event.detected_at) == (1, track["time"][10], track["time"][10])
    assert event.end == track["time"][11]
    assert event.evidence["n_jumps"] == 2
    assert event.evidence["max_implied_speed_kn"] > 2000
    assert event.evidence["limit_kn"] == 50.0 and event.evidence["jump_min_distance_m"] == 1000.0
    assert event.evidence["jumps"][0]["distance_m"] > 60_000


def test_position_jump_not_raised_for_unavailable_positions():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 30)
    track.loc[5:15, ["lat", "lon", "sog"]] = np.nan  # lat 91 / lon 181 / 102.3 are stored as NULL
    assert detect_position_jump(context(track)) == []


def test_position_jump_not_raised_for_a_fast_ferry_at_its_normal_speed():
    ferry = straight(1, OPEN_SEA, 45.0, 36.0, 60, every_s=10.0)
    assert detect_position_jump(context(ferry, types={1: HSC})) == []


def test_position_jump_limit_follows_the_ship_type():
    fast = straight(1, OPEN_SEA, 45.0, 60.0, 20)  # 60 kn: beyond a cargo ship, within 1.5 × 45 kn for HSC
    assert len(detect_position_jump(context(fast, types={1: CARGO}))) == 1
    assert detect_position_jump(context(fast, types={1: HSC})) == []


def test_position_jump_not_raised_for_sparse_but_consistent_reports():
    sparse = straight(1, OPEN_SEA, 200.0, 14.0, 12, every_s=3 * 3600.0)
    assert detect_position_jump(context(sparse)) == []


def test_position_jump_not_raised_for_a_short_hop_under_the_distance_threshold():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 30, every_s=10.0)
    track.loc[10, "lat"] += 0.005  # 550 m for one report: GNSS multipath, not a jump
    assert detect_position_jump(context(track)) == []


# -- on_land -----------------------------------------------------------------------------

INLAND_BULGARIA = (43.2, 27.5)  # 25 km inland of Varna
COAST_NEAR_POMORIE = (42.6, 27.63)  # a land cell of the 1 km mask with sea within 1 km


def test_on_land_found_for_fixes_well_inland_and_the_evidence_names_the_place():
    before = straight(1, (43.2, 28.3), 90.0, 10.0, 10)
    inland = reports(1, [INLAND_BULGARIA[0]] * 3, [INLAND_BULGARIA[1]] * 3, start_s=seconds_after(before) + 60)
    after = straight(1, end_of(before), 90.0, 10.0, 10, start_s=seconds_after(inland) + 60)
    events = detect_on_land(context(before, inland, after))
    assert len(events) == 1
    event = events[0]
    assert event.start == inland["time"].iloc[0] and event.end == inland["time"].iloc[-1]
    assert event.detected_at == inland["time"].iloc[1]  # the second inland fix makes it true
    assert "Varna (BG)" in event.evidence["place"]
    assert event.evidence["n_inland_fixes"] == 3 and event.evidence["on_land_min_inland_m"] == 1000.0


def test_on_land_not_raised_for_a_single_inland_fix():
    track = straight(1, (43.2, 28.3), 90.0, 10.0, 20)
    track.loc[10, ["lat", "lon"]] = INLAND_BULGARIA
    assert detect_on_land(context(track)) == []


@pytest.mark.parametrize("where", [(46.445, 30.675), (41.11, 29.01), (44.665, 37.725)],
                         ids=["Odesa basin", "Bosphorus", "Novorossiysk basin"])
def test_on_land_not_raised_for_ships_in_port_basins_on_the_1km_mask(where):
    assert is_land(*where)
    moored = reports(1, [where[0]] * 20, [where[1]] * 20, every_s=180.0, sog=0.0, nav_status=5)
    assert detect_on_land(context(moored)) == []


def test_on_land_not_raised_for_ships_on_the_danube_fairway_to_izmail():
    fairway = port_by_name("Izmail").fairway
    lat, lon = densify(np.array([p[0] for p in fairway]), np.array([p[1] for p in fairway]), 300.0)
    upriver = reports(1, lat[::-1], lon[::-1], sog=8.0)
    assert is_land(upriver["lat"], upriver["lon"]).mean() > 0.9
    assert detect_on_land(context(upriver)) == []


def test_on_land_not_raised_close_inshore_where_the_coarse_mask_reads_land():
    assert is_land(*COAST_NEAR_POMORIE)
    inshore = reports(1, [COAST_NEAR_POMORIE[0]] * 10, [COAST_NEAR_POMORIE[1]] * 10, sog=0.0)
    assert detect_on_land(context(inshore)) == []


# -- circle_spoofing ----------------------------------------------------------------------

def spoofed_circle(mmsi: int = 1, minutes: int = 40) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A ship on passage whose GNSS is spoofed onto a 1 km circle for a while; returns (all, the circle)."""
    before = straight(mmsi, OPEN_SEA, 90.0, 10.0, 20)
    centre = destination_point(*end_of(before), 0.0, 1_500.0)
    circle = circling(mmsi, centre, 1_000.0, 10.0, minutes, start_s=seconds_after(before) + 60)
    after = straight(mmsi, destination_point(*end_of(before), 90.0, 10.0 * KNOT_MS * 60 * (minutes + 1)), 90.0,
                     10.0, 20, start_s=seconds_after(circle) + 60)
    return pd.concat([before, circle, after], ignore_index=True), circle


def test_fit_circle_recovers_centre_and_radius():
    angle = np.linspace(0.0, 5.0, 30)
    cx, cy, r = fit_circle(300.0 + 800.0 * np.cos(angle), -200.0 + 800.0 * np.sin(angle))
    assert (round(cx), round(cy), round(r)) == (300, -200, 800)


def test_circle_spoofing_found_for_positions_sweeping_a_circle_at_steady_speed():
    track, circle = spoofed_circle()
    events = detect_circle_spoofing(context(track))
    assert len(events) == 1
    event = events[0]
    assert event.start == circle["time"].iloc[0] and event.end == circle["time"].iloc[-1]
    assert event.evidence["signs"] == ["circle"]
    found = event.evidence["circle"]
    assert abs(found["radius_m"] - 1_000) < 20 and found["sweep_deg"] >= 300
    assert found["clockwise"] is True
    assert event.start < event.detected_at < event.end


def test_circle_spoofing_not_raised_for_a_partial_turn():
    track, _ = spoofed_circle(minutes=12)  # 12 minutes at 10 kn on a 1 km circle: about 210 degrees
    assert detect_circle_spoofing(context(track)) == []


def test_circle_spoofing_found_for_a_moored_vessel_reporting_speed_while_going_nowhere():
    moored = circling(1, OPEN_SEA, 300.0, 6.0, 20, sog=6.0, nav_status=5)
    events = detect_circle_spoofing(context(moored))
    assert len(events) == 1
    assert "moving_while_moored" in events[0].evidence["signs"]
    assert events[0].evidence["anchored_max_sog_kn"] == 3.0


def test_circle_spoofing_not_raised_for_an_anchored_vessel_swinging():
    n = 120  # six hours of reports every three minutes, swinging 35° either side on 120 m of chain
    angle = 35.0 * np.sin(2 * np.pi * np.arange(n) / 120.0)
    lat, lon = destination_point(np.full(n, OPEN_SEA[0]), np.full(n, OPEN_SEA[1]), angle + 180.0, 120.0)
    swinging = reports(1, lat, lon, every_s=180.0, sog=0.2, nav_status=1)
    assert detect_circle_spoofing(context(swinging)) == []


def test_circle_spoofing_not_raised_for_a_ship_under_way_with_a_stale_moored_status():
    forgot = straight(1, OPEN_SEA, 120.0, 12.0, 40, nav_status=5)
    assert detect_circle_spoofing(context(forgot)) == []


def test_circle_spoofing_not_raised_for_a_ship_turning_round():
    out = straight(1, OPEN_SEA, 90.0, 10.0, 15)
    turn = circling(1, destination_point(*end_of(out), 180.0, 800.0), 800.0, 10.0, 8, start_s=seconds_after(out))
    back = straight(1, end_of(turn), 270.0, 10.0, 15, start_s=seconds_after(turn) + 60)
    assert detect_circle_spoofing(context(out, turn, back)) == []


# -- speed_anomaly ------------------------------------------------------------------------

def test_speed_anomaly_found_for_a_tanker_reporting_forty_knots():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 30)
    track.loc[10:15, "sog"] = 42.0
    events = detect_speed_anomaly(context(track, types={1: TANKER}))
    assert len(events) == 1
    event = events[0]
    assert event.start == track["time"][10] and event.end == track["time"][15]
    assert event.detected_at == track["time"][12]  # the third fast report
    assert event.evidence["over_envelope"]["type_top_speed_kn"] == 20.0
    assert event.evidence["over_envelope"]["max_sog_kn"] == 42.0


def test_speed_anomaly_not_raised_for_two_fast_reports():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 30)
    track.loc[10:11, "sog"] = 42.0
    assert detect_speed_anomaly(context(track, types={1: TANKER})) == []


def test_speed_anomaly_not_raised_for_a_fast_ferry_at_its_normal_speed():
    ferry = straight(1, OPEN_SEA, 45.0, 36.0, 120, every_s=2.0)
    assert detect_speed_anomaly(context(ferry, types={1: HSC})) == []


def test_speed_anomaly_not_raised_when_speed_is_unavailable():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 40, sog=np.nan)  # 102.3 stored as NULL
    assert detect_speed_anomaly(context(track, types={1: TANKER})) == []


def test_speed_anomaly_found_when_reported_speed_disagrees_with_the_track():
    track = straight(1, OPEN_SEA, 90.0, 20.0, 40)
    track.loc[10:30, "sog"] = 0.0  # "stopped" while the fixes cover 20 kn
    events = detect_speed_anomaly(context(track))
    assert len(events) == 1
    found = events[0].evidence["disagrees_with_track"]
    assert found["median_diff_kn"] > 15 and found["median_reported_sog_kn"] < 5
    assert events[0].evidence["signs"] == ["disagrees_with_track"]


# -- mmsi_conflict ------------------------------------------------------------------------

def cloned(mmsi: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two ships 150 km apart sharing one MMSI, heard alternately for an hour; returns (victim, clone)."""
    victim = straight(mmsi, OPEN_SEA, 90.0, 12.0, 120)
    clone = straight(mmsi, (43.8, 31.5), 250.0, 11.0, 60, start_s=1_800.0 + 30.0)
    return victim, clone


def test_mmsi_conflict_found_for_two_tracks_heard_alternately_far_apart():
    victim, clone = cloned()
    events = detect_mmsi_conflict(context(victim, clone))
    assert len(events) == 1
    event = events[0]
    assert event.start == clone["time"].iloc[0] and event.end == clone["time"].iloc[-1]
    assert (event.lat, event.lon) == (pytest.approx(43.8), pytest.approx(31.5))
    tracks = event.evidence["tracks"]
    assert all(t["n_fixes"] >= 55 for t in tracks)
    assert event.evidence["median_separation_m"] > 100_000


def test_mmsi_conflict_not_raised_for_a_single_displaced_stretch():
    track = straight(1, OPEN_SEA, 90.0, 12.0, 60)
    track.loc[20:25, "lat"] += 1.0
    assert detect_mmsi_conflict(context(track)) == []


def test_cloned_mmsi_gives_one_mmsi_conflict_and_no_jumps():
    assert kinds(run_rules(context(*cloned()), SPOOFING)) == ["mmsi_conflict"]


# -- gnss_interference ---------------------------------------------------------------------

def anchored_fleet(n: int, displaced_from_s: float, displaced_for_s: float, shown=None) -> list[pd.DataFrame]:
    """n ships at the Novorossiysk anchorage, all shown at one false place (or ``shown(i, times)``) at once."""
    frames = []
    for i in range(n):
        berth = destination_point(*NOVOROSSIYSK_ANCHORAGE, 360.0 * i / n, 1_500.0)
        ship = reports(100 + i, [berth[0]] * 40, [berth[1]] * 40, start_s=7.0 * i, every_s=180.0, sog=0.1,
                       nav_status=1)
        t = (ship["time"] - T0).dt.total_seconds().to_numpy()
        spoofed = (t >= displaced_from_s) & (t < displaced_from_s + displaced_for_s)
        if shown is None:
            ship.loc[spoofed, "lat"] = GELENDZHIK_AIRPORT[0] + 0.0003 * np.sin(i)
            ship.loc[spoofed, "lon"] = GELENDZHIK_AIRPORT[1] + 0.0004 * np.cos(i)
        else:
            ship.loc[spoofed, "lat"], ship.loc[spoofed, "lon"] = shown(t[spoofed])
        frames.append(ship)
    return frames


def test_gnss_interference_found_when_many_vessels_are_shown_at_one_place():
    fleet = anchored_fleet(8, 1_800.0, 2_700.0)
    events = detect_gnss_interference(context(*fleet))
    assert len(events) == 1
    event = events[0]
    assert event.mmsi is None and event.evidence["mmsis"] == list(range(100, 108))
    assert event.lat == pytest.approx(GELENDZHIK_AIRPORT[0], abs=0.01)
    assert event.start == T0 + pd.Timedelta(seconds=1_800)
    assert event.end < T0 + pd.Timedelta(seconds=1_800 + 2_700)
    assert "Novorossiysk (RU)" in event.evidence["place"]
    assert event.severity == "critical"


def test_gnss_interference_found_when_many_vessels_circle_at_once():
    def on_the_circle(t):
        bearing = np.degrees(10.0 * KNOT_MS * (t - 1_800.0) / 2_000.0)
        return destination_point(np.full(len(t), GELENDZHIK_AIRPORT[0]), np.full(len(t), GELENDZHIK_AIRPORT[1]),
                                 bearing, 2_000.0)

    events = detect_gnss_interference(context(*anchored_fleet(8, 1_800.0, 3_600.0, shown=on_the_circle)))
    assert len(events) == 1
    assert len(events[0].evidence["mmsis"]) == 8


def test_gnss_interference_not_raised_for_fewer_vessels_than_the_threshold():
    assert detect_gnss_interference(context(*anchored_fleet(4, 1_800.0, 2_700.0))) == []


def test_gnss_interference_not_raised_for_vessels_displaced_to_different_places():
    def somewhere_of_its_own(i):
        return lambda t: (np.full(len(t), 43.0 + 0.1 * i), np.full(len(t), 36.0))

    fleet = [anchored_fleet(8, 1_800.0, 2_700.0, shown=somewhere_of_its_own(i))[i] for i in range(8)]
    assert detect_gnss_interference(context(*fleet)) == []


def test_gnss_mass_displacement_gives_one_gnss_interference_event():
    assert kinds(run_rules(context(*anchored_fleet(8, 1_800.0, 2_700.0)), SPOOFING)) == ["gnss_interference"]


# -- parents and children ------------------------------------------------------------------

def test_on_land_spoof_gives_on_land_only():
    before = straight(1, (43.2, 28.3), 90.0, 10.0, 10)
    inland = reports(1, [INLAND_BULGARIA[0]] * 4, [INLAND_BULGARIA[1]] * 4, start_s=seconds_after(before) + 60)
    after = straight(1, end_of(before), 90.0, 10.0, 10, start_s=seconds_after(inland) + 60)
    assert kinds(run_rules(context(before, inland, after), SPOOFING)) == ["on_land"]


def test_circle_spoof_gives_circle_spoofing_only():
    track, _ = spoofed_circle()
    assert kinds(run_rules(context(track), SPOOFING)) == ["circle_spoofing"]


def test_benign_traffic_raises_nothing():
    traffic = [straight(1, OPEN_SEA, 90.0, 12.0, 200),
               straight(2, (43.3, 34.2), 45.0, 34.0, 400, every_s=10.0),  # fast ferry
               straight(3, (43.5, 33.0), 180.0, 9.0, 12, every_s=1_800.0, sog=np.nan),  # sparse, no SOG sensor
               reports(4, [46.445] * 100, [30.675] * 100, every_s=180.0, sog=0.0, nav_status=5)]  # moored, Odesa
    assert run_rules(context(*traffic, types={2: HSC, 4: TUG}), SPOOFING) == []


# -- simulated scenario ----------------------------------------------------------------------

def _labels(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    for row in rows:
        row["start"] = pd.Timestamp(row["start"]).tz_localize(None)
        row["end"] = pd.Timestamp(row["end"]).tz_localize(None)
    return rows


def _vessels(row) -> set[int]:
    found = {m for m in (row.get("mmsi"), row.get("other_mmsi")) if m is not None}
    return found | set(row.get("mmsis") or ())


def _near(event, label, slack=pd.Timedelta(minutes=15)) -> bool:
    vessels = _vessels({"mmsi": event.mmsi, "other_mmsi": event.other_mmsi, "mmsis": event.evidence.get("mmsis")})
    return (bool(vessels & _vessels(label)) and event.start - slack <= label["end"]
            and label["start"] <= (event.end or event.start) + slack)


@pytest.mark.slow
def test_simulated_spoofing_is_found_near_its_labels_and_benign_vessels_are_not_flagged(tmp_path):
    simulate = pytest.importorskip("maritime.simulate").simulate
    from maritime.detect.runner import detect_window
    from maritime.ingest import ingest_paths
    from maritime.store.db import open_store

    mine = ("position_jump", "on_land", "circle_spoofing", "speed_anomaly", "mmsi_conflict", "gnss_interference")
    simulate(4, 150, 11, tmp_path, anomalies={"position_jump": 2, "on_land": 2, "circle_spoofing": 2,
                                              "speed_anomaly": 2, "mmsi_conflict": 1, "gnss_interference": 1})
    engine = open_store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    ingest_paths(engine, [str(tmp_path / "ais.nmea")])
    events = [e for e in detect_window(engine, None, None).events if e.kind in mine]

    labels = [row for row in _labels(tmp_path / "labels.jsonl") if row["kind"] in mine]
    assert {row["kind"] for row in labels} == set(mine)
    missed = [row for row in labels if not any(e.kind == row["kind"] and _near(e, row) for e in events)]
    assert missed == []
    unexplained = [e for e in events if not any(e.kind == row["kind"] and _near(e, row) for row in labels)]
    assert unexplained == []
    benign = _labels(tmp_path / "benign.jsonl")
    assert not [e for e in events for row in benign if _near(e, row, slack=pd.Timedelta(0))
                and not any(_near(e, row) for row in labels)]
