"""An assembled six-bit payload → a dict of decoded fields, pyais underneath.

pyais does the bit work; this thin layer adds what it leaves out (checked against
independently decoded gpsd/libais values, see tests/test_conformance.py):

- payload length checked per type before decoding (pyais decodes truncated payloads);
- message types outside ITU-R M.1371-5 (0, 28..63) refused (pyais maps 0 to type 1);
- type 17 positions are in 1/10 minute (pyais returns minutes);
- ship type codes kept as transmitted (pyais collapses reserved codes);
- text fields made of whole six-bit characters only (pyais turns leftover bits into a character),
  trailing ``@`` padding and spaces stripped in that order, leading blanks kept;
- type 21 name extension used only when the 20-character name is full, up to its first ``@``.

"Not available" sentinels become None here, each in one converter (lat 91, lon 181,
SOG 102.3, COG 360, heading 511; type 27: SOG 63, COG 511; type 9: SOG 1023).
Other out-of-range values are kept as transmitted; the ingest decides what to do with them.
"""

from __future__ import annotations

from typing import Any

from pyais.bit_vector import bit_vector
from pyais.messages import MSG_CLASS

SIXBIT = tuple(chr(v + 64) if v < 32 else chr(v) for v in range(64))

# Accepted payload lengths in bits per type (gpsd's checks, ITU-R M.1371-5 annex 8).
# Outside them a type is "bad_length": its fields would be built from missing bits.
BIT_LENGTHS: dict[int, tuple[int, int]] = {
    1: (163, 1008), 2: (163, 1008), 3: (163, 1008),
    4: (168, 168), 5: (420, 432), 6: (88, 1008), 7: (72, 168), 8: (56, 1008),
    9: (168, 168), 10: (72, 72), 11: (168, 168), 12: (72, 1008), 13: (72, 168),
    14: (40, 1008), 15: (88, 168), 16: (96, 168), 17: (80, 816), 18: (168, 168),
    19: (312, 312), 20: (72, 1008), 21: (272, 368), 22: (168, 168), 23: (160, 1008),
    24: (160, 168), 25: (40, 168), 26: (60, 1064), 27: (96, 168),
}
TYPE27_LENGTHS = (96, 168)  # M.1371-5 §5.3.27: 96 bits, or 168 with the optional spare


class PayloadReject(Exception):
    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def sixbit_text(bv, start: int, nbits: int) -> str:
    """Whole six-bit characters in ``[start, start + nbits)`` and within the payload."""
    end = min(start + nbits, len(bv))
    get = bv.get
    return "".join(SIXBIT[get(i, 6)] for i in range(start, end - 5, 6))


def clean_text(raw: str) -> str:
    """Strip trailing padding; a field that begins with ``@`` is "not available"."""
    text = raw.rstrip("@ ")
    return "" if text.startswith("@") else text


def text_until_at(raw: str) -> str:
    """Text that ends at its first ``@`` (type 21 names, type 12/14 text)."""
    return raw.split("@", 1)[0].rstrip(" ")


def _armor_value(char: int) -> int:
    value = char - 48
    return value - 8 if value > 40 else value


def decode_payload(payload: bytes, fill: int) -> dict[str, Any]:
    """Decode one assembled message; raise :class:`PayloadReject` with a reason."""
    msg_type = _armor_value(payload[0])
    bits = len(payload) * 6 - fill
    limits = BIT_LENGTHS.get(msg_type)
    if limits is None:
        raise PayloadReject("unknown_type", f"message type {msg_type} is not defined in ITU-R M.1371-5")
    if msg_type == 24 and len(payload) > 6 and (_armor_value(payload[6]) >> 2) & 3 > 1:
        part = (_armor_value(payload[6]) >> 2) & 3
        raise PayloadReject("invalid_content", f"type 24 part number {part} (only 0=A and 1=B exist)")
    if not limits[0] <= bits <= limits[1] or (msg_type == 27 and bits not in TYPE27_LENGTHS):
        raise PayloadReject("bad_length", f"type {msg_type} with {bits} bits (valid: {limits[0]}..{limits[1]})")
    bv = bit_vector(payload, fill)
    message = MSG_CLASS[msg_type].from_vector(bv)
    fields: dict[str, Any] = {"msg_type": msg_type, "mmsi": int(message.mmsi), "bits": bits}
    extract = _EXTRACTORS.get(msg_type)
    if extract is not None:
        extract(message, bv, fields)
    return fields


def _lat(value):
    return None if value == 91.0 else value


def _lon(value):
    return None if value == 181.0 else value


def _sog(value):
    return None if value == 102.3 else value


def _cog(value):
    return None if value == 360.0 else value


def _heading(value):
    return None if value == 511 else value


def _position(message, bv, fields):
    fields.update(lat=_lat(message.lat), lon=_lon(message.lon), sog=_sog(message.speed),
                  cog=_cog(message.course), heading=_heading(message.heading), nav_status=int(message.status))


def _class_b_position(message, bv, fields):
    fields.update(lat=_lat(message.lat), lon=_lon(message.lon), sog=_sog(message.speed),
                  cog=_cog(message.course), heading=_heading(message.heading), nav_status=None)


def _class_b_extended(message, bv, fields):
    _class_b_position(message, bv, fields)
    fields.update(shipname=clean_text(sixbit_text(bv, 143, 120)), ship_type=bv.get(263, 8),
                  **_dimensions(message))


def _long_range(message, bv, fields):
    fields.update(lat=_lat(message.lat), lon=_lon(message.lon),
                  sog=None if message.speed == 63 else float(message.speed),
                  cog=None if message.course == 511 else float(message.course),
                  heading=None, nav_status=int(message.status))


def _dimensions(message) -> dict[str, int]:
    return {"to_bow": message.to_bow, "to_stern": message.to_stern,
            "to_port": message.to_port, "to_starboard": message.to_starboard}


def _static_voyage(message, bv, fields):
    eta = None
    if message.month and message.day and message.hour < 24 and message.minute < 60:
        eta = f"{message.month:02d}-{message.day:02d}T{message.hour:02d}:{message.minute:02d}"
    fields.update(imo=message.imo, callsign=clean_text(sixbit_text(bv, 70, 42)),
                  shipname=clean_text(sixbit_text(bv, 112, 120)), ship_type=bv.get(232, 8),
                  draught=message.draught, destination=clean_text(sixbit_text(bv, 302, 120)), eta=eta,
                  **_dimensions(message))


def _static_class_b(message, bv, fields):
    if message.partno == 0:
        fields.update(part="A", shipname=clean_text(sixbit_text(bv, 40, 120)))
        return
    fields.update(part="B", ship_type=bv.get(40, 8), callsign=clean_text(sixbit_text(bv, 90, 42)))
    if 980_000_000 <= fields["mmsi"] < 990_000_000:  # auxiliary craft: mothership instead of size
        fields["mothership_mmsi"] = bv.get(132, 30)
    else:
        fields.update(_dimensions(message))


def _base_station(message, bv, fields):
    fields.update(lat=_lat(message.lat), lon=_lon(message.lon))


def _aid_to_navigation(message, bv, fields):
    name = sixbit_text(bv, 43, 120)
    if "@" not in name and len(bv) > 272:
        name += sixbit_text(bv, 272, len(bv) - 272)
    fields.update(name=text_until_at(name), aid_type=int(message.aid_type), lat=_lat(message.lat), lon=_lon(message.lon),
                  **_dimensions(message))


def _dgnss(message, bv, fields):
    # Type 17 positions are in 1/10 minute (M.1371-5 §3.17).
    fields.update(lon=round(bv.get_signed(40, 18) / 600.0, 7), lat=round(bv.get_signed(58, 17) / 600.0, 7))


def _addressed_text(message, bv, fields):
    fields.update(dest_mmsi=message.dest_mmsi, text=text_until_at(sixbit_text(bv, 72, len(bv) - 72)))


def _broadcast_text(message, bv, fields):
    fields["text"] = text_until_at(sixbit_text(bv, 40, len(bv) - 40))


def _binary(message, bv, fields):
    fields.update(dac=message.dac, fid=message.fid)
    if hasattr(message, "dest_mmsi"):
        fields["dest_mmsi"] = message.dest_mmsi


def _addressed(message, bv, fields):
    fields["dest_mmsi"] = message.dest_mmsi


def _sar_aircraft(message, bv, fields):
    fields.update(lat=_lat(message.lat), lon=_lon(message.lon),
                  sog=None if message.speed == 1023 else float(message.speed), cog=_cog(message.course))


_EXTRACTORS = {
    1: _position, 2: _position, 3: _position,
    4: _base_station, 11: _base_station,
    5: _static_voyage,
    6: _binary, 8: _binary,
    9: _sar_aircraft,
    10: _addressed,
    12: _addressed_text, 14: _broadcast_text,
    17: _dgnss,
    18: _class_b_position, 19: _class_b_extended,
    21: _aid_to_navigation,
    24: _static_class_b,
    27: _long_range,
}
