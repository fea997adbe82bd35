"""NMEA 0183 encoding with NMEA 4.10 tag blocks, via pyais; and deliberate corruption.

A line is ``\\s:<source>,c:<unix seconds>*hh\\!AIVDM,...*hh``. The fragments of
a multi-sentence message carry a tag-block group ``g:<n>-<total>-<group id>``
(and each fragment repeats ``s:`` and ``c:``, so any fragment can be timed on
its own). Both checksums are the XOR of the characters between the delimiters.
"""

from __future__ import annotations

from functools import reduce
from operator import xor
from typing import Optional

import numpy as np
from pyais.encode import ais_to_nmea_0183, encode_dict
from pyais.messages import MSG_CLASS

from maritime.simulate.fleet import Identity
from maritime.simulate.motion import Voyage

TALKER = "AI"
SENTENCE = "VDM"


def checksum(text: str) -> str:
    return f"{reduce(xor, text.encode('ascii'), 0):02X}"


def tag_block(source: str, time: int, group: Optional[tuple[int, int, int]] = None) -> str:
    fields = f"s:{source},c:{time}"
    if group is not None:
        fields = f"g:{group[0]}-{group[1]}-{group[2]}," + fields
    return f"\\{fields}*{checksum(fields)}\\"


def position_sentences(msg_type: int, mmsi: int, lat: float, lon: float, sog: float, cog: float,
                       heading: int, status: int, second: int, channel: str) -> list[str]:
    """A class A (type 1/3) or class B (type 18) position report."""
    if msg_type == 18:
        data = {"msg_type": 18, "mmsi": mmsi, "speed": sog, "accuracy": 1, "lon": lon, "lat": lat,
                "course": cog, "heading": heading, "second": second, "cs": 1, "display": 0, "dsc": 1,
                "band": 1, "msg22": 1, "assigned": 0, "raim": 0, "radio": 0}
    else:
        data = {"msg_type": msg_type, "mmsi": mmsi, "status": status, "turn": -128, "speed": sog,
                "accuracy": 1, "lon": lon, "lat": lat, "course": cog, "heading": heading, "second": second,
                "maneuver": 0, "raim": 0, "radio": 0}
    return encode_dict(data, talker_id=TALKER, sentence_type=SENTENCE, radio_channel=channel)


def _eta_fields(eta: Optional[float]) -> dict:
    if eta is None:
        return {"month": 0, "day": 0, "hour": 24, "minute": 60}  # "not available" per ITU-R M.1371
    t = np.datetime64(int(eta), "s").astype(object)
    return {"month": t.month, "day": t.day, "hour": t.hour, "minute": t.minute}


class StaticPayloads:
    """Armoured static payloads, cached: they only change with the identity or the voyage."""

    def __init__(self) -> None:
        self._cache: dict[tuple, tuple[str, int]] = {}

    def _armoured(self, key: tuple, data: dict) -> tuple[str, int]:
        found = self._cache.get(key)
        if found is None:
            found = MSG_CLASS[data["msg_type"]].create(**data).encode()
            self._cache[key] = found
        return found

    def type5(self, identity: Identity, voyage: Optional[Voyage], channel: str, seq_id: int) -> list[str]:
        data = {"msg_type": 5, "mmsi": identity.mmsi, "ais_version": 2, "imo": identity.imo,
                "callsign": identity.callsign, "shipname": identity.name, "ship_type": identity.ship_type,
                "to_bow": identity.to_bow, "to_stern": identity.to_stern, "to_port": identity.to_port,
                "to_starboard": identity.to_starboard, "epfd": 1, "draught": voyage.draught_m if voyage else 0.0,
                "destination": voyage.destination if voyage else "", "dte": 0,
                **_eta_fields(voyage.eta if voyage else None)}
        payload, fill = self._armoured((5, identity, voyage), data)
        return ais_to_nmea_0183(payload, TALKER, SENTENCE, channel, fill, seq_id=seq_id)

    def type24(self, identity: Identity, part: int, channel: str) -> list[str]:
        if part == 0:
            data = {"msg_type": 24, "mmsi": identity.mmsi, "partno": 0, "shipname": identity.name}
        else:
            data = {"msg_type": 24, "mmsi": identity.mmsi, "partno": 1, "ship_type": identity.ship_type,
                    "vendorid": "SRT", "model": 1, "serial": identity.mmsi % 1_000_000,
                    "callsign": identity.callsign, "to_bow": identity.to_bow, "to_stern": identity.to_stern,
                    "to_port": identity.to_port, "to_starboard": identity.to_starboard}
        payload, fill = self._armoured((24, part, identity), data)
        return ais_to_nmea_0183(payload, TALKER, SENTENCE, channel, fill)


CORRUPTIONS = ("bad_checksum", "truncated", "garbage")


def corrupt(line: bytes, how: str, rng: np.random.Generator) -> bytes:
    """Damage a line so that its sentence no longer validates (checksum, framing or characters)."""
    bang = line.index(b"!")
    star = line.rindex(b"*")
    if how == "bad_checksum":
        good = int(line[star + 1:star + 3], 16)
        bad = (good ^ int(rng.integers(1, 256))) & 0xFF
        return line[:star + 1] + f"{bad:02X}".encode() + line[star + 3:]
    if how == "truncated":
        cut = int(rng.integers(bang + 8, star))  # inside the fields, so the checksum goes too
        return line[:cut]
    # garbage: a burst of non-ASCII bytes over part of the payload, as from a noisy serial link;
    # an odd count sets the checksum's high bit, so it cannot match by chance
    commas = [i for i in range(bang, star) if line[i] == ord(",")]
    payload_start, payload_end = commas[4] + 1, commas[5]
    n = int(rng.choice([3, 5]))
    start = int(rng.integers(payload_start, max(payload_start + 1, payload_end - n)))
    burst = bytes(int(b) for b in rng.integers(0x80, 0x100, n))
    return line[:start] + burst + line[start + n:]
