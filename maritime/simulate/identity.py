"""Plausible vessel identities: flags with their MIDs and call-sign prefixes, names, IMO numbers.

MIDs and call-sign series follow the ITU allocations (ITU-R M.585 for MIDs, the
ITU table of call-sign series); IMO numbers carry a valid check digit unless
asked otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Flag:
    country: str  # ISO 3166-1 alpha-2
    mids: tuple[int, ...]
    callsign_prefixes: tuple[str, ...]
    callsign_length: int  # total characters, as that administration issues them


FLAGS: dict[str, Flag] = {f.country: f for f in (
    Flag("UA", (272,), ("UR", "UT", "UU", "UV", "EM"), 5),
    Flag("RO", (264,), ("YO", "YP", "YQ"), 4),
    Flag("BG", (207,), ("LZ",), 4),
    Flag("TR", (271,), ("TC", "TB", "YM"), 5),
    Flag("GE", (213,), ("4L",), 5),
    Flag("RU", (273,), ("UB", "UC", "UD", "UH", "UF"), 4),
    Flag("MT", (215, 229, 248, 249, 256), ("9H",), 6),
    Flag("PA", (351, 352, 353, 354, 355, 356, 357, 370, 371, 372, 373), ("3E", "3F", "HO", "HP"), 6),
    Flag("LR", (636,), ("A8", "D5", "5L"), 6),
    Flag("MH", (538,), ("V7",), 6),
    Flag("GR", (237, 239, 240, 241), ("SV", "SW", "SX", "SY", "SZ"), 5),
    Flag("CY", (209, 210, 212), ("5B", "C4", "P3", "H2"), 6),
    Flag("KM", (616,), ("D6",), 6),
    Flag("TG", (671,), ("5V",), 6),
    Flag("SL", (667,), ("9L",), 6),
    Flag("PW", (511,), ("T8",), 6),
    Flag("MD", (214,), ("ER",), 5),
)}

# Flags of merchant ships trading in the Black Sea, with weights (share of calls).
TRADER_FLAGS: dict[str, float] = {
    "MT": 0.15, "PA": 0.15, "LR": 0.10, "MH": 0.08, "TR": 0.12, "GR": 0.06, "CY": 0.05, "RU": 0.07,
    "UA": 0.04, "RO": 0.03, "BG": 0.03, "GE": 0.02, "KM": 0.03, "TG": 0.03, "SL": 0.02, "PW": 0.01,
    "MD": 0.01,
}

# Assigned by no administration: used for invalid-identity anomalies.
UNALLOCATED_MIDS = (200, 100)

_NAME_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "UA": (("DNIPRO", "ODESA", "KHERSON", "MYKOLAIV", "PODILLYA", "KARPATY", "ZORYA", "SLAVUTYCH", "TAVRIA",
            "POLTAVA", "BUKOVYNA", "VOLYN", "AZOV"), ("STAR", "SPIRIT", "", "", "1", "2", "HOPE", "WAVE")),
    "RO": (("DELTA", "DOBROGEA", "TOMIS", "MIRCEA", "CARPATI", "SULINA", "MANGALIA", "HISTRIA", "CALLATIS"),
           ("", "I", "II", "STAR", "SEA")),
    "BG": (("ROSEN", "VARNA", "BALKAN", "RODOPI", "PIRIN", "STRANDZHA", "KALIAKRA", "EMINE", "SOZOPOL"),
           ("", "BAY", "STAR", "I", "II")),
    "TR": (("KAPTAN AHMET", "DENIZ", "KARADENIZ", "YILDIZ", "MEHMET BEY", "ORHAN", "AYSE ANA", "SINOP",
            "ANADOLU", "POYRAZ", "MARMARA", "BOGAZICI", "YAVUZ", "EGE"), ("", "1", "2", "3", "YILDIZI", "S")),
    "GE": (("KOLKHETI", "RIONI", "ADJARA", "GURIA", "SVANETI", "TBILISI"), ("", "STAR", "1")),
    "RU": (("VOLGO-DON", "SIBIR", "AMUR", "KUBAN", "NEVA", "AKADEMIK", "KAPITAN", "TAMAN", "ANAPA"),
           ("5077", "2528", "", "ORLOV", "DUDKO", "77", "STAR")),
    "GR": (("AGIOS NIKOLAOS", "ELENI", "MARIA", "ARISTIDIS", "THALASSA", "AEGEAN", "PANAGIA"),
           ("K", "M", "", "II", "SPIRIT")),
}
_INTERNATIONAL_PARTS = (
    ("OCEAN", "SEA", "BLUE", "GOLDEN", "SILVER", "STAR", "PACIFIC", "ATLANTIC", "GRAIN", "BLACK SEA", "EASTERN",
     "NORDIC", "SUN", "CAPE", "GLOBAL", "IRON", "ORIENT", "ROYAL", "GREEN", "CORAL", "AMBER", "WIND"),
    ("PRIDE", "LION", "EAGLE", "TRADER", "VENTURE", "SPIRIT", "QUEEN", "DREAM", "HARMONY", "GLORY", "FORTUNE",
     "PIONEER", "LEADER", "CARRIER", "WAVE", "PEARL", "HORIZON", "BRIDGE", "FALCON", "DAWN"),
)
_SMALL_CRAFT_NAMES = ("ALBATROS", "DELFIN", "MARTIN", "LUNA", "ZEFIR", "NEPTUN", "KEFAL", "HAMSI", "KALKAN",
                      "PALAMUT", "BARBUN", "LUFER", "MIDYE", "SIRENA", "MELTEM", "ANKA", "DOGAN", "ELIF")
_TUG_NAMES = ("HERCULES", "TITAN", "VIKING", "ATLAS", "SAMSON", "BOREAS", "TRITON", "GOLIATH", "AJAX", "RAPID")


def imo_check_digit(first_six: int) -> int:
    """The IMO number check digit: the six digits weighted 7..2, summed, modulo 10."""
    digits = [int(d) for d in f"{first_six:06d}"]
    return sum(d * w for d, w in zip(digits, range(7, 1, -1))) % 10


def is_valid_imo(imo: int) -> bool:
    return 1_000_000 <= imo <= 9_999_999 and imo % 10 == imo_check_digit(imo // 10)


def make_imo(rng: np.random.Generator, valid: bool = True) -> int:
    """A seven-digit IMO number (ships built 1985–2024 have 8xxxxxx–9xxxxxx) with a right or wrong check digit."""
    first_six = int(rng.integers(800_000, 999_999))
    check = imo_check_digit(first_six)
    if not valid:
        check = (check + int(rng.integers(1, 10))) % 10
    return first_six * 10 + check


def make_mmsi(rng: np.random.Generator, flag: Flag, taken: set[int]) -> int:
    """A ship-station MMSI (MIDxxxxxx) of the flag, not already in ``taken``."""
    while True:
        mid = int(rng.choice(flag.mids))
        mmsi = mid * 1_000_000 + int(rng.integers(100_000, 999_999))
        if mmsi not in taken:
            taken.add(mmsi)
            return mmsi


def make_callsign(rng: np.random.Generator, flag: Flag, taken: set[str]) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = "0123456789"
    while True:
        prefix = str(rng.choice(flag.callsign_prefixes))
        rest = "".join(str(rng.choice(list(alphabet if i < 2 else alphabet + digits)))
                       for i in range(flag.callsign_length - len(prefix)))
        callsign = prefix + rest
        if callsign not in taken:
            taken.add(callsign)
            return callsign


def make_name(rng: np.random.Generator, country: str, role: str, taken: set[str]) -> str:
    """A ship name in the style of the flag (or international for flags of convenience), max 20 characters."""
    for attempt in range(100):
        if role == "tug":
            name = f"{rng.choice(_TUG_NAMES)} {int(rng.integers(1, 30))}"
        elif role in ("fishing", "pleasure", "pilot"):
            base = str(rng.choice(_SMALL_CRAFT_NAMES))
            name = f"PILOT {int(rng.integers(1, 40))}" if role == "pilot" else (
                base if rng.random() < 0.5 else f"{base} {int(rng.integers(1, 60))}")
        else:
            first, second = _NAME_PARTS.get(country, _INTERNATIONAL_PARTS)
            name = f"{rng.choice(first)} {rng.choice(second)}".strip()
        if attempt > 20:
            name = f"{name[:16]} {int(rng.integers(1, 99))}"
        name = name[:20]
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of ship names")
