"""The decoder against the independent gpsd/libais values of ../shared/corpus/ais."""

import json
import math
from collections import Counter

from maritime.ais.decoder import StreamDecoder
from maritime.ais.nmea import nmea_checksum
from maritime.config import IngestSettings

FLOAT_TOLERANCE = {"lat": 1e-4, "lon": 1e-4, "sog": 0.05, "cog": 0.05, "draught": 0.05}
NOT_COMPARED = {"line", "talker", "channel", "fragments", "bits", "source", "origin", "tag_source",
                "xcheck_gpsdecode", "field_source", "raw_text", "notes", "stripped_suffix"}


def _decode_corpus(corpus_dir):
    decoded = []
    decoder = StreamDecoder("corpus", IngestSettings(duplicate_window_s=0), decoded_fields=decoded)
    with open(corpus_dir / "sentences.nmea", "rb") as handle:
        for line_no, line in enumerate(handle, start=1):
            decoder.feed(line, line_no)
    decoder.flush()
    return decoder, {line_no: (time, fields) for line_no, time, fields in decoded}


def _agrees(name, got, want):
    if want is None or got is None:
        return got == want
    if name in FLOAT_TOLERANCE:
        return math.isclose(got, want, abs_tol=FLOAT_TOLERANCE[name])
    return got == want


def test_every_expected_field_agrees_with_gpsd_and_libais(corpus_dir):
    decoder, decoded = _decode_corpus(corpus_dir)
    checked, differ = Counter(), []
    for entry in map(json.loads, open(corpus_dir / "expected.jsonl")):
        assert entry["line"] in decoded, f"line {entry['line']} not decoded"
        time, fields = decoded[entry["line"]]
        for name, want in entry.items():
            if name in NOT_COMPARED:
                continue
            got = int(time) if name == "tag_time" and time is not None else fields.get(name)
            checked[name] += 1
            if not _agrees(name, got, want):
                differ.append((entry["line"], fields["msg_type"], name, got, want))
    assert sum(checked.values()) > 19_000
    assert differ == [], f"{len(differ)} fields differ, first: {differ[:10]}"
    # Junk positions the corpus keeps "as decoded" are not stored: out of range, with a reason.
    assert {r.reason for r in decoder.rejects} == {"out_of_range"}
    assert decoder.counts.rejected == 5


def _checksum_ok(line: bytes) -> bool:
    sentence = line[line.index(b"!"):] if b"!" in line else line
    body, _, checksum = sentence[1:].partition(b"*")
    return checksum[:2].upper() == b"%02X" % nmea_checksum(body)


def test_every_corpus_reject_is_rejected_with_its_reason(corpus_dir):
    lines = open(corpus_dir / "rejects.nmea", "rb").read().split(b"\n")
    wrong = []
    for entry in map(json.loads, open(corpus_dir / "rejects.jsonl")):
        decoder = StreamDecoder("rejects", IngestSettings(duplicate_window_s=0))
        for offset in range(entry["lines"]):
            decoder.feed(lines[entry["line"] - 1 + offset], entry["line"] + offset)
        decoder.flush()
        reasons = {r.reason for r in decoder.rejects}
        entry_lines = lines[entry["line"] - 1: entry["line"] - 1 + entry["lines"]]
        if entry["category"] == "not_ais":
            ok = not decoder.records and not decoder.rejects
        elif entry["category"] == "incomplete_multipart" and reasons == {"checksum"}:
            # Orphan fragments from test files whose checksums were never right: either fault names it.
            ok = not decoder.records and any(not _checksum_ok(line) for line in entry_lines)
        elif not entry["strict"]:
            # gpsd refuses these, a lenient decoder may accept them: we store nothing from them,
            # except a lower-case hex checksum, which is numerically right.
            ok = entry["category"] in reasons or not decoder.records or _checksum_ok(entry_lines[0])
        else:
            ok = not decoder.records and entry["category"] in reasons
        if not ok:
            wrong.append((entry["line"], entry["category"], sorted(reasons), len(decoder.records),
                          lines[entry["line"] - 1][:60]))
    assert wrong == [], "\n".join(map(str, wrong))
