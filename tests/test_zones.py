"""`maritime zones add|list` on a real SQLite file, and the zones it stores as zone_entry sees them."""

import json

import pytest
import shapely
from typer.testing import CliRunner

from maritime.cli import app
from maritime.detect.tracks import load_zones
from maritime.detect.zone_entry import detect_zone_entry
from maritime.geo.zones import ZoneFileError, parse_zones
from maritime.store.db import open_store
from tests.behaviour_tracks import context, voyage

runner = CliRunner()


def ring(lon0: float, lat0: float, lon1: float, lat1: float) -> list[list[float]]:
    return [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]


def feature(name, coordinates, kind=None, geometry_type="Polygon") -> dict:
    properties = {"name": name} if name is not None else {}
    if kind:
        properties["kind"] = kind
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": geometry_type, "coordinates": coordinates}}


def write(path, *features) -> str:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return str(path)


def zones_cli(db_url: str, *args: str):
    return runner.invoke(app, ["--db", db_url, "zones", *args])


def stored(db_url: str):
    with open_store(db_url).connect() as connection:
        return {z.name: z for z in load_zones(connection)}


def test_zones_add_stores_each_polygon_feature_with_its_kind(sqlite_url, tmp_path):
    path = write(tmp_path / "zones.geojson",
                 feature("Odesa mines", [ring(31.25, 45.8, 31.9, 46.3)], "mine_danger"),
                 feature("Firing range", [ring(31.9, 45.1, 32.35, 45.4)], "exclusion"))
    result = zones_cli(sqlite_url, "add", path)
    assert result.exit_code == 0, result.output
    assert "2 zones added, 0 replaced" in result.output
    zones = stored(sqlite_url)
    assert {n: z.kind for n, z in zones.items()} == {"Odesa mines": "mine_danger", "Firing range": "exclusion"}
    assert zones["Odesa mines"].polygon.contains(shapely.Point(31.5, 46.0))


def test_kind_option_applies_to_every_zone_in_the_file(sqlite_url, tmp_path):
    path = write(tmp_path / "zones.geojson", feature("A", [ring(30, 43, 31, 44)], "exclusion"),
                 feature("B", [ring(32, 43, 33, 44)]))
    assert zones_cli(sqlite_url, "add", path, "--kind", "restricted").exit_code == 0
    assert {z.kind for z in stored(sqlite_url).values()} == {"restricted"}


def test_re_adding_a_zone_with_the_same_name_replaces_it(sqlite_url, tmp_path):
    first = write(tmp_path / "a.geojson", feature("Box", [ring(30, 43, 31, 44)], "restricted"))
    second = write(tmp_path / "b.geojson", feature("Box", [ring(35, 42, 36, 43)], "mine_danger"))
    zones_cli(sqlite_url, "add", first)
    result = zones_cli(sqlite_url, "add", second)
    assert result.exit_code == 0 and "0 zones added, 1 replaced" in result.output
    [zone] = stored(sqlite_url).values()
    assert zone.kind == "mine_danger" and zone.polygon.bounds == (35.0, 42.0, 36.0, 43.0)


def test_multipolygon_zone_is_accepted(sqlite_url, tmp_path):
    path = write(tmp_path / "z.geojson", feature("Two boxes", [[ring(30, 43, 31, 44)], [ring(32, 43, 33, 44)]],
                                                 "exclusion", "MultiPolygon"))
    assert zones_cli(sqlite_url, "add", path).exit_code == 0
    assert stored(sqlite_url)["Two boxes"].polygon.geom_type == "MultiPolygon"


def test_a_single_feature_file_is_accepted(sqlite_url, tmp_path):
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(feature("Lone", [ring(30, 43, 31, 44)], "restricted")))
    assert zones_cli(sqlite_url, "add", str(path)).exit_code == 0
    assert list(stored(sqlite_url)) == ["Lone"]


def one_line_error(result) -> str:
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), result.output
    return lines[0]


def test_invalid_json_is_a_one_line_error(sqlite_url, tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    assert "not valid JSON" in one_line_error(zones_cli(sqlite_url, "add", str(path)))


def test_self_intersecting_polygon_is_a_one_line_error_naming_the_zone(sqlite_url, tmp_path):
    bow_tie = [[[30, 43], [31, 44], [31, 43], [30, 44], [30, 43]]]
    path = write(tmp_path / "bad.geojson", feature("Bow tie", bow_tie, "restricted"))
    line = one_line_error(zones_cli(sqlite_url, "add", path))
    assert "Bow tie" in line and "Self-intersection" in line
    assert stored(sqlite_url) == {}


@pytest.mark.parametrize("bad, message", [
    (feature(None, [ring(30, 43, 31, 44)], "restricted"), "no 'name' property"),
    (feature("Line", [[30, 43], [31, 44]], "restricted", "LineString"), "must be Polygon or MultiPolygon"),
    (feature("No kind", [ring(30, 43, 31, 44)]), "give --kind"),
    (feature("Odd kind", [ring(30, 43, 31, 44)], "forbidden"), "is not one of"),
    (feature("Lat lon swapped", [ring(43, 30, 44, 131)], "restricted"), "outside longitude"),
    (feature("Open ring", [[[30, 43], [31, 43], [31, 44], [30, 44]]], "restricted"), "not closed"),
    (feature("Garbled", [[30, 43, 31, 44]], "restricted"), "unreadable Polygon"),
])
def test_unusable_features_are_refused_with_one_line_saying_why(sqlite_url, tmp_path, bad, message):
    path = write(tmp_path / "bad.geojson", bad)
    assert message in one_line_error(zones_cli(sqlite_url, "add", path))


def test_a_missing_file_is_a_one_line_error(sqlite_url, tmp_path):
    one_line_error(zones_cli(sqlite_url, "add", str(tmp_path / "nope.geojson")))


def test_two_zones_with_one_name_in_a_file_are_refused():
    data = {"type": "FeatureCollection", "features": [feature("Twin", [ring(30, 43, 31, 44)], "restricted"),
                                                      feature("Twin", [ring(32, 43, 33, 44)], "restricted")]}
    with pytest.raises(ZoneFileError, match="two zones are named 'Twin'"):
        parse_zones(data)


def test_zones_list_shows_each_zone_with_its_kind_and_area(sqlite_url, tmp_path):
    assert "no zones" in zones_cli(sqlite_url, "list").output
    zones_cli(sqlite_url, "add", write(tmp_path / "z.geojson",
                                       feature("Sevastopol", [ring(33.1, 44.52, 33.36, 44.68)], "restricted")))
    result = zones_cli(sqlite_url, "list")
    assert result.exit_code == 0
    assert "Sevastopol" in result.output and "restricted" in result.output and "1 zone" in result.output
    assert "366" in result.output  # km²: 0.26° × 0.16° at 44.6° N


def test_stored_zones_are_what_zone_entry_watches(sqlite_url, tmp_path):
    zones_cli(sqlite_url, "add", write(tmp_path / "z.geojson", feature("Box", [ring(31.0, 42.9, 31.3, 43.1)]),),
              "--kind", "mine_danger")
    with open_store(sqlite_url).connect() as connection:
        zones = load_zones(connection)
    track = voyage(271_000_999, 0.0, 43.0, 30.5, [(90.0, 12.0, 4.0)])
    [event] = detect_zone_entry(context(track, zones=zones))
    assert event.evidence["zone"] == "Box" and event.severity == "critical"
