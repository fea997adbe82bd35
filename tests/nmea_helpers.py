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


def traffic_file(path, n_lines: int, seed: int = 3, t0: int = 1_764_000_000) -> None:
    """A recording that has what real feeds have: two receivers hearing the same sentence,
    multi-sentence statics in tag-block groups, lines without a time, and junk."""
    import random

    rng = random.Random(seed)
    pool = [position(272_000_000 + i % 400, 41.5 + rng.random() * 4.5, 28.5 + rng.random() * 12,
                     sog=round(rng.random() * 15, 1), second=i % 60) for i in range(2_000)]
    statics = [static_voyage(272_000_000 + i, f"SHIP {i}", seq_id=i % 10) for i in range(400)]
    second, written, group = t0, 0, 0
    with open(path, "w") as handle:
        while written < n_lines:
            second += 1
            roll = rng.random()
            if roll < 0.02:
                group += 1
                parts = statics[rng.randrange(len(statics))]
                handle.write(tag(parts[0], second, "rx1", f"1-2-{group}") + "\n")
                handle.write(tag(parts[1], None, None, f"2-2-{group}") + "\n")
                written += 2
                continue
            sentence = pool[rng.randrange(len(pool))]
            if roll < 0.07:
                handle.write(tag(sentence, second, "rx1") + "\n" + tag(sentence, second + 2, "rx2") + "\n")
                written += 2
            elif roll < 0.08:
                handle.write(sentence + "\n")  # no time: the ingest's own
                written += 1
            elif roll < 0.085:
                handle.write(sentence[:25] + "\n")  # truncated
                written += 1
            else:
                handle.write(tag(sentence, second, "rx1") + "\n")
                written += 1
