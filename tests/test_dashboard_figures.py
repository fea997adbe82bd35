"""Dashboard figures, without a browser: radio text is escaped before it reaches plotly, filters, layers."""

import json
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import create_engine

from dashboards.basemap import land_geojson, map_style
from dashboards.live_filters import LiveFilters, filter_vessels
from dashboards.map_figure import live_map_figure, severity_counts, vessel_hover
from dashboards.text import fmt_duration, for_figure
from dashboards.track_figure import track_figure
from dashboards.vocab import SEVERITY_COLOURS, type_class
from maritime.store import dashboard_queries as queries
from tests.dashboard_data import XSS_CSV_MMSI, XSS_CSV_NAME

RAW_MARKUP = ("<B>", "</B>", "<IMG", "<img", "<SVG", "<BR>", "<A HREF")


def strings_in(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings_in(item)


@pytest.fixture(scope="module")
def live(small_db):
    engine = create_engine(small_db.url)
    with engine.connect() as connection:
        vessels, zones = queries.live_vessels(connection), queries.zones(connection)
    engine.dispose()
    return vessels, zones


def test_for_figure_escapes_markup_and_drops_control_characters():
    assert for_figure("<B>BOLD</B>") == "&lt;B&gt;BOLD&lt;/B&gt;"
    assert for_figure("<img src=x onerror=alert(1)>") == "&lt;img src=x onerror=alert(1)&gt;"
    assert for_figure("A & B\nC\x00D") == "A &amp; B C D"
    assert for_figure(None) == "" and for_figure(float("nan")) == ""


def test_html_vessel_names_reach_the_hover_cards_escaped(live):
    vessels, _ = live
    cards = dict(zip(vessels["mmsi"], vessel_hover(vessels, None)))
    assert "&lt;B&gt;BOLD&lt;/B&gt;" in cards[271000001]
    assert "to &lt;BR&gt;FAKE" in cards[271000001]  # a destination cannot forge a new hover line
    assert "&lt;IMG SRC=X ONERROR=A" in cards[271000002]
    assert "&lt;SVG/ONLOAD=ALERT()&gt;" in cards[271000003]
    assert for_figure(XSS_CSV_NAME) in cards[XSS_CSV_MMSI]
    for card in cards.values():
        assert not any(tag in card for tag in RAW_MARKUP)


def test_no_raw_markup_anywhere_in_the_live_figure(live):
    vessels, zones = live
    figure = live_map_figure(vessels, zones, layers=("routes", "ports", "zones"))
    texts = list(strings_in(figure))
    assert not [t for t in texts if any(tag in t for tag in RAW_MARKUP)]


def test_map_style_fetches_nothing_and_draws_no_text():
    style = map_style()
    assert "glyphs" not in style and "sprite" not in style
    assert all(source["type"] == "geojson" for source in style["sources"].values())
    assert {layer["type"] for layer in style["layers"]} <= {"background", "fill", "line"}
    assert "http" not in json.dumps(style)
    assert land_geojson()["type"] == "MultiPolygon"


def test_tile_layer_sits_below_the_vessel_traces_and_only_when_asked(live):
    vessels, zones = live
    url = "https://tiles.example.org/{z}/{x}/{y}.png"
    with_tiles = live_map_figure(vessels, zones, layers=("tiles", "routes"), tile_url=url)
    layers = with_tiles["layout"]["map"]["layers"]
    assert layers[0]["sourcetype"] == "raster" and layers[0]["below"] == "traces" and layers[0]["source"] == [url]
    assert url not in json.dumps(map_style())  # never part of the style, whose failure would stop the map
    without = live_map_figure(vessels, zones, layers=("routes",), tile_url=url)
    assert all(layer["sourcetype"] != "raster" for layer in without["layout"]["map"]["layers"])


def test_every_vessel_is_one_marker_coloured_by_its_worst_open_anomaly(live):
    vessels, zones = live
    figure = live_map_figure(vessels, zones, layers=())
    (markers,) = [t for t in figure["data"] if t["mode"] == "markers" and t.get("customdata")]
    assert sorted(markers["customdata"]) == sorted(vessels["mmsi"])
    colour = dict(zip(markers["customdata"], markers["marker"]["color"]))
    assert colour[271000001] == SEVERITY_COLOURS["critical"] and colour[XSS_CSV_MMSI] == SEVERITY_COLOURS["warning"]
    assert markers["customdata"][-1] == 271000001  # the worst is drawn last, on top
    assert figure["layout"]["uirevision"] == "live-map"  # refreshes keep the officer's zoom
    assert severity_counts(vessels)["critical"] == 1


def test_filters_by_type_severity_kind_search_and_window(live):
    vessels, _ = live
    assert set(filter_vessels(vessels, LiveFilters(severities=("critical",)))["mmsi"]) == {271000001}
    assert set(filter_vessels(vessels, LiveFilters(kinds=("identity_change",)))["mmsi"]) == {XSS_CSV_MMSI}
    assert set(filter_vessels(vessels, LiveFilters(search="bold"))["mmsi"]) == {271000001}
    assert set(filter_vessels(vessels, LiveFilters(search="27100000"))["mmsi"]) >= {271000001, 271000002}
    assert set(filter_vessels(vessels, LiveFilters(search="ux1"))["mmsi"]) == {271000002}  # callsign
    cargo = filter_vessels(vessels, LiveFilters(types=("cargo",)))
    assert len(cargo) and all(type_class(t) == "cargo" for t in cargo["ship_type"])
    none_left = filter_vessels(vessels, LiveFilters(severities=("none",)))
    assert 271000001 not in set(none_left["mmsi"])
    assert len(filter_vessels(vessels, LiveFilters(window="1"))) == len(vessels)  # all reported in the last hour


def test_track_figure_places_playback_and_events():
    times = pd.date_range("2026-11-20 06:00", periods=50, freq="min")
    track = pd.DataFrame({"time": times, "lat": [44 + i / 100 for i in range(50)], "lon": [31.0] * 50,
                          "sog": [10.0] * 50, "cog": [0.0] * 50, "heading": [0.0] * 50, "nav_status": [0] * 50,
                          "source": ["rx"] * 50})
    events = pd.DataFrame([{"kind": "loitering", "severity": "warning", "start": times[10], "end": times[20],
                            "lat": 44.1, "lon": 31.0, "detector": "<b>x</b>"}])
    figure = track_figure(track, events, index=9)
    assert len(figure.data[1].lat) == 10 and figure.data[2].lat == (44.09,)
    assert "&lt;b&gt;x&lt;/b&gt;" in figure.data[3].text[0]


def test_identity_changes_and_distinct_identities_from_reports():
    t = datetime(2026, 11, 20, 6)
    reports = pd.DataFrame([
        {"time": t, "msg_type": 5, "part": None, "name": "ALPHA", "callsign": "UA1", "imo": 9301134,
         "ship_type": 70, "destination": "ODESA", "source": "rx"},
        {"time": t + timedelta(minutes=6), "msg_type": 5, "part": None, "name": "ALPHA", "callsign": "UA1",
         "imo": 9301134, "ship_type": 70, "destination": "ODESA", "source": "rx"},
        {"time": t + timedelta(hours=2), "msg_type": 5, "part": None, "name": "BRAVO", "callsign": "UA1",
         "imo": 9301134, "ship_type": 70, "destination": "VARNA", "source": "rx"},
    ])
    changes = queries.identity_changes(reports)
    assert [(c.field, c.old, c.new) for c in changes] == [("destination", "ODESA", "VARNA"),
                                                          ("name", "ALPHA", "BRAVO")]
    ids = queries.identities(reports)
    assert list(ids["name"]) == ["ALPHA", "BRAVO"] and list(ids["reports"]) == [2, 1]


def test_durations_read_as_people_write_them():
    assert fmt_duration(timedelta(days=3, hours=4)) == "3 d 4 h"
    assert fmt_duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert fmt_duration(timedelta(seconds=45)) == "45 s"
