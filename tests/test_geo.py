"""Geography: geodesy, the land mask, ports, anchorages, fishing grounds, the grain corridor."""

import numpy as np
import pytest

from maritime.geo.geodesy import (EARTH_RADIUS_M, densify, destination_point, haversine_m, initial_bearing_deg,
                                  path_length_m)
from maritime.geo.land import REGION, is_land, is_land_away_from_ports
from maritime.geo.ports import (ANCHORAGES, FISHING_GROUNDS, GRAIN_CORRIDOR, PORTS, anchorages_of,
                                distance_to_grain_corridor_m, distance_to_port_or_anchorage_m, in_anchorage,
                                in_fishing_ground, in_port, in_port_or_anchorage, nearest_port,
                                nearest_port_indices, port_by_name, port_for_destination)

DEGREE_M = np.pi * EARTH_RADIUS_M / 180.0


# -- geodesy -----------------------------------------------------------------------------------


def test_haversine_one_degree_of_latitude():
    assert haversine_m(0.0, 0.0, 1.0, 0.0) == pytest.approx(DEGREE_M, rel=1e-9)


def test_haversine_odesa_to_bosphorus_is_about_600_km():
    assert haversine_m(46.48, 30.73, 41.23, 29.12) == pytest.approx(596_000, rel=0.01)


def test_haversine_scalar_gives_float_and_arrays_give_arrays():
    assert isinstance(haversine_m(43.0, 34.0, 43.1, 34.1), float)
    d = haversine_m(np.array([43.0, 44.0]), np.array([34.0, 34.0]), 43.0, 34.0)
    assert isinstance(d, np.ndarray) and d.shape == (2,)
    assert d[0] == 0.0 and d[1] == pytest.approx(DEGREE_M)


@pytest.mark.parametrize("lat2, lon2, expected", [(1.0, 0.0, 0.0), (0.0, 1.0, 90.0), (-1.0, 0.0, 180.0),
                                                  (0.0, -1.0, 270.0)])
def test_initial_bearing_cardinal_directions(lat2, lon2, expected):
    assert initial_bearing_deg(0.0, 0.0, lat2, lon2) == pytest.approx(expected)


def test_destination_point_inverts_distance_and_bearing_for_arrays():
    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(41, 46, 200), rng.uniform(28, 41, 200)
    bearing, distance = rng.uniform(0, 360, 200), rng.uniform(10, 300_000, 200)
    lat2, lon2 = destination_point(lat, lon, bearing, distance)
    assert np.allclose(haversine_m(lat, lon, lat2, lon2), distance, rtol=1e-9, atol=1e-6)
    assert np.allclose((initial_bearing_deg(lat, lon, lat2, lon2) - bearing + 180) % 360 - 180, 0, atol=1e-6)


def test_densify_keeps_ends_and_bounds_the_step():
    lat, lon = densify(np.array([43.0, 44.0, 44.0]), np.array([30.0, 30.0, 31.0]), 5_000.0)
    assert (lat[0], lon[0], lat[-1], lon[-1]) == (43.0, 30.0, 44.0, 31.0)
    steps = haversine_m(lat[:-1], lon[:-1], lat[1:], lon[1:])
    assert steps.max() <= 5_000.0 + 1e-6
    assert path_length_m(lat, lon)[-1] == pytest.approx(DEGREE_M + haversine_m(44.0, 30.0, 44.0, 31.0), rel=1e-5)


# -- land mask ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lat, lon", [(43.0, 34.0), (42.5, 31.0), (44.0, 37.0), (45.5, 31.0), (41.5, 39.0)])
def test_open_black_sea_is_sea(lat, lon):
    assert is_land(lat, lon) is False


@pytest.mark.parametrize("name, lat, lon", [("Bucharest", 44.43, 26.10), ("Ankara", 39.93, 32.85),
                                            ("Chisinau", 47.01, 28.86), ("Simferopol", 44.95, 34.10),
                                            ("Krasnodar", 45.04, 38.98), ("Kutaisi", 42.27, 42.70)])
def test_inland_cities_are_land(name, lat, lon):
    assert is_land(lat, lon) is True, name


def test_is_land_is_vectorised_and_unavailable_positions_are_not_land():
    lat = np.array([43.0, 44.43, 91.0, np.nan])
    lon = np.array([34.0, 26.10, 181.0, 30.0])
    assert is_land(lat, lon).tolist() == [False, True, False, False]
    assert is_land(lat.reshape(2, 2), lon.reshape(2, 2)).shape == (2, 2)


def test_harbour_basins_read_as_land_but_not_land_away_from_ports():
    varna = port_by_name("Varna")
    assert is_land(varna.lat, varna.lon) is True  # basins are narrower than the 1 km grid
    assert is_land_away_from_ports(varna.lat, varna.lon) is False


def test_danube_fairway_to_izmail_is_not_land_away_from_ports():
    izmail = port_by_name("Izmail")
    lat = np.array([p[0] for p in izmail.fairway])
    lon = np.array([p[1] for p in izmail.fairway])
    assert is_land(lat, lon).any()
    assert not is_land_away_from_ports(lat, lon).any()


def test_is_land_away_from_ports_still_finds_inland_points_near_ports():
    assert is_land_away_from_ports(46.70, 30.40) is True  # 35 km inland of Odesa


@pytest.mark.slow
def test_regional_crop_agrees_with_global_land_mask():
    from global_land_mask import globe

    rng = np.random.default_rng(0)
    lat_min, lat_max, lon_min, lon_max = REGION
    lat, lon = rng.uniform(lat_min, lat_max, 500_000), rng.uniform(lon_min, lon_max, 500_000)
    assert np.array_equal(is_land(lat, lon), globe.is_land(lat, lon))


# -- ports, anchorages, grounds, corridor ------------------------------------------------------------


def test_every_pilot_station_and_anchorage_is_at_sea():
    for port in PORTS:
        assert not is_land(*port.approach), port.name
        assert in_port(*port.approach), port.name
    for anchorage in ANCHORAGES:
        assert not is_land(anchorage.lat, anchorage.lon), anchorage.name
        assert anchorage.port in {p.name for p in PORTS}


def test_required_anchorages_exist():
    for port in ("Istanbul", "Constanta", "Odesa", "Varna", "Burgas", "Novorossiysk"):
        assert anchorages_of(port), port


def test_fishing_grounds_and_grain_corridor_are_at_sea():
    for ground in FISHING_GROUNDS:
        lat = np.array([p[0] for p in ground.polygon])
        lon = np.array([p[1] for p in ground.polygon])
        assert not is_land(lat, lon).any(), ground.name
        assert in_fishing_ground(lat.mean(), lon.mean()), ground.name
    lat, lon = densify(np.array([p[0] for p in GRAIN_CORRIDOR]), np.array([p[1] for p in GRAIN_CORRIDOR]), 500.0)
    assert not is_land(lat, lon).any()
    assert distance_to_grain_corridor_m(44.9, 29.8) < 1.0


def test_nearest_port_scalar_and_vectorised_agree():
    port, distance = nearest_port(43.18, 28.0)
    assert port.name == "Varna" and distance < 10_000
    index, distances = nearest_port_indices(np.array([43.18, 44.66, 41.3]), np.array([28.0, 37.84, 36.4]))
    assert [PORTS[i].name for i in index] == ["Varna", "Novorossiysk", "Samsun"]
    assert distances[0] == pytest.approx(distance)


def test_in_port_or_anchorage_separates_anchorages_from_open_sea():
    kilyos = anchorages_of("Istanbul")[0]
    lat = np.array([kilyos.lat, 43.0, 44.10])
    lon = np.array([kilyos.lon, 34.0, 28.80])
    assert in_port_or_anchorage(lat, lon).tolist() == [True, False, True]
    assert in_anchorage(kilyos.lat, kilyos.lon) is True
    assert in_port_or_anchorage(43.0, 34.0) is False


def test_distance_to_port_or_anchorage_is_zero_inside_and_grows_outside():
    odesa = port_by_name("Odesa")
    assert distance_to_port_or_anchorage_m(odesa.lat, odesa.lon) == 0.0
    d = distance_to_port_or_anchorage_m(np.array([44.0, 43.0]), np.array([33.0, 34.0]))
    assert (d > 50_000).all()


@pytest.mark.parametrize("text, port", [("ODESSA", "Odesa"), ("UA ODS", "Odesa"), ("ro cnd", "Constanta"),
                                        ("NOVOROSSIYSK", "Novorossiysk"), ("GIBRALTAR", None), ("", None)])
def test_port_for_destination_reads_names_and_locodes(text, port):
    found = port_for_destination(text)
    assert (found.name if found else None) == port
