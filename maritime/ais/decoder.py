"""Lines of one source, in order → clean typed records, duplicates dropped, rejects with reasons.

One :class:`StreamDecoder` per source (a file, a stream): it keeps what spans lines —
a tag block or ``$PGHP`` time on the line before a sentence, fragments of
multi-sentence messages waiting for their partners, and the recent payloads used
to drop the same transmission heard by a second receiver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from maritime.ais.nmea import Fragment, LineReject, TagBlock, parse_common_line, parse_sentence, split_line
from maritime.ais.payload import PayloadReject, decode_payload
from maritime.ais.records import Position, Reject, Static, Station
from maritime.config import IngestSettings

RAW_KEPT_CHARS = 1_000  # a reject keeps this much of its line
EXPIRY_CHECK_EVERY = 512  # lines between checks for stale fragments
MAX_OPEN_GROUPS = 4_096
MAX_GROUP_AGE_LINES = 20_000  # when lines carry no time, fragments expire by distance


@dataclass
class DecodeCounts:
    read: int = 0
    decoded: int = 0
    duplicates: int = 0
    rejected: int = 0
    skipped: int = 0  # valid NMEA that is not AIS, blank lines, wrappers
    other_types: int = 0  # decoded AIS that is neither position, identity nor station
    nulled: int = 0  # out-of-range course or heading stored as NULL (the position itself is good)

    def add(self, other: "DecodeCounts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(slots=True)
class _Group:
    fragments: dict[int, Fragment]
    count: int
    time: Optional[float]
    source: Optional[str]
    opened_line: int
    line_no: Optional[int]


@dataclass
class StreamDecoder:
    source: str
    settings: IngestSettings = field(default_factory=IngestSettings)
    # Time given to sentences whose line carries none (the ingest or receive time).
    fallback_time: float = 0.0
    records: list = field(default_factory=list)
    rejects: list = field(default_factory=list)
    counts: DecodeCounts = field(default_factory=DecodeCounts)

    # When a list, every decoded message's fields are appended as (line_no, time, fields):
    # used by the conformance test and for inspecting a recording.
    decoded_fields: Optional[list] = None

    def __post_init__(self) -> None:
        self._pending_tag: Optional[TagBlock] = None
        self._pending_time: Optional[float] = None
        self._groups: dict[tuple, _Group] = {}
        self._recent: dict[bytes, float] = {}
        self._newest_time = 0.0
        self._lines = 0
        self._window = self.settings.duplicate_window_s
        self._max_line = self.settings.max_line_bytes

    # -- input ---------------------------------------------------------------------------------

    def feed(self, line: bytes, line_no: Optional[int] = None, receive_time: Optional[float] = None) -> None:
        """Take one line (any line ending); results accumulate in ``records`` and ``rejects``."""
        self.counts.read += 1
        self._lines += 1
        if self._lines % EXPIRY_CHECK_EVERY == 0 and self._groups:
            self._expire_groups()
        if len(line) > self._max_line:
            self._reject("too_long", f"line of {len(line)} bytes (limit {self._max_line})", line, line_no)
            return
        try:
            fragment = parse_common_line(line)
            if fragment is None:
                fragment = self._parse_general(line)
                if fragment is None:
                    return
            if fragment.tag is None and self._pending_tag is not None:
                fragment.tag, self._pending_tag = self._pending_tag, None
                fragment.time = fragment.time if fragment.time is not None else fragment.tag.time
            if fragment.tag is not None and not fragment.tag.checksum_ok:
                raise LineReject("tagblock_checksum", "tag block checksum does not match; its time and source "
                                                      "cannot be trusted")
        except LineReject as exc:
            if exc.reason == "not_ais":
                self.counts.skipped += 1
            else:
                self._reject(exc.reason, exc.detail, line, line_no)
            return

        if fragment.time is None and self._pending_time is not None:
            fragment.time = self._pending_time
        self._pending_time = None
        time_reported = fragment.time is not None
        if not time_reported:
            fragment.time = receive_time if receive_time is not None else self.fallback_time
        if fragment.count == 1:
            tag_source = fragment.tag.source if fragment.tag is not None else None
            self._decode(fragment.payload, fragment.fill, fragment.time, time_reported, tag_source,
                         line, line_no, receive_time)
        else:
            self._add_fragment(fragment, time_reported, line_no, receive_time)

    def _parse_general(self, line: bytes) -> Optional[Fragment]:
        """Any line shape; None for lines that carry no sentence (their content is kept as state)."""
        parts = split_line(line)
        if parts.kind == "sentence":
            return parse_sentence(parts.sentence, parts.tag, parts.time)
        if parts.kind == "tag_only":
            self._pending_tag = parts.tag
        elif parts.kind == "pghp":
            self._pending_time = parts.time
        self.counts.skipped += 1
        return None

    def flush(self) -> None:
        """End of input: every group still open is incomplete."""
        for key in list(self._groups):
            self._drop_group(key)

    def take(self) -> tuple[list, list]:
        """Hand over what has accumulated and start new lists."""
        records, rejects = self.records, self.rejects
        self.records, self.rejects = [], []
        return records, rejects

    # -- multi-sentence messages ---------------------------------------------------------------

    def _add_fragment(self, fragment: Fragment, time_reported: bool, line_no, receive_time) -> None:
        tag = fragment.tag
        tag_source = tag.source if tag is not None else None
        if tag is not None and tag.group is not None:
            # Later fragments of a group often carry only g: (no s:), so the group id alone is the key.
            key = ("g", tag.group[2], fragment.count)
        else:
            key = ("s", tag_source, fragment.talker[2:], fragment.seq_id, fragment.channel, fragment.count)
        group = self._groups.get(key)
        if group is not None and fragment.number in group.fragments:
            self._drop_group(key)  # a new message reuses the id before the old one completed
            group = None
        if group is None:
            if len(self._groups) >= MAX_OPEN_GROUPS:
                self._drop_group(next(iter(self._groups)))
            group = _Group({}, fragment.count, fragment.time if time_reported else None, tag_source,
                           self._lines, line_no)
            self._groups[key] = group
        elif group.time is None and time_reported:
            group.time = fragment.time
        if group.source is None:
            group.source = tag_source
        group.fragments[fragment.number] = fragment
        if len(group.fragments) < group.count:
            return
        del self._groups[key]
        ordered = [group.fragments[n] for n in range(1, group.count + 1)]
        payload = b"".join(f.payload for f in ordered)
        raw = b"\n".join(f.raw for f in ordered)
        reported = group.time is not None
        time = group.time if reported else ordered[0].time
        self._decode(payload, ordered[-1].fill, time, reported, group.source, raw, group.line_no, receive_time)

    def _drop_group(self, key) -> None:
        group = self._groups.pop(key)
        have = sorted(group.fragments)
        raw = b"\n".join(group.fragments[n].raw for n in have)
        self._reject("incomplete_multipart", f"fragment(s) {','.join(map(str, have))} of {group.count}; "
                                             "the others did not arrive", raw, group.line_no)

    def _expire_groups(self) -> None:
        oldest_time = self._newest_time - self.settings.multipart_timeout_s
        oldest_line = self._lines - MAX_GROUP_AGE_LINES
        stale = [key for key, g in self._groups.items()
                 if g.opened_line < oldest_line or (g.time is not None and g.time < oldest_time)]
        for key in stale:
            self._drop_group(key)
        if len(self._recent) > 50_000:
            horizon = self._newest_time - self._window
            self._recent = {p: t for p, t in self._recent.items() if t >= horizon}

    # -- one whole message ---------------------------------------------------------------------

    def _decode(self, payload: bytes, fill: int, time: float, time_reported: bool, tag_source,
                raw: bytes, line_no, receive_time) -> None:
        if time_reported and self._window > 0:
            seen = self._recent.get(payload)
            if seen is not None and -self._window <= time - seen <= self._window:
                self.counts.duplicates += 1
                return
            self._recent[payload] = time
            if time > self._newest_time:
                self._newest_time = time
        try:
            fields = decode_payload(payload, fill)
        except PayloadReject as exc:
            self._reject(exc.reason, exc.detail, raw, line_no)
            return
        except Exception as exc:  # pyais raising on junk is a reject, never a crash
            self._reject("invalid_content", f"undecodable: {type(exc).__name__}: {exc}"[:200], raw, line_no)
            return
        self.counts.decoded += 1
        if self.decoded_fields is not None:
            self.decoded_fields.append((line_no, time if time_reported else None, fields))
        if time_reported or line_no is None:
            key = payload + b"|%d" % int(time)
        else:
            key = payload + b"|" + self.source.encode("utf-8", "replace") + b"|%d" % line_no
        source = tag_source or self.source
        try:
            records = to_records(fields, time, time_reported, source, key)
        except ValueError as exc:
            self._reject("out_of_range", str(exc), raw, line_no)
            return
        if records:
            self.records.extend(records)
            if type(records[0]) is Position and _has_out_of_range_course_or_heading(fields):
                self.counts.nulled += 1
        else:
            self.counts.other_types += 1

    def _reject(self, reason: str, detail: str, raw: bytes, line_no) -> None:
        self.counts.rejected += 1
        text = raw[:RAW_KEPT_CHARS].decode("utf-8", "backslashreplace")
        self.rejects.append(Reject(reason, detail, text, self.source, line_no))


# -- cleaning: decoded fields → records ------------------------------------------------------------

def _cog(fields) -> Optional[float]:
    """Course; out of range (360.1..409.5) is stored as None."""
    cog = fields["cog"]
    return cog if cog is None or cog < 360.0 else None


def _heading(fields) -> Optional[int]:
    """Heading; out of range (360..510) is stored as None."""
    heading = fields["heading"]
    return heading if heading is None or heading < 360 else None


def _has_out_of_range_course_or_heading(fields) -> bool:
    if fields["msg_type"] == 27:
        return False
    cog, heading = fields["cog"], fields["heading"]
    return (cog is not None and cog >= 360.0) or (heading is not None and heading >= 360)


def _lat_lon(fields) -> tuple[Optional[float], Optional[float]]:
    lat, lon = fields["lat"], fields["lon"]
    if lat is not None and not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} out of range (-90..90, 91 = not available)")
    if lon is not None and not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon} out of range (-180..180, 181 = not available)")
    return lat, lon


def _text(value) -> Optional[str]:
    return value if value else None


def to_records(fields: dict, time: float, time_reported: bool, source: str, key: bytes) -> list:
    """Decoded fields → :mod:`maritime.ais.records`; raises ValueError for out-of-range values."""
    msg_type = fields["msg_type"]
    mmsi = fields["mmsi"]
    if msg_type in (1, 2, 3, 18, 19, 27):
        lat, lon = _lat_lon(fields)
        records = [Position(mmsi, time, lat, lon, fields["sog"], _cog(fields), _heading(fields),
                            fields["nav_status"], msg_type, source, time_reported, key)]
        if msg_type == 19:
            records.append(_static(fields, time, time_reported, source, key))
        return records
    if msg_type in (5, 24):
        return [_static(fields, time, time_reported, source, key)]
    if msg_type in (4, 21):
        lat, lon = _lat_lon(fields)
        kind = "base_station" if msg_type == 4 else "aton"
        return [Station(kind, mmsi, time, lat, lon, _text(fields.get("name")), fields.get("aid_type"),
                        source, time_reported, key)]
    return []


def _static(fields: dict, time: float, time_reported: bool, source: str, key: bytes) -> Static:
    imo = fields.get("imo")
    draught = fields.get("draught")
    return Static(
        mmsi=fields["mmsi"], time=time, msg_type=fields["msg_type"], part=fields.get("part"),
        name=_text(fields.get("shipname")), callsign=_text(fields.get("callsign")),
        imo=imo if imo else None, ship_type=fields.get("ship_type") or None,
        to_bow=fields.get("to_bow"), to_stern=fields.get("to_stern"),
        to_port=fields.get("to_port"), to_starboard=fields.get("to_starboard"),
        draught=draught if draught else None, destination=_text(fields.get("destination")),
        eta=fields.get("eta"), source=source, time_reported=time_reported, key=key,
    )
