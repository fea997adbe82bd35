"""Ingest files (NMEA recordings or CSV archives) into the store, resumably and idempotently.

Each batch of rows is written in one transaction together with the file's
checkpoint, so an ingest killed at any point and run again continues where the
last committed batch ended. On resume the decoder first re-reads a stretch
before the checkpoint without writing, so that duplicate suppression and
multi-sentence assembly are in the same state as in an uninterrupted run.
"""

from __future__ import annotations

import threading
import time as clock
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

from sqlalchemy import Engine, select

from maritime.ais.decoder import DecodeCounts, StreamDecoder
from maritime.collection import bulk_collection
from maritime.config import IngestSettings
from maritime.errors import FeedError, MaritimeError
from maritime.feeds import files
from maritime.store.db import database_errors
from maritime.store.schema import CheckpointRow, IngestRunRow
from maritime.store.batches import BatchWriter, ProcessBatchWriter
from maritime.store.writer import utc

FORMATS = ("auto", "nmea", "csv")
Progress = Callable[[int], None]  # bytes newly read


@dataclass
class SourceReport:
    source: str
    format: str
    counts: DecodeCounts = field(default_factory=DecodeCounts)
    stored: int = 0
    skipped_unchanged: bool = False
    resumed_from: Optional[int] = None
    error: Optional[str] = None
    newest_time: Optional[float] = None


@dataclass
class IngestReport:
    sources: list[SourceReport] = field(default_factory=list)
    seconds: float = 0.0

    def total(self, name: str) -> int:
        if name == "stored":
            return sum(s.stored for s in self.sources)
        return sum(getattr(s.counts, name) for s in self.sources)

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.error]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def detect_format(path: Path) -> str:
    from maritime.feeds.csv_archive import detect_csv_format

    return "csv" if detect_csv_format(files.first_line(path)) else "nmea"


def ingest_paths(engine: Engine, arguments: list[str], fmt: str = "auto",
                 settings: Optional[IngestSettings] = None,
                 progress: Optional[Progress] = None,
                 on_total: Optional[Callable[[int], None]] = None) -> IngestReport:
    """Ingest every file the arguments name. Raises FeedError if an argument names nothing."""
    if fmt not in FORMATS:
        raise MaritimeError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    settings = settings or IngestSettings()
    paths = files.expand_paths(arguments)
    if on_total is not None:
        on_total(sum(files.size_of(p) for p in paths))
    report = IngestReport()
    started = clock.perf_counter()
    with bulk_collection():
        for path in paths:
            report.sources.append(ingest_file(engine, path, fmt, settings, progress))
    report.seconds = clock.perf_counter() - started
    return report


def ingest_file(engine: Engine, path: Path, fmt: str = "auto", settings: Optional[IngestSettings] = None,
                progress: Optional[Progress] = None) -> SourceReport:
    settings = settings or IngestSettings()
    source = str(path)
    chosen = detect_format(path) if fmt == "auto" else fmt
    report = SourceReport(source, chosen)
    with database_errors(engine):
        run_id = _start_run(engine, source)
        try:
            if chosen == "csv":
                _ingest_csv(engine, path, settings, report, progress)
            else:
                _ingest_nmea(engine, path, settings, report, progress)
        except FeedError as exc:
            report.error = str(exc)
        except BaseException as exc:  # recorded as failed, then raised to the caller
            report.error = f"{type(exc).__name__}: {exc}"[:500]
            try:
                _finish_run(engine, run_id, report)
            finally:
                raise
        _finish_run(engine, run_id, report)
    return report


def _batch_writer(engine: Engine, report: SourceReport, settings: IngestSettings, size: int):
    """A writer process for large files (decoding and writing then share two cores), else in-process."""

    def committed(stored: int, newest: Optional[float]) -> None:
        report.stored += stored
        if newest is not None and (report.newest_time is None or newest > report.newest_time):
            report.newest_time = newest

    kind = ProcessBatchWriter if size >= settings.parallel_write_min_bytes else BatchWriter
    return kind(engine, report.source, settings.rejects_kept, committed)


# -- NMEA recordings ------------------------------------------------------------------------------

def _load_checkpoint(engine: Engine, source: str) -> Optional[CheckpointRow]:
    with engine.connect() as connection:
        row = connection.execute(select(CheckpointRow.__table__).where(CheckpointRow.source == source)).first()
    return row


def _ingest_nmea(engine: Engine, path: Path, settings: IngestSettings, report: SourceReport,
                 progress: Optional[Progress]) -> None:
    source = report.source
    fp = files.fingerprint(path)
    size = files.size_of(path)
    checkpoint = _load_checkpoint(engine, source)
    fallback = clock.time()
    start_offset = start_line = emit_from = 0
    if checkpoint is not None and files.same_file(path, checkpoint.fingerprint):
        fallback = checkpoint.fallback_time.replace(tzinfo=timezone.utc).timestamp()
        # A compressed file does not grow; a plain one may have been appended to.
        if checkpoint.completed and (files.is_gzip(path) or checkpoint.offset >= size):
            report.skipped_unchanged = True
            if progress:
                progress(size)
            return
        start_offset, start_line = checkpoint.warm_offset, checkpoint.warm_line_no
        emit_from = checkpoint.offset
        report.resumed_from = checkpoint.offset
    decoder = StreamDecoder(path.name, settings, fallback_time=fallback)
    state = _CheckpointState(source, fp, utc(fallback), settings.resume_rewind_bytes,
                             deque([(start_offset, start_line)]),
                             checkpoint.offset if checkpoint is not None else None)
    writer = _batch_writer(engine, report, settings, size - start_offset)
    try:
        _read_nmea(path, decoder, writer, state, start_offset, start_line, emit_from, size, settings, report,
                   progress)
    finally:
        writer.close()


def _read_nmea(path: Path, decoder: StreamDecoder, writer: BatchWriter, state: "_CheckpointState",
               start_offset: int, start_line: int, emit_from: int, size: int, settings: IngestSettings,
               report: SourceReport, progress: Optional[Progress]) -> None:
    warm_counts: Optional[DecodeCounts] = None if emit_from > start_offset else DecodeCounts()
    batch = settings.batch_size
    pending = 0
    offset, line_no, reported_offset = start_offset, start_line, start_offset
    # A recorder may still be appending: its unfinished last line is left for the next run.
    growing = files.being_written(path)
    try:
        for line, next_line_no, next_offset in files.read_lines(path, start_offset, start_line):
            if growing and not line.endswith(b"\n"):
                break
            line_no, offset = next_line_no, next_offset
            decoder.feed(line, line_no)
            if warm_counts is None:
                if offset >= emit_from:  # the re-read stretch is over: drop what it produced
                    decoder.take()
                    warm_counts = DecodeCounts()
                    warm_counts.add(decoder.counts)
                continue
            pending += 1
            if pending >= batch:
                _commit(writer, decoder, state, offset, line_no, False)
                pending = 0
                if progress:
                    progress(offset - reported_offset)
                    reported_offset = offset
    except FeedError as exc:  # e.g. a truncated .gz: keep everything read before the fault
        report.error = str(exc)
    decoder.flush()
    if warm_counts is None:  # the file ended inside the re-read stretch
        decoder.take()
        warm_counts = DecodeCounts()
        warm_counts.add(decoder.counts)
    _commit(writer, decoder, state, offset, line_no, report.error is None)
    if progress:
        progress(max(size - reported_offset, 0))
    for name in DecodeCounts.__dataclass_fields__:
        setattr(report.counts, name, getattr(decoder.counts, name) - getattr(warm_counts, name))


@dataclass
class _CheckpointState:
    source: str
    fingerprint: str
    fallback_time: datetime
    rewind_bytes: int
    points: deque = field(default_factory=deque)  # (offset, line) of commits, oldest first
    committed_offset: Optional[int] = None  # the stored checkpoint's offset (None: no checkpoint row)

    def advance(self, offset: int, line_no: int) -> tuple[int, int]:
        """Record a commit at ``offset``; return where a resume must start re-reading."""
        horizon = offset - self.rewind_bytes
        while len(self.points) > 1 and self.points[1][0] <= horizon:
            self.points.popleft()
        warm = self.points[0]
        self.points.append((offset, line_no))
        return warm


def _commit(writer: BatchWriter, decoder: StreamDecoder, state: _CheckpointState, offset: int, line_no: int,
            completed: bool) -> None:
    records, rejects = decoder.take()
    warm_offset, warm_line = state.advance(offset, line_no)
    writer.submit(records, rejects, {
        "fingerprint": state.fingerprint, "offset": offset, "line_no": line_no, "warm_offset": warm_offset,
        "warm_line_no": warm_line, "completed": completed, "fallback_time": state.fallback_time,
        "updated_at": _now(), "expected_offset": state.committed_offset})
    state.committed_offset = offset


# -- CSV archives ---------------------------------------------------------------------------------

def _ingest_csv(engine: Engine, path: Path, settings: IngestSettings, report: SourceReport,
                progress: Optional[Progress]) -> None:
    """CSV rows carry their identity in their values: a re-run stores nothing twice (unique keys)."""
    from maritime.feeds.csv_archive import read_csv_archive

    source = report.source
    fp = files.fingerprint(path)
    size = files.size_of(path)
    checkpoint = _load_checkpoint(engine, source)
    if (checkpoint is not None and checkpoint.completed and checkpoint.offset >= size
            and files.same_file(path, checkpoint.fingerprint)):
        # A grown archive is read again whole: its rows carry unique keys, so only new rows are stored.
        report.skipped_unchanged = True
        if progress:
            progress(size)
        return
    rows_total = 0
    writer = _batch_writer(engine, report, settings, size)
    try:
        for records, rejects, rows in read_csv_archive(path, path.name):
            rows_total += rows
            report.counts.read += rows
            report.counts.decoded += rows - len(rejects)
            report.counts.rejected += len(rejects)
            writer.submit(records, rejects, None)
        writer.submit([], [], {"fingerprint": fp, "offset": size, "line_no": rows_total, "warm_offset": 0,
                               "warm_line_no": 0, "completed": True, "fallback_time": _now(),
                               "updated_at": _now()})
    finally:
        writer.close()
    if progress:
        progress(size)


# -- ingest runs ----------------------------------------------------------------------------------

def _start_run(engine: Engine, source: str) -> int:
    table = IngestRunRow.__table__
    with engine.begin() as connection:
        result = connection.execute(table.insert().values(
            source=source, started_at=_now(), status="running", read=0, decoded=0, stored=0, duplicates=0,
            rejected=0))
        return result.inserted_primary_key[0]


def _finish_run(engine: Engine, run_id: int, report: SourceReport) -> None:
    table = IngestRunRow.__table__
    c = report.counts
    message = report.error or ("unchanged since the last ingest" if report.skipped_unchanged else None)
    with engine.begin() as connection:
        connection.execute(table.update().where(table.c.id == run_id).values(
            finished_at=_now(), status="failed" if report.error else "done", read=c.read, decoded=c.decoded,
            stored=report.stored, duplicates=c.duplicates, rejected=c.rejected,
            newest_data_time=utc(report.newest_time) if report.newest_time else None, message=message))


# -- live streams ---------------------------------------------------------------------------------

STREAM_COMMIT_SECONDS = 2.0  # how stale the stored picture may get while lines keep arriving


def ingest_stream(engine: Engine, url: str, stop: threading.Event, settings: Optional[IngestSettings] = None,
                  on_status: Optional[Callable[[str], None]] = None,
                  on_commit: Optional[Callable[[SourceReport], None]] = None) -> SourceReport:
    """Ingest a TCP or UDP NMEA stream until ``stop`` is set; lines without a time get their receive time.

    Network trouble never ends it (the TCP client reconnects with back-off); a database failure does.
    """
    from maritime.feeds.stream import parse_feed_url, tcp_lines, udp_lines

    settings = settings or IngestSettings()
    feed = parse_feed_url(url)
    if feed.scheme not in ("tcp", "udp"):
        raise FeedError(f"{url}: a stream is tcp://host:port or udp://host:port (files: maritime ingest PATH)")
    report = SourceReport(str(feed), "nmea")
    if feed.scheme == "tcp":
        lines = tcp_lines(feed.host, feed.port, stop=stop, on_status=on_status,
                          max_line_bytes=settings.max_line_bytes)
    else:
        lines = udp_lines(feed.host, feed.port, stop=stop, on_status=on_status,
                          max_line_bytes=settings.max_line_bytes)
    decoder = StreamDecoder(feed.host or str(feed), settings, fallback_time=clock.time())
    writer = _batch_writer(engine, report, settings, 0)
    run_id = _start_run(engine, report.source)
    pending, last_commit = 0, clock.monotonic()
    try:
        for line, received in lines:
            decoder.feed(line, None, received)
            pending += 1
            if pending >= settings.batch_size or clock.monotonic() - last_commit >= STREAM_COMMIT_SECONDS:
                _commit_stream(writer, decoder, report, on_commit)
                pending, last_commit = 0, clock.monotonic()
    finally:
        decoder.flush()
        _commit_stream(writer, decoder, report, on_commit)
        _finish_run(engine, run_id, report)
    return report


def _commit_stream(writer: BatchWriter, decoder: StreamDecoder, report: SourceReport, on_commit) -> None:
    records, rejects = decoder.take()
    writer.submit(records, rejects, None)
    report.counts = DecodeCounts(**vars(decoder.counts))
    if on_commit is not None:
        on_commit(report)
