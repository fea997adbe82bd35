"""Maritime Identification Digits: which administration an MMSI belongs to.

The table is the ITU MID allocation (ITU-R M.585, MARS list): each three-digit MID
from 201 to 775 that is allocated, with the ISO 3166-1 alpha-2 code and the name of
the country or territory. Some territories share the code of their country (Azores
and Madeira are PT, Alaska is US, the French southern lands are TF).

An MMSI is nine digits. Where the MID sits depends on the kind of station
(ITU-R M.585 annexes 1–2)::

    MIDxxxxxx   ship station                    (first digit 2–7)
    0MIDxxxxx   group of ship stations
    00MIDxxxx   coast station (AIS base station)
    111MIDxxx   SAR aircraft
    8MIDxxxxx   handheld VHF with DSC and GNSS
    98MIDxxxx   craft associated with a parent ship
    99MIDxxxx   aid to navigation
    970xxyyyy, 972xxyyyy, 974xxyyyy: AIS-SART, MOB and EPIRB-AIS carry no MID

As an integer, an MMSI loses its leading zeros: ``2730001`` *is* base station
``002730001``. Strings keep them, so a string must be exactly nine digits.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple, Optional, Union


class Country(NamedTuple):
    alpha2: str
    name: str


def _by_mid(allocations: list[tuple[tuple[int, ...], str, str]]) -> dict[int, Country]:
    table = {mid: Country(alpha2, name) for mids, alpha2, name in allocations for mid in mids}
    if len(table) != sum(len(mids) for mids, _, _ in allocations):
        raise ValueError("a MID is allocated twice in the table")
    return dict(sorted(table.items()))


# (MIDs, ISO 3166-1 alpha-2, name), grouped by ITU region as the MARS list is.
MIDS: dict[int, Country] = _by_mid([
    # Europe (2xx)
    ((201,), "AL", "Albania"),
    ((202,), "AD", "Andorra"),
    ((203,), "AT", "Austria"),
    ((204,), "PT", "Portugal (Azores)"),
    ((205,), "BE", "Belgium"),
    ((206,), "BY", "Belarus"),
    ((207,), "BG", "Bulgaria"),
    ((208,), "VA", "Vatican City State"),
    ((209, 210, 212), "CY", "Cyprus"),
    ((211, 218), "DE", "Germany"),
    ((213,), "GE", "Georgia"),
    ((214,), "MD", "Moldova"),
    ((215, 229, 248, 249, 256), "MT", "Malta"),
    ((216,), "AM", "Armenia"),
    ((219, 220), "DK", "Denmark"),
    ((224, 225), "ES", "Spain"),
    ((226, 227, 228), "FR", "France"),
    ((230,), "FI", "Finland"),
    ((231,), "FO", "Faroe Islands"),
    ((232, 233, 234, 235), "GB", "United Kingdom"),
    ((236,), "GI", "Gibraltar"),
    ((237, 239, 240, 241), "GR", "Greece"),
    ((238,), "HR", "Croatia"),
    ((242,), "MA", "Morocco"),
    ((243,), "HU", "Hungary"),
    ((244, 245, 246), "NL", "Netherlands"),
    ((247,), "IT", "Italy"),
    ((250,), "IE", "Ireland"),
    ((251,), "IS", "Iceland"),
    ((252,), "LI", "Liechtenstein"),
    ((253,), "LU", "Luxembourg"),
    ((254,), "MC", "Monaco"),
    ((255,), "PT", "Portugal (Madeira)"),
    ((257, 258, 259), "NO", "Norway"),
    ((261,), "PL", "Poland"),
    ((262,), "ME", "Montenegro"),
    ((263,), "PT", "Portugal"),
    ((264,), "RO", "Romania"),
    ((265, 266), "SE", "Sweden"),
    ((267,), "SK", "Slovakia"),
    ((268,), "SM", "San Marino"),
    ((269,), "CH", "Switzerland"),
    ((270,), "CZ", "Czech Republic"),
    ((271,), "TR", "Türkiye"),
    ((272,), "UA", "Ukraine"),
    ((273,), "RU", "Russian Federation"),
    ((274,), "MK", "North Macedonia"),
    ((275,), "LV", "Latvia"),
    ((276,), "EE", "Estonia"),
    ((277,), "LT", "Lithuania"),
    ((278,), "SI", "Slovenia"),
    ((279,), "RS", "Serbia"),
    # North and Central America, Caribbean (3xx)
    ((301,), "AI", "Anguilla"),
    ((303,), "US", "United States (Alaska)"),
    ((304, 305), "AG", "Antigua and Barbuda"),
    ((306,), "CW", "Curaçao, Sint Maarten, Bonaire, Sint Eustatius and Saba"),
    ((307,), "AW", "Aruba"),
    ((308, 309, 311), "BS", "Bahamas"),
    ((310,), "BM", "Bermuda"),
    ((312,), "BZ", "Belize"),
    ((314,), "BB", "Barbados"),
    ((316,), "CA", "Canada"),
    ((319,), "KY", "Cayman Islands"),
    ((321,), "CR", "Costa Rica"),
    ((323,), "CU", "Cuba"),
    ((325,), "DM", "Dominica"),
    ((327,), "DO", "Dominican Republic"),
    ((329,), "GP", "Guadeloupe"),
    ((330,), "GD", "Grenada"),
    ((331,), "GL", "Greenland"),
    ((332,), "GT", "Guatemala"),
    ((334,), "HN", "Honduras"),
    ((336,), "HT", "Haiti"),
    ((338, 366, 367, 368, 369), "US", "United States"),
    ((339,), "JM", "Jamaica"),
    ((341,), "KN", "Saint Kitts and Nevis"),
    ((343,), "LC", "Saint Lucia"),
    ((345,), "MX", "Mexico"),
    ((347,), "MQ", "Martinique"),
    ((348,), "MS", "Montserrat"),
    ((350,), "NI", "Nicaragua"),
    ((351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373, 374), "PA", "Panama"),
    ((358,), "PR", "Puerto Rico"),
    ((359,), "SV", "El Salvador"),
    ((361,), "PM", "Saint Pierre and Miquelon"),
    ((362,), "TT", "Trinidad and Tobago"),
    ((364,), "TC", "Turks and Caicos Islands"),
    ((375, 376, 377), "VC", "Saint Vincent and the Grenadines"),
    ((378,), "VG", "British Virgin Islands"),
    ((379,), "VI", "United States Virgin Islands"),
    # Asia (4xx)
    ((401,), "AF", "Afghanistan"),
    ((403,), "SA", "Saudi Arabia"),
    ((405,), "BD", "Bangladesh"),
    ((408,), "BH", "Bahrain"),
    ((410,), "BT", "Bhutan"),
    ((412, 413, 414), "CN", "China"),
    ((416,), "TW", "Taiwan"),
    ((417,), "LK", "Sri Lanka"),
    ((419,), "IN", "India"),
    ((422,), "IR", "Iran"),
    ((423,), "AZ", "Azerbaijan"),
    ((425,), "IQ", "Iraq"),
    ((428,), "IL", "Israel"),
    ((431, 432), "JP", "Japan"),
    ((434,), "TM", "Turkmenistan"),
    ((436,), "KZ", "Kazakhstan"),
    ((437,), "UZ", "Uzbekistan"),
    ((438,), "JO", "Jordan"),
    ((440, 441), "KR", "Korea (Republic of)"),
    ((443,), "PS", "Palestine"),
    ((445,), "KP", "Korea (Democratic People's Republic of)"),
    ((447,), "KW", "Kuwait"),
    ((450,), "LB", "Lebanon"),
    ((451,), "KG", "Kyrgyzstan"),
    ((453,), "MO", "Macao"),
    ((455,), "MV", "Maldives"),
    ((457,), "MN", "Mongolia"),
    ((459,), "NP", "Nepal"),
    ((461,), "OM", "Oman"),
    ((463,), "PK", "Pakistan"),
    ((466,), "QA", "Qatar"),
    ((468,), "SY", "Syria"),
    ((470, 471), "AE", "United Arab Emirates"),
    ((472,), "TJ", "Tajikistan"),
    ((473, 475), "YE", "Yemen"),
    ((477,), "HK", "Hong Kong"),
    ((478,), "BA", "Bosnia and Herzegovina"),
    # Oceania (5xx)
    ((501,), "TF", "Adélie Land"),
    ((503,), "AU", "Australia"),
    ((506,), "MM", "Myanmar"),
    ((508,), "BN", "Brunei Darussalam"),
    ((510,), "FM", "Micronesia"),
    ((511,), "PW", "Palau"),
    ((512,), "NZ", "New Zealand"),
    ((514, 515), "KH", "Cambodia"),
    ((516,), "CX", "Christmas Island"),
    ((518,), "CK", "Cook Islands"),
    ((520,), "FJ", "Fiji"),
    ((523,), "CC", "Cocos (Keeling) Islands"),
    ((525,), "ID", "Indonesia"),
    ((529,), "KI", "Kiribati"),
    ((531,), "LA", "Lao People's Democratic Republic"),
    ((533,), "MY", "Malaysia"),
    ((536,), "MP", "Northern Mariana Islands"),
    ((538,), "MH", "Marshall Islands"),
    ((540,), "NC", "New Caledonia"),
    ((542,), "NU", "Niue"),
    ((544,), "NR", "Nauru"),
    ((546,), "PF", "French Polynesia"),
    ((548,), "PH", "Philippines"),
    ((550,), "TL", "Timor-Leste"),
    ((553,), "PG", "Papua New Guinea"),
    ((555,), "PN", "Pitcairn Island"),
    ((557,), "SB", "Solomon Islands"),
    ((559,), "AS", "American Samoa"),
    ((561,), "WS", "Samoa"),
    ((563, 564, 565, 566), "SG", "Singapore"),
    ((567,), "TH", "Thailand"),
    ((570,), "TO", "Tonga"),
    ((572,), "TV", "Tuvalu"),
    ((574,), "VN", "Viet Nam"),
    ((576, 577), "VU", "Vanuatu"),
    ((578,), "WF", "Wallis and Futuna Islands"),
    # Africa (6xx)
    ((601,), "ZA", "South Africa"),
    ((603,), "AO", "Angola"),
    ((605,), "DZ", "Algeria"),
    ((607,), "TF", "Saint Paul and Amsterdam Islands"),
    ((608,), "SH", "Ascension Island"),
    ((609,), "BI", "Burundi"),
    ((610,), "BJ", "Benin"),
    ((611,), "BW", "Botswana"),
    ((612,), "CF", "Central African Republic"),
    ((613,), "CM", "Cameroon"),
    ((615,), "CG", "Congo"),
    ((616, 620), "KM", "Comoros"),
    ((617,), "CV", "Cabo Verde"),
    ((618,), "TF", "Crozet Archipelago"),
    ((619,), "CI", "Côte d'Ivoire"),
    ((621,), "DJ", "Djibouti"),
    ((622,), "EG", "Egypt"),
    ((624,), "ET", "Ethiopia"),
    ((625,), "ER", "Eritrea"),
    ((626,), "GA", "Gabon"),
    ((627,), "GH", "Ghana"),
    ((629,), "GM", "Gambia"),
    ((630,), "GW", "Guinea-Bissau"),
    ((631,), "GQ", "Equatorial Guinea"),
    ((632,), "GN", "Guinea"),
    ((633,), "BF", "Burkina Faso"),
    ((634,), "KE", "Kenya"),
    ((635,), "TF", "Kerguelen Islands"),
    ((636, 637), "LR", "Liberia"),
    ((638,), "SS", "South Sudan"),
    ((642,), "LY", "Libya"),
    ((644,), "LS", "Lesotho"),
    ((645,), "MU", "Mauritius"),
    ((647,), "MG", "Madagascar"),
    ((649,), "ML", "Mali"),
    ((650,), "MZ", "Mozambique"),
    ((654,), "MR", "Mauritania"),
    ((655,), "MW", "Malawi"),
    ((656,), "NE", "Niger"),
    ((657,), "NG", "Nigeria"),
    ((659,), "NA", "Namibia"),
    ((660,), "RE", "Réunion"),
    ((661,), "RW", "Rwanda"),
    ((662,), "SD", "Sudan"),
    ((663,), "SN", "Senegal"),
    ((664,), "SC", "Seychelles"),
    ((665,), "SH", "Saint Helena"),
    ((666,), "SO", "Somalia"),
    ((667,), "SL", "Sierra Leone"),
    ((668,), "ST", "Sao Tome and Principe"),
    ((669,), "SZ", "Eswatini"),
    ((670,), "TD", "Chad"),
    ((671,), "TG", "Togo"),
    ((672,), "TN", "Tunisia"),
    ((674, 677), "TZ", "Tanzania"),
    ((675,), "UG", "Uganda"),
    ((676,), "CD", "Democratic Republic of the Congo"),
    ((678,), "ZM", "Zambia"),
    ((679,), "ZW", "Zimbabwe"),
    # South America (7xx)
    ((701,), "AR", "Argentina"),
    ((710,), "BR", "Brazil"),
    ((720,), "BO", "Bolivia"),
    ((725,), "CL", "Chile"),
    ((730,), "CO", "Colombia"),
    ((735,), "EC", "Ecuador"),
    ((740,), "FK", "Falkland Islands (Malvinas)"),
    ((745,), "GF", "French Guiana"),
    ((750,), "GY", "Guyana"),
    ((755,), "PY", "Paraguay"),
    ((760,), "PE", "Peru"),
    ((765,), "SR", "Suriname"),
    ((770,), "UY", "Uruguay"),
    ((775,), "VE", "Venezuela"),
])

MMSI_DIGITS = 9
# Prefixes of devices that identify a person or a distress beacon, not an administration.
_NO_MID_PREFIXES = ("970", "972", "974")


def _mmsi_text(mmsi: Union[int, str]) -> Optional[str]:
    """Nine-digit text of an MMSI, or None if it cannot be one."""
    if isinstance(mmsi, bool):
        return None
    if isinstance(mmsi, numbers.Integral):
        value = int(mmsi)
        return f"{value:09d}" if 0 < value < 10**MMSI_DIGITS else None
    if isinstance(mmsi, str):
        text = mmsi.strip()
        return text if len(text) == MMSI_DIGITS and text.isascii() and text.isdigit() else None
    return None


def _mid_digits(text: str) -> Optional[str]:
    if text.startswith(_NO_MID_PREFIXES):
        return None
    if text.startswith("111"):
        return text[3:6]
    if text.startswith(("98", "99", "00")):
        return text[2:5]
    if text[0] in "08":
        return text[1:4]
    if text[0] in "234567":
        return text[0:3]
    return None


def mid_of(mmsi: Union[int, str]) -> Optional[int]:
    """The MID inside an MMSI, allocated or not; None where the format carries none.

    Returns a number in 200..799 whenever the MMSI has a MID position (so a
    detector can tell an unallocated MID, see :func:`is_allocated_mid`), and None
    for SART/MOB/EPIRB numbers, malformed MMSIs and formats without a MID.
    """
    text = _mmsi_text(mmsi)
    if text is None:
        return None
    digits = _mid_digits(text)
    if digits is None or digits[0] not in "234567":
        return None
    return int(digits)


def is_allocated_mid(mid: Optional[int]) -> bool:
    return mid in MIDS


def country_record_of(mmsi: Union[int, str]) -> Optional[Country]:
    return MIDS.get(mid_of(mmsi))


def flag_of(mmsi: Union[int, str]) -> Optional[str]:
    """ISO 3166-1 alpha-2 code of the administration that assigned the MMSI."""
    country = country_record_of(mmsi)
    return country.alpha2 if country else None


def country_of(mmsi: Union[int, str]) -> Optional[str]:
    """Name of the country or territory that assigned the MMSI."""
    country = country_record_of(mmsi)
    return country.name if country else None
