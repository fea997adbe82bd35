"""One line of a recording or stream → an AIS sentence fragment, a reject, or nothing.

Real recordings wrap the NMEA 0183 sentence in many ways; each is accepted and
its time taken, none is a reason to reject a good sentence:

- NMEA 4.10 tag blocks ``\\s:rx1,c:1700000000*hh\\`` inline or on a line of their own;
- a leading timestamp (ISO 8601 or unix seconds) before the sentence;
- receiver fields after the checksum (USCG NAIS ``*hh,d-109,S2105,...,r003669946,1325394060``
  or a bare trailing unix time);
- Gatehouse/DMA ``$PGHP`` lines giving the time of the sentence that follows;
- any two-character talker (``AI``, ``BS``, ``AB``, ``SS``, ``--``) and VDM or VDO.

Checks follow the order that names the fault best: framing, then fields, then the
sentence checksum, then the tag-block checksum.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import reduce
from operator import xor
from typing import Optional

# Six-bit armoring: '0'..'W' and '`'..'w' (ITU-R M.1371-5 table 47 / IEC 61162-1).
ARMOR_CHARS = frozenset(range(48, 88)) | frozenset(range(96, 120))
_ARMOR_BYTES = bytes(sorted(ARMOR_CHARS))

UNIX_MIN = 946_684_800  # 2000-01-01: earlier "unix times" are counters or junk
UNIX_MAX = 4_102_444_800  # 2100-01-01


class LineReject(Exception):
    """A line that is not a usable AIS sentence: ``reason`` is a short code."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


@dataclass(slots=True)
class TagBlock:
    time: Optional[float] = None
    source: Optional[str] = None
    group: Optional[tuple[int, int, str]] = None  # (sentence number, total, group id)
    checksum_ok: bool = True


@dataclass(slots=True)
class Fragment:
    talker: str  # e.g. "AIVDM", "BSVDM", "AIVDO"
    count: int
    number: int
    seq_id: str
    channel: str
    payload: bytes
    fill: int
    tag: Optional[TagBlock]
    time: Optional[float]  # from the line's own wrapping (tag c:, leading or trailing time)
    raw: bytes


def nmea_checksum(body: bytes) -> int:
    return reduce(xor, body, 0)


def parse_unix_time(text: str | bytes, earliest: float = UNIX_MIN) -> Optional[float]:
    """Unix seconds or milliseconds within ``earliest``..2100, else None."""
    try:
        value = float(text)
    except ValueError:
        return None
    if value > 1e11:  # milliseconds
        value /= 1000.0
    if earliest <= value <= UNIX_MAX:
        return value
    return None


def parse_leading_time(text: str) -> Optional[float]:
    """A timestamp before the sentence: unix seconds, or ISO 8601 (naive means UTC)."""
    text = text.strip().strip("[]").rstrip(";,|:").strip()
    if not text:
        return None
    value = parse_unix_time(text)
    if value is not None:
        return value
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    value = moment.timestamp()
    return value if UNIX_MIN <= value <= UNIX_MAX else None


def parse_tag_block(body: bytes) -> TagBlock:
    """``body`` is what lies between the backslashes, checksum included if present."""
    star = body.rfind(b"*")
    if star < 0:
        # NMEA 4.10 makes the checksum mandatory: values that cannot be checked are not used.
        return TagBlock()
    return tag_from_fields(body[:star], body[star + 1:])


def tag_from_fields(fields: bytes, checksum: bytes) -> TagBlock:
    """A tag block from its fields (``s:...,c:...``) and its checksum's hex digits."""
    try:
        checksum_ok = len(checksum) == 2 and int(checksum, 16) == nmea_checksum(fields)
    except ValueError:
        checksum_ok = False
    time = source = group = None
    for item in fields.split(b","):
        key = item[:2]
        if key == b"c:":
            # An explicit c: field is taken as given, however old: it is what the receiver said.
            time = parse_unix_time(item[2:], earliest=0)
        elif key == b"s:":
            source = item[2:].decode("ascii", "replace")
        elif key == b"g:":
            parts = item[2:].split(b"-")
            if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
                group = (int(parts[0]), int(parts[1]), parts[2].decode("ascii", "replace"))
    return TagBlock(time, source, group, checksum_ok)


def pghp_time(line: bytes) -> Optional[float]:
    """The time in a Gatehouse ``$PGHP,1,yyyy,mm,dd,hh,mm,ss,ms,...`` line."""
    fields = line.split(b"*", 1)[0].split(b",")
    if len(fields) < 9 or fields[1] != b"1":
        return None
    try:
        y, mo, d, h, mi, s, ms = (int(f) for f in fields[2:9])
        return datetime(y, mo, d, h, mi, s, ms * 1000, tzinfo=timezone.utc).timestamp()
    except ValueError:
        return None


def _trailing_time(suffix: bytes) -> Optional[float]:
    """The receive time in receiver fields after the checksum: the first bare unix time."""
    for item in suffix.split(b","):
        item = item.strip()
        if item.isdigit() and 9 <= len(item) <= 13:
            value = parse_unix_time(item.decode("ascii"))
            if value is not None:
                return value
    return None


def _small_int(field: bytes, what: str, reason_if_not_number: str) -> int:
    if not field.isdigit():
        raise LineReject(reason_if_not_number, f"{what} is not a number: {field[:20]!r}")
    if len(field) > 3:
        raise LineReject("invalid_field", f"{what} out of range: {field[:20].decode()}")
    return int(field)


def parse_sentence(sentence: bytes, tag: Optional[TagBlock], time: Optional[float]) -> Fragment:
    """``sentence`` starts at ``!``; raises :class:`LineReject` with the reason."""
    if b"," not in sentence:
        raise LineReject("not_nmea", "sentence tag only, no fields")
    star = sentence.find(b"*")
    if star < 0:
        raise LineReject("truncated", "no checksum delimiter")
    checksum_text = sentence[star + 1: star + 3]
    suffix = sentence[star + 3:]
    body = sentence[1:star]
    fields = body.split(b",")
    address = fields[0]
    if len(address) != 5 or address[2:] not in (b"VDM", b"VDO"):
        raise LineReject("not_ais", f"not an AIS sentence: {address[:10]!r}")
    if len(fields) != 7:
        raise LineReject("malformed", f"field count {len(fields) - 1}, expected 6")
    _, count_f, number_f, seq_f, channel_f, payload, fill_f = fields
    count = _small_int(count_f, "fragment count", "malformed")
    number = _small_int(number_f, "fragment number", "malformed")
    if not 1 <= count <= 9 or not 1 <= number <= count:
        raise LineReject("invalid_field", f"fragment count/number out of range ({number} of {count})")
    if len(fill_f) != 1 or not fill_f.isdigit() or int(fill_f) > 5:
        raise LineReject("invalid_field", f"fill bits {fill_f[:5]!r} (valid: 0..5)")
    if seq_f and not seq_f.isdigit():
        raise LineReject("invalid_field", f"sequence id {seq_f[:5]!r} is not a digit")
    if not payload and number == 1:  # a later fragment may carry no bits
        raise LineReject("empty_payload", "empty payload field")
    if len(checksum_text) < 2:
        raise LineReject("truncated", "checksum digits missing")
    try:
        expected = int(checksum_text, 16)
    except ValueError:
        raise LineReject("checksum", f"checksum {checksum_text!r} is not hexadecimal") from None
    if expected != nmea_checksum(body):
        raise LineReject("checksum", f"NMEA checksum mismatch: {checksum_text.decode('ascii', 'replace')} "
                                     f"given, {nmea_checksum(body):02X} computed")
    if payload.strip(_ARMOR_BYTES):
        # Checked on the stripped rest only when something is left, to keep the hot path short.
        bad = next(chr(c) for c in payload if c not in ARMOR_CHARS)
        raise LineReject("invalid_field", f"payload character {bad!r} is not six-bit armoring")
    if time is None and suffix:
        time = _trailing_time(suffix)
    return Fragment(
        talker=address.decode("ascii", "replace"),
        count=count,
        number=number,
        seq_id=seq_f.decode("ascii"),
        channel=channel_f.decode("ascii", "replace"),
        payload=payload,
        fill=int(fill_f),
        tag=tag,
        time=time,
        raw=sentence,
    )


@dataclass(slots=True)
class Line:
    """What a line holds once its wrapping is taken apart."""

    kind: str  # "sentence" | "tag_only" | "pghp" | "not_ais" | "blank"
    sentence: bytes = b""
    tag: Optional[TagBlock] = None
    time: Optional[float] = None


_BLANK = Line("blank")


def split_line(line: bytes) -> Line:
    """Separate a line's wrapping (tag block, leading time, proprietary lines) from its sentence."""
    line = line.strip()
    if not line:
        return _BLANK
    first = line[0]
    if first == 33:  # "!"
        return Line("sentence", line)
    if first == 92:  # "\\"
        end = line.find(b"\\", 1)
        if end < 0:
            raise LineReject("not_nmea", "unterminated tag block")
        tag = parse_tag_block(line[1:end])
        rest = line[end + 1:].lstrip()
        if not rest:
            return Line("tag_only", tag=tag, time=tag.time)
        if rest[0] != 33:
            raise LineReject("not_nmea", "no sentence after the tag block")
        return Line("sentence", rest, tag, tag.time)
    if first == 36:  # "$"
        if line.startswith(b"$PGHP"):
            return Line("pghp", time=pghp_time(line))
        if b"*" in line and b"," in line:
            return Line("not_ais")
        raise LineReject("not_nmea", "no NMEA start delimiter / not a sentence")
    # A leading timestamp, then a tag block or a sentence.
    cut = min((i for i in (line.find(b"\\"), line.find(b"!")) if i > 0), default=-1)
    if cut < 0:
        raise LineReject("not_nmea", "no NMEA start delimiter / not a sentence")
    time = parse_leading_time(line[:cut].decode("ascii", "replace"))
    if time is None:
        raise LineReject("not_nmea", "text before the sentence is not a timestamp")
    inner = split_line(line[cut:])
    if inner.time is None:
        inner.time = time
    return inner


# The shape of nearly every line of a real feed: an optional tag block, then a sentence
# with well-formed fields and nothing after its checksum. One regular-expression match
# replaces the general path for it (benchmarks/ingest.py); anything else takes that path.
_COMMON_LINE = re.compile(
    rb"(?:\\([^\\*]*)\*([0-9A-Fa-f]{2})\\)?"  # tag block and its checksum
    rb"!(([A-Z]{2}VD[MO]),([1-9]),([1-9]),([0-9]?),([A-Za-z0-9]?),([0-W`-w]+),([0-5]))"  # sentence body
    rb"\*([0-9A-Fa-f]{2})[\r\n]*$")


def parse_common_line(line: bytes) -> Optional[Fragment]:
    """A Fragment for a line of the common shape, None for any other line (use :func:`split_line`).

    Raises :class:`LineReject` for a checksum that does not match.
    """
    match = _COMMON_LINE.match(line)
    if match is None:
        return None
    tag_fields, tag_checksum, body, address, count, number, seq_id, channel, payload, fill, checksum = match.groups()
    if int(number) > int(count):
        return None  # the general path names the fault
    if int(checksum, 16) != reduce(xor, body, 0):
        raise LineReject("checksum", f"NMEA checksum mismatch: {checksum.decode()} given, "
                                     f"{reduce(xor, body, 0):02X} computed")
    tag = None
    time = None
    if tag_fields is not None:
        tag = tag_from_fields(tag_fields, tag_checksum)
        time = tag.time
    return Fragment(address.decode(), int(count), int(number), seq_id.decode(), channel.decode(), payload, int(fill),
                    tag, time, line.rstrip(b"\r\n")[line.find(b"!"):] if tag_fields is not None else line.rstrip())
