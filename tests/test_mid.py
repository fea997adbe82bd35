import pytest

from maritime.ais.mid import MIDS, country_of, flag_of, is_allocated_mid, mid_of


@pytest.mark.parametrize(
    ("mmsi", "flag"),
    [
        (272123456, "UA"),  # ship, Ukraine
        (273456789, "RU"),  # ship, Russia
        (271000835, "TR"),  # ship, Türkiye
        (264163000, "RO"),  # ship, Romania
        (207123000, "BG"),  # ship, Bulgaria
        (213100000, "GE"),  # ship, Georgia
        (636019825, "LR"),  # ship, Liberia
        (538005989, "MH"),  # ship, Marshall Islands
        (372000001, "PA"),  # ship, Panama's later block
        ("002730001", "RU"),  # coast (base) station 00MIDxxxx
        (2730001, "RU"),  # the same base station as an integer, leading zeros lost
        ("027212345", "UA"),  # group of ships 0MIDxxxxx
        (111272501, "UA"),  # SAR aircraft 111MIDxxx
        (992351234, "GB"),  # aid to navigation 99MIDxxxx
        (982561234, "MT"),  # craft of a parent ship 98MIDxxxx
        (827112345, "TR"),  # handheld VHF 8MIDxxxxx
    ],
)
def test_flag_of_known_mmsis(mmsi, flag):
    assert flag_of(mmsi) == flag


@pytest.mark.parametrize(
    "mmsi",
    [
        "2715000",  # seven digits as text: not an MMSI
        "27200000A",
        970012345,  # AIS-SART
        972012345,  # man overboard
        974012345,  # EPIRB-AIS
        123456789,  # first digit 1 without 111
        0,
        -272123456,
        1_000_000_000,
        True,
        None,
    ],
)
def test_mmsis_without_an_administration_have_no_flag(mmsi):
    assert mid_of(mmsi) is None
    assert flag_of(mmsi) is None
    assert country_of(mmsi) is None


def test_unallocated_mid_is_found_but_has_no_country():
    assert mid_of(217000001) == 217
    assert not is_allocated_mid(217)
    assert flag_of(217000001) is None


def test_country_names_come_with_the_flag():
    assert country_of(272123456) == "Ukraine"
    assert country_of(273456789) == "Russian Federation"
    assert country_of(201000000) == "Albania"
    assert country_of(775000000) == "Venezuela"


def test_table_spans_201_to_775_with_every_black_sea_state():
    assert min(MIDS) == 201 and max(MIDS) == 775
    black_sea = {207: "BG", 213: "GE", 264: "RO", 271: "TR", 272: "UA", 273: "RU"}
    assert {mid: MIDS[mid].alpha2 for mid in black_sea} == black_sea


def test_states_with_several_mids_have_all_of_them():
    assert {mid for mid, country in MIDS.items() if country.alpha2 == "MT"} == {215, 229, 248, 249, 256}
    panama = {mid for mid, country in MIDS.items() if country.alpha2 == "PA"}
    assert panama == {351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373, 374}
    assert {mid for mid, country in MIDS.items() if country.alpha2 == "LR"} == {636, 637}


def test_every_alpha2_code_is_two_capital_letters():
    assert all(len(c.alpha2) == 2 and c.alpha2.isalpha() and c.alpha2.isupper() for c in MIDS.values())
