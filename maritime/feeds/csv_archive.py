"""Public AIS CSV archives → typed records: US MarineCadastre and Danish Maritime Authority.

Each data row is one position report. It becomes a :class:`Position` (class A as
message 1, class B as message 18), or a :class:`Station` for base stations and aids
to navigation. A :class:`Static` (message 5 for class A, 24 for class B) is made only
when a vessel's identity columns differ from the last identity seen for that MMSI in
the same file: the archives repeat the identity on every row, the store wants it once.

Cleaning is vectorised per chunk with pandas; Python touches each row only to build
its record. A row that cannot be parsed is a ``malformed`` reject; a value outside
its AIS range is an ``out_of_range`` reject; both keep the CSV line as ``raw``.
Sentinels (lat 91, lon 181, SOG 102.3, COG 360, heading 511) become ``None``.
Identity columns are lenient: an unreadable IMO or ship type is ``None``, never a
reason to lose the position. Rows of SAR aircraft are skipped, as the NMEA decoder
skips message 9.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from itertools import compress, islice
from pathlib import Path
from typing import IO, Iterator, Optional, Union

import numpy as np
import pandas as pd

from maritime.ais.nmea import UNIX_MAX, UNIX_MIN
from maritime.ais.records import Position, Record, Reject, Static, Station
from maritime.errors import FeedError

MARINECADASTRE = "marinecadastre"
DMA = "dma"
FORMATS = (MARINECADASTRE, DMA)

IDENTITY_COLUMNS = ("name", "callsign", "imo", "ship_type", "to_bow", "to_stern",
                    "to_port", "to_starboard", "draught", "destination")
# The text columns the identity is cleaned from.
IDENTITY_SOURCE_COLUMNS = ("name", "callsign", "imo", "ship_type", "cargo_type", "length", "width",
                           "to_bow", "to_stern", "to_port", "to_starboard", "draught", "destination")

# What sent a row: a class A or B vessel, a fixed station, or a SAR aircraft.
CLASS_A, CLASS_B, BASE_STATION, ATON, SAR_AIRCRAFT = "A", "B", "base_station", "aton", "sar_aircraft"


@dataclass(frozen=True)
class ArchiveLayout:
    """How one archive format names its columns (names compared after :func:`normalise_label`)."""

    name: str
    marker_columns: frozenset[str]
    columns: dict[str, str]  # normalised header name → our column name
    time_format: str


LAYOUTS = {
    MARINECADASTRE: ArchiveLayout(
        name=MARINECADASTRE,
        marker_columns=frozenset({"mmsi", "basedatetime"}),
        columns={
            "mmsi": "mmsi", "basedatetime": "time", "lat": "lat", "latitude": "lat",
            "lon": "lon", "longitude": "lon", "sog": "sog", "cog": "cog", "heading": "heading",
            "vesselname": "name", "imo": "imo", "callsign": "callsign", "vesseltype": "ship_type",
            "status": "nav_status", "length": "length", "width": "width", "draft": "draught",
            "transceiverclass": "mobile", "transceiver": "mobile",
        },
        time_format="ISO8601",
    ),
    DMA: ArchiveLayout(
        name=DMA,
        marker_columns=frozenset({"timestamp", "typeofmobile", "mmsi"}),
        columns={
            "timestamp": "time", "typeofmobile": "mobile", "mmsi": "mmsi", "latitude": "lat",
            "longitude": "lon", "navigationalstatus": "nav_status", "sog": "sog", "cog": "cog",
            "heading": "heading", "imo": "imo", "callsign": "callsign", "name": "name",
            "shiptype": "ship_type", "cargotype": "cargo_type", "width": "width", "length": "length",
            "draught": "draught", "destination": "destination", "eta": "eta",
            "a": "to_bow", "b": "to_stern", "c": "to_port", "d": "to_starboard",
        },
        time_format="%d/%m/%Y %H:%M:%S",
    ),
}

ALL_COLUMNS = frozenset(column for layout in LAYOUTS.values() for column in layout.columns.values())

# DMA writes codes as their ITU-R M.1371 descriptions; keys are normalised (letters and digits).
DMA_NAV_STATUS = {
    "underwayusingengine": 0, "atanchor": 1, "notundercommand": 2,
    "restrictedmanoeuverability": 3, "restrictedmaneuverability": 3, "restrictedmanoeuvrability": 3,
    "constrainedbyherdraught": 4, "constrainedbyherdraft": 4, "moored": 5, "aground": 6,
    "engagedinfishing": 7, "underwaysailing": 8,
    "reservedforfutureamendmenthsc": 9, "reservedforfutureamendmentwig": 10,
    "powerdrivenvesseltowingastern": 11, "powerdrivenvesselpushingaheadortowingalongside": 12,
    "reservedforfutureuse": 13, "aissart": 14, "aissartisactive": 14, "aissartactive": 14,
    "unknownvalue": 15, "notdefined": 15, "undefined": 15,
}
# Ship type text → code; the families marked in DMA_CARGO_FAMILIES take the hazard digit from "Cargo type".
DMA_SHIP_TYPE = {
    "undefined": 0, "wig": 20, "fishing": 30, "towing": 31, "towinglongwide": 32, "dredging": 33,
    "diving": 34, "military": 35, "sailing": 36, "pleasure": 37, "hsc": 40, "pilot": 50, "sar": 51,
    "tug": 52, "porttender": 53, "antipollution": 54, "lawenforcement": 55, "spare1": 56,
    "spare2": 57, "medical": 58, "notpartytoconflict": 59, "passenger": 60, "cargo": 70,
    "tanker": 80, "other": 90,
}
DMA_CARGO_FAMILIES = frozenset({20, 40, 60, 70, 80, 90})
DMA_CARGO_DIGIT = {"categoryx": 1, "categoryy": 2, "categoryz": 3, "categoryos": 4}
DMA_MOBILE = {"classa": CLASS_A, "classb": CLASS_B, "basestation": BASE_STATION, "aton": ATON,
              "sarairborne": SAR_AIRCRAFT}

# ITU-R M.1371-5 field ranges after sentinels are removed.
MAX_SOG_KN = 102.2
MAX_NAV_STATUS = 15
MMSI_MAX = 999_999_999
IMO_MAX = 2**30 - 1  # the IMO field is 30 bits wide
MAX_DIMENSION_M = 10_000  # archives carry lengths as free numbers; this only keeps junk out

PathLike = Union[str, Path]


def normalise_label(name: str) -> str:
    """Lower-case letters and digits only: ``"# Timestamp"`` → ``"timestamp"``, ``"Class A"`` → ``"classa"``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _header_fields(first_line: str) -> list[str]:
    return next(csv.reader([first_line.lstrip("\ufeff").strip()]), [])


def detect_csv_format(first_line: str) -> Optional[str]:
    """``"marinecadastre"`` or ``"dma"`` from a header line, else None (binary or other text included)."""
    try:
        names = {normalise_label(field) for field in _header_fields(first_line)}
    except csv.Error:
        return None
    for layout in LAYOUTS.values():
        mapped = {layout.columns[n] for n in names if n in layout.columns}
        if layout.marker_columns <= names and {"lat", "lon"} <= mapped:
            return layout.name
    return None


def read_csv_archive(path: PathLike, source: str, fmt: Optional[str] = None,
                     chunk_rows: int = 100_000) -> Iterator[tuple[list[Record], list[Reject], int]]:
    """Yield ``(records, rejects, rows_read)`` for each chunk of a plain or gzipped archive.

    ``fmt`` is detected from the header when None. Raises :class:`FeedError` when the
    file is missing, unreadable, or not one of the two formats.
    """
    path = Path(path)
    if not path.exists():
        raise FeedError(f"CSV archive not found: {path}")
    if not path.is_file():
        raise FeedError(f"CSV archive is not a file: {path}")
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    with _read(path, lambda: _open_text(path)) as handle:
        header = _read(path, handle.readline)
        layout = _layout(path, header, fmt)
        chunker = ArchiveChunker(layout, _header_fields(header), source)
        next_line_no = 2
        while lines := _read(path, lambda: list(islice(handle, chunk_rows))):
            yield chunker.read(lines, next_line_no)
            next_line_no += len(lines)


def _open_text(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)


def _read(path: Path, read):
    try:
        return read()
    except (OSError, EOFError, zlib.error) as exc:
        raise FeedError(f"cannot read {path}: {exc}") from None


def _layout(path: Path, header: str, fmt: Optional[str]) -> ArchiveLayout:
    if not header.strip():
        raise FeedError(f"CSV archive is empty: {path}")
    detected = detect_csv_format(header)
    if fmt is not None and fmt not in LAYOUTS:
        raise FeedError(f"unknown CSV archive format {fmt!r} (expected one of {', '.join(FORMATS)})")
    if detected is None or (fmt is not None and fmt != detected):
        wanted = fmt or " or ".join(FORMATS)
        raise FeedError(f"{path}: header is not a {wanted} CSV archive header: {header.strip()[:120]!r}")
    return LAYOUTS[detected]


class ArchiveChunker:
    """Turns chunks of data lines of one file into records; remembers identities across chunks."""

    def __init__(self, layout: ArchiveLayout, header: list[str], source: str):
        self.layout = layout
        self.source = source
        self.field_count = len(header)
        # our column name → position in the line; the first of duplicate names wins
        self.positions: dict[str, int] = {}
        for index, name in enumerate(header):
            column = layout.columns.get(normalise_label(name))
            if column is not None:
                self.positions.setdefault(column, index)
        self._last_identity: Optional[pd.DataFrame] = None

    def read(self, lines: list[str], first_line_no: int) -> tuple[list[Record], list[Reject], int]:
        """Records, rejects and the number of (non-blank) rows of one chunk of data lines."""
        shapes = LineShapes.of(lines)
        counts = shapes.commas + 1
        counts[shapes.quoted] = [len(next(csv.reader([lines[i]]), [])) for i in np.flatnonzero(shapes.quoted)]
        wrong_width = ~shapes.blank & (counts != self.field_count)
        usable = ~shapes.blank & ~wrong_width
        rejects = [Reject("malformed", f"{counts[i]} fields, expected {self.field_count}",
                          _line_text(lines[i]), self.source, first_line_no + int(i))
                   for i in np.flatnonzero(wrong_width)]

        table = self._split_fields(lines, usable, shapes.quoted)
        reports = _clean_reports(table, self.layout)
        reports["line_index"] = np.flatnonzero(usable)
        kept = (reports["kind"] != SAR_AIRCRAFT).to_numpy()
        rejects += _rejects(reports[kept], lines, first_line_no, self.source)
        rejects.sort(key=lambda reject: reject.line_no)

        good = kept & reports["reason"].isna().to_numpy()
        vessels = good & reports["kind"].isin([CLASS_A, CLASS_B]).to_numpy()
        fixed = good & reports["kind"].isin([BASE_STATION, ATON]).to_numpy()
        records = (_positions(reports[vessels], self.source)
                   + _stations(reports[fixed], table[fixed], self.source)
                   + self._statics(reports[vessels], table[vessels]))
        return records, rejects, int((~shapes.blank).sum())

    def _split_fields(self, lines: list[str], usable: np.ndarray, quoted: np.ndarray) -> pd.DataFrame:
        """Text of every column we read ("" where the format has none), one row per usable line."""
        wanted = sorted(self.positions.items(), key=lambda item: item[1])
        names, indexes = [name for name, _ in wanted], [index for _, index in wanted]
        plain = usable & ~quoted
        parts = []
        if plain.any():
            text = "".join(lines) if plain.all() else "".join(compress(lines, plain))
            parts.append(_parse_plain(text, self.field_count, indexes, names).set_axis(np.flatnonzero(plain)))
        if (usable & quoted).any():
            # One by one through the csv module: a stray quote must not make the fast
            # parser run on into the following lines.
            at = np.flatnonzero(usable & quoted)
            fields = [next(csv.reader([lines[i]])) for i in at]
            parts.append(pd.DataFrame([[row[i] for i in indexes] for row in fields],
                                      columns=names, index=at, dtype=object))
        table = pd.concat(parts).sort_index() if len(parts) > 1 else (
            parts[0] if parts else pd.DataFrame(columns=names, dtype=object))
        table = table.reset_index(drop=True)
        for column in ALL_COLUMNS.difference(names):
            table[column] = ""
        return table

    # -- identity reports -----------------------------------------------------------------------

    def _statics(self, reports: pd.DataFrame, table: pd.DataFrame) -> list[Static]:
        """Statics for the vessel rows whose identity differs from the previous one of their MMSI."""
        candidates = _raw_identity_changed(table, reports["mmsi"].to_numpy())
        identity = _identity(table[candidates], self.layout).set_axis(reports.index[candidates])
        identity.insert(0, "mmsi", reports["mmsi"][candidates])
        identity = identity[identity[list(IDENTITY_COLUMNS)].notna().any(axis=1)]
        changed = self._identity_changed(identity)
        self._remember(identity)
        emitted = identity[changed.to_numpy()]
        return _build_statics(reports.loc[emitted.index], emitted, self.source)

    def _identity_changed(self, identity: pd.DataFrame) -> pd.Series:
        """True where a row's identity differs from the one before it for its MMSI."""
        columns = list(IDENTITY_COLUMNS)
        earlier = self._known_identities(identity["mmsi"])
        combined = pd.concat([earlier, identity]) if len(earlier) else identity
        previous = combined.groupby("mmsi", sort=False)[columns].shift()
        current = combined[columns]
        same = ((current == previous) | (current.isna() & previous.isna())).all(axis=1)
        return ~same.iloc[len(earlier):]

    def _known_identities(self, mmsis: pd.Series) -> pd.DataFrame:
        """The last identity of these MMSIs from earlier chunks, indexed below 0 to stay apart."""
        if self._last_identity is None:
            return pd.DataFrame()
        known = self._last_identity[self._last_identity["mmsi"].isin(mmsis)]
        return known.set_axis(pd.RangeIndex(-len(known), 0))

    def _remember(self, identity: pd.DataFrame) -> None:
        latest = identity.drop_duplicates("mmsi", keep="last")
        if self._last_identity is None:
            self._last_identity = latest
            return
        kept = self._last_identity[~self._last_identity["mmsi"].isin(latest["mmsi"])]
        self._last_identity = pd.concat([kept, latest], ignore_index=True)


@dataclass(frozen=True)
class LineShapes:
    """Per line of a chunk: blank or not, its commas, whether it has quotes; counted on the bytes."""

    blank: np.ndarray
    commas: np.ndarray
    quoted: np.ndarray

    @classmethod
    def of(cls, lines: list[str]) -> "LineShapes":
        data = np.frombuffer("".join(lines).encode("utf-8"), dtype=np.uint8)
        ends = np.flatnonzero(data == ord("\n"))
        if len(ends) < len(lines):  # the last line of a file may have no newline
            ends = np.append(ends, len(data))
        starts = np.concatenate(([0], ends[:-1] + 1))

        def per_line(mask: np.ndarray) -> np.ndarray:
            found = np.flatnonzero(mask)
            return np.searchsorted(found, ends) - np.searchsorted(found, starts)

        blanks = np.isin(data, np.frombuffer(b" \t\r\x0b\x0c", dtype=np.uint8))
        return cls(blank=per_line(blanks) == ends - starts, commas=per_line(data == ord(",")),
                   quoted=per_line(data == ord('"')) > 0)


def _line_text(line: str) -> str:
    return line.rstrip("\r\n")


def _parse_plain(text: str, field_count: int, indexes: list[int], names: list[str]) -> pd.DataFrame:
    table = pd.read_csv(io.StringIO(text), header=None, names=list(range(field_count)),
                        usecols=indexes, dtype=object, na_filter=False, quoting=csv.QUOTE_NONE,
                        skip_blank_lines=False)
    return table[indexes].set_axis(names, axis=1)


def _raw_identity_changed(table: pd.DataFrame, mmsi: np.ndarray) -> np.ndarray:
    """Rows whose identity text differs from the previous row of the same MMSI in this chunk,
    and each MMSI's first row. Only these are cleaned and compared exactly: in an archive
    the identity text repeats on nearly every row."""
    hashes = pd.Series(pd.util.hash_pandas_object(table[list(IDENTITY_SOURCE_COLUMNS)], index=False).to_numpy())
    previous = hashes.groupby(mmsi).shift(fill_value=0).to_numpy()
    first_of_mmsi = ~pd.Series(mmsi).duplicated().to_numpy()
    return first_of_mmsi | (previous != hashes.to_numpy())


# -- cleaning: text columns → typed columns, with reasons ------------------------------------------

def _clean_reports(table: pd.DataFrame, layout: ArchiveLayout) -> pd.DataFrame:
    """One row per input row: typed report values, ``kind``, and ``reason``/``detail`` for rejects."""
    problems = Problems(len(table))

    mmsi = _required_number(table["mmsi"], "MMSI", problems)
    problems.out_of_range((mmsi < 1) | (mmsi > MMSI_MAX) | _fractional(mmsi), "MMSI outside 1..999999999")
    times = pd.to_datetime(table["time"].str.strip(), format=layout.time_format, utc=True, errors="coerce")
    problems.malformed(times.isna().to_numpy(), "unreadable time")
    seconds = _unix_seconds(times)
    problems.out_of_range((seconds < UNIX_MIN) | (seconds > UNIX_MAX), "time outside 2000..2100")

    lat = _sentinel(_number(table["lat"], "latitude", problems), 91.0)
    lon = _sentinel(_number(table["lon"], "longitude", problems), 181.0)
    sog = _sentinel(_number(table["sog"], "SOG", problems), 102.3)
    cog = _sentinel(_number(table["cog"], "COG", problems), 360.0)
    heading = _sentinel(_number(table["heading"], "heading", problems), 511.0)
    nav_status = (_dma_code(table["nav_status"], DMA_NAV_STATUS) if layout.name == DMA
                  else _number(table["nav_status"], "status", problems))
    problems.out_of_range(np.abs(lat) > 90, "latitude outside -90..90 (91 = not available)")
    problems.out_of_range(np.abs(lon) > 180, "longitude outside -180..180 (181 = not available)")
    problems.out_of_range((sog < 0) | (sog > MAX_SOG_KN), "SOG outside 0..102.2 kn (102.3 = not available)")
    # As in the NMEA ingest, a course or heading out of range is stored as NULL: the position is still good.
    cog = np.where((cog < 0) | (cog >= 360), np.nan, cog)
    heading = np.where((heading < 0) | (heading > 359) | _fractional(heading), np.nan, heading)
    problems.out_of_range((nav_status < 0) | (nav_status > MAX_NAV_STATUS) | _fractional(nav_status),
                          "navigational status outside 0..15")

    return pd.DataFrame({
        "mmsi": mmsi, "time": seconds, "lat": lat, "lon": lon, "sog": sog, "cog": cog,
        "heading": heading, "nav_status": nav_status, "kind": _kinds(table["mobile"], mmsi, layout),
        "reason": problems.reasons, "detail": problems.details,
    }, index=table.index)


class Problems:
    """The first reason found for each row, in the order the checks run."""

    def __init__(self, size: int):
        self.reasons = np.full(size, None, dtype=object)
        self.details = np.full(size, None, dtype=object)

    def malformed(self, mask: np.ndarray, detail: str) -> None:
        self._mark(mask, "malformed", detail)

    def out_of_range(self, mask: np.ndarray, detail: str) -> None:
        self._mark(mask, "out_of_range", detail)

    def _mark(self, mask: np.ndarray, reason: str, detail: str) -> None:
        fresh = np.asarray(mask, dtype=bool) & pd.isna(self.reasons)
        self.reasons[fresh] = reason
        self.details[fresh] = detail


def _number(text: pd.Series, label: str, problems: Problems) -> np.ndarray:
    """Floats; blank text is NaN, other unreadable text marks the row malformed."""
    values = _lenient_number(text)
    unread = np.flatnonzero(np.isnan(values))
    not_blank = text.iloc[unread].str.strip().ne("").to_numpy()
    malformed = np.zeros(len(values), dtype=bool)
    malformed[unread[not_blank]] = True
    problems.malformed(malformed, f"unreadable {label}")
    return values


def _required_number(text: pd.Series, label: str, problems: Problems) -> np.ndarray:
    values = _lenient_number(text)
    problems.malformed(np.isnan(values), f"unreadable {label}")
    return values


def _lenient_number(text: pd.Series) -> np.ndarray:
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _fractional(values: np.ndarray) -> np.ndarray:
    """True where a value is present and not a whole number (infinity included)."""
    with np.errstate(invalid="ignore"):  # inf % 1 is NaN, as wanted
        return ~np.isnan(values) & (values % 1 != 0)


def _sentinel(values: np.ndarray, not_available: float) -> np.ndarray:
    return np.where(values == not_available, np.nan, values)


def _unix_seconds(times: pd.Series) -> np.ndarray:
    epoch = pd.Timestamp(0, tz="UTC").as_unit(times.dt.unit)  # same unit: no overflow for year 2600
    return (times - epoch).dt.total_seconds().to_numpy(dtype=float)


def _lookup(text: pd.Series, table: dict, default=None) -> np.ndarray:
    """``table[normalise_label(value)]`` for each value, computed once per distinct value."""
    codes, distinct = pd.factorize(text)
    found = np.array([table.get(normalise_label(value), default) for value in distinct] + [default],
                     dtype=object)
    return found[codes]  # factorize gives -1 for missing values: the appended default


def _dma_code(text: pd.Series, codes: dict[str, int]) -> np.ndarray:
    """Description → code; numeric text is taken as the code itself; anything else is NaN."""
    mapped = _lookup(text, codes, np.nan).astype(float)
    return np.where(np.isnan(mapped), _lenient_number(text), mapped)


def _kinds(mobile: pd.Series, mmsi: np.ndarray, layout: ArchiveLayout) -> np.ndarray:
    if layout.name == DMA:
        # Other transponders (SART, MOB, EPIRB-AIS) send message 1 like class A.
        return _lookup(mobile, DMA_MOBILE, CLASS_A)
    # MarineCadastre lists vessels only; fixed stations are known by their MMSI form.
    kinds = _lookup(mobile, {"b": CLASS_B}, CLASS_A)
    kinds[(mmsi >= 990_000_000) & (mmsi < 1_000_000_000)] = ATON
    kinds[mmsi < 10_000_000] = BASE_STATION
    return kinds


# -- identity columns ------------------------------------------------------------------------------

def _identity(table: pd.DataFrame, layout: ArchiveLayout) -> pd.DataFrame:
    """Cleaned identity columns (NaN/None where unknown) and ``eta``, on a fresh 0..n-1 index."""
    table = table.reset_index(drop=True)
    dma = layout.name == DMA
    return pd.DataFrame({
        "name": _ais_text(table["name"]),
        "callsign": _ais_text(table["callsign"], unknown_is_missing=dma),
        "imo": _imo(table["imo"]),
        "ship_type": _dma_ship_type(table) if dma else _whole_in(_lenient_number(table["ship_type"]), 0, 255),
        **_dimensions(table),
        "draught": _positive(_lenient_number(table["draught"])),
        "destination": _ais_text(table["destination"], unknown_is_missing=dma),
        "eta": _dma_eta(table["eta"], layout) if dma else None,
    }, index=table.index)


def _ais_text(text: pd.Series, unknown_is_missing: bool = False) -> pd.Series:
    """Trimmed text without ``@`` padding; None when empty (a field starting with ``@`` is empty)."""
    cleaned = text.str.strip().str.rstrip("@ ")
    missing = cleaned.eq("") | cleaned.str.startswith("@")
    if unknown_is_missing:
        missing |= cleaned.str.lower().eq("unknown")
    return cleaned.astype(object).mask(missing, None)


def _imo(text: pd.Series) -> np.ndarray:
    digits = text.str.strip().str.replace(r"^IMO\s*", "", regex=True, case=False)
    return _whole_in(_lenient_number(digits), 1, IMO_MAX)


def _dma_ship_type(table: pd.DataFrame) -> np.ndarray:
    family = _dma_code(table["ship_type"], DMA_SHIP_TYPE)
    cargo = _lookup(table["cargo_type"], DMA_CARGO_DIGIT, 0).astype(float)
    with_cargo = np.isin(family, list(DMA_CARGO_FAMILIES))
    return _whole_in(np.where(with_cargo, family + cargo, family), 0, 255)


def _dimensions(table: pd.DataFrame) -> dict[str, np.ndarray]:
    """Distances from the antenna; where only overall length and beam are given they are split
    evenly, so bow + stern is the length and port + starboard the beam."""
    given = {side: _whole_in(_lenient_number(table[side]), 0, MAX_DIMENSION_M)
             for side in ("to_bow", "to_stern", "to_port", "to_starboard")}
    length = _whole_in(np.round(_lenient_number(table["length"])), 1, MAX_DIMENSION_M)
    beam = _whole_in(np.round(_lenient_number(table["width"])), 1, MAX_DIMENSION_M)
    split = {"to_bow": np.ceil(length / 2), "to_stern": np.floor(length / 2),
             "to_port": np.ceil(beam / 2), "to_starboard": np.floor(beam / 2)}
    none_given = np.all([np.isnan(values) for values in given.values()], axis=0)
    return {side: np.where(none_given, split[side], given[side]) for side in given}


def _whole_in(values: np.ndarray, low: float, high: float) -> np.ndarray:
    with np.errstate(invalid="ignore"):  # inf % 1 is NaN, as wanted
        fits = (values >= low) & (values <= high) & (values % 1 == 0)
    return np.where(fits, values, np.nan)


def _positive(values: np.ndarray) -> np.ndarray:
    return np.where((values > 0) & np.isfinite(values), values, np.nan)


def _dma_eta(text: pd.Series, layout: ArchiveLayout) -> pd.Series:
    """ETA in the decoder's form ``MM-DDTHH:MM`` (AIS carries no year)."""
    eta = pd.to_datetime(text.str.strip(), format=layout.time_format, utc=True, errors="coerce")
    return eta.dt.strftime("%m-%dT%H:%M").astype(object).where(eta.notna(), None)


# -- building records ------------------------------------------------------------------------------

def _nullable(values, integer: bool = False) -> list:
    """A float column → a list of Python floats (or ints) with None where NaN."""
    values = np.asarray(values, dtype=float)
    missing = np.isnan(values)
    filled = np.where(missing, 0, values)
    out = (filled.astype(np.int64) if integer else filled).astype(object)
    out[missing] = None
    return out.tolist()


def _objects(series: pd.Series) -> list:
    return [None if value is None or value != value else value for value in series.tolist()]


def _rejects(reports: pd.DataFrame, lines: list[str], first_line_no: int, source: str) -> list[Reject]:
    bad = reports[reports["reason"].notna()]
    return [Reject(reason, detail, _line_text(lines[at]), source, first_line_no + at)
            for reason, detail, at in zip(bad["reason"], bad["detail"], bad["line_index"].tolist())]


def _positions(vessels: pd.DataFrame, source: str) -> list[Position]:
    class_b = vessels["kind"].eq(CLASS_B).to_numpy()
    msg_types = np.where(class_b, 18, 1).tolist()
    # Message 18 has no navigational status field; archives fill one in ("Unknown value").
    nav_status = np.where(class_b, np.nan, vessels["nav_status"].to_numpy(dtype=float))
    columns = zip(_nullable(vessels["mmsi"], integer=True), vessels["time"].tolist(),
                  _nullable(vessels["lat"]), _nullable(vessels["lon"]), _nullable(vessels["sog"]),
                  _nullable(vessels["cog"]), _nullable(vessels["heading"], integer=True),
                  _nullable(nav_status, integer=True), msg_types)
    return [Position(mmsi, time, lat, lon, sog, cog, heading, nav_status, msg_type, source, True,
                     b"csv|" + f"{mmsi}|{time}|{lat}|{lon}|{sog}|{cog}".encode())
            for mmsi, time, lat, lon, sog, cog, heading, nav_status, msg_type in columns]


def _stations(fixed: pd.DataFrame, table: pd.DataFrame, source: str) -> list[Station]:
    names = _ais_text(table["name"]).tolist()
    columns = zip(fixed["kind"].tolist(), _nullable(fixed["mmsi"], integer=True), fixed["time"].tolist(),
                  _nullable(fixed["lat"]), _nullable(fixed["lon"]), names)
    return [Station(kind, mmsi, time, lat, lon, name, None, source, True,
                    b"csv-station|" + f"{kind}|{mmsi}|{time}|{lat}|{lon}|{name}".encode())
            for kind, mmsi, time, lat, lon, name in columns]


def _build_statics(reports: pd.DataFrame, identity: pd.DataFrame, source: str) -> list[Static]:
    msg_types = np.where(reports["kind"].eq(CLASS_B), 24, 5).tolist()
    columns = zip(_nullable(reports["mmsi"], integer=True), reports["time"].tolist(), msg_types,
                  identity["name"].tolist(), identity["callsign"].tolist(),
                  _nullable(identity["imo"], integer=True), _nullable(identity["ship_type"], integer=True),
                  _nullable(identity["to_bow"], integer=True), _nullable(identity["to_stern"], integer=True),
                  _nullable(identity["to_port"], integer=True), _nullable(identity["to_starboard"], integer=True),
                  _nullable(identity["draught"]), identity["destination"].tolist(), identity["eta"].tolist())
    statics = []
    for mmsi, time, msg_type, *fields, eta in columns:
        key = b"csv-static|" + "|".join(map(str, (mmsi, time, *fields, eta))).encode()
        statics.append(Static(mmsi, time, msg_type, None, *fields, eta, source, True, key))
    return statics
