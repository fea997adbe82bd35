"""Real NMEA for tests, encoded with pyais, wrapped as receivers wrap it."""

from __future__ import annotations

from functools import reduce
from operator import xor

from pyais import encode_dict


def checksum(body: str) -> str:
    return f"{reduce(xor, body.encode(), 0):02X}"


def tag(sentence: str, time: int | None = None, source: str | None = None, group: str | None = None) -> str:
    fields = []
    if group:
        fields.append(f"g:{group}")
    if source:
        fields.append(f"s:{source}")
    if time is not None:
        fields.append(f"c:{time}")
    body = ",".join(fields)
    return f"\\{body}*{checksum(body)}\\{sentence}"


def position(mmsi: int, lat: float, lon: float, sog: float = 10.0, cog: float = 90.0, heading: int = 90,
             msg_type: int = 1, status: int = 0, channel: str = "A", second: int = 0) -> str:
    data = {"type": msg_type, "mmsi": mmsi, "lat": lat, "lon": lon, "speed": sog, "course": cog,
            "heading": heading, "second": second}
    if msg_type in (1, 2, 3):
        data["status"] = status
    (sentence,) = encode_dict(data, talker_id="AI", radio_channel=channel)
    return sentence


def static_voyage(mmsi: int, name: str, callsign: str = "UTAB", imo: int = 9074729, ship_type: int = 70,
                  destination: str = "ODESA", draught: float = 8.5, seq_id: int = 1) -> list[str]:
    data = {"type": 5, "mmsi": mmsi, "imo": imo, "callsign": callsign, "shipname": name, "ship_type": ship_type,
            "to_bow": 100, "to_stern": 40, "to_port": 10, "to_starboard": 12, "draught": draught,
            "destination": destination, "month": 11, "day": 26, "hour": 6, "minute": 30}
    return encode_dict(data, talker_id="AI", radio_channel="A", seq_id=seq_id)
