"""Writing an ingest's batches: in the same process, or in a writer process beside it.

Each batch and its checkpoint commit in one transaction. For large files the
writes run in a second process, so that decoding (pure Python, bound to one core)
and the database's work proceed at the same time on two cores; batches travel as
plain tuples, which pickle cheaply. The queue is short, so memory stays flat.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import queue
from typing import Callable, Optional

from sqlalchemy import Engine

from maritime.ais.records import Position
from maritime.collection import BULK_THRESHOLDS
from maritime.errors import StoreError
from maritime.store.db import create_db_engine, describe_error
from maritime.store.writer import save_checkpoint, write_batch

QUEUE_BATCHES = 3
PARENT_CHECK_SECONDS = 1.0

# Called after each committed batch with (rows stored, newest record time in the batch).
Committed = Callable[[int, Optional[float]], None]


def _write(engine: Engine, source: str, records: list, rejects: list, checkpoint: Optional[dict],
           rejects_kept: int) -> int:
    with engine.begin() as connection:
        counts = write_batch(connection, records, rejects, rejects_kept)
        if checkpoint is not None:
            values = dict(checkpoint)
            save_checkpoint(connection, source, values, values.pop("expected_offset", ...))
    return counts.stored


class BatchWriter:
    """Writes each batch as it is submitted, in this process."""

    def __init__(self, engine: Engine, source: str, rejects_kept: int, committed: Committed):
        self._engine, self._source, self._kept, self._committed = engine, source, rejects_kept, committed

    def submit(self, records: list, rejects: list, checkpoint: Optional[dict]) -> None:
        stored = _write(self._engine, self._source, records, rejects, checkpoint, self._kept)
        self._committed(stored, max((r.time for r in records), default=None))

    def close(self) -> None:
        pass


def _writer_process(url: str, source: str, rejects_kept: int, inbox, outbox, parent_pid: int) -> None:
    gc.set_threshold(*BULK_THRESHOLDS)  # this process only writes batches (see maritime.collection)
    engine = create_db_engine(url)
    failed = False
    try:
        while True:
            try:
                item = inbox.get(timeout=PARENT_CHECK_SECONDS)
            except queue.Empty:
                if os.getppid() != parent_pid:  # the ingest was killed: nothing more will come
                    return
                continue
            if item is None or os.getppid() != parent_pid:  # done, or the ingest was killed: write no more
                return
            if failed:
                continue
            positions, others, rejects, checkpoint = item
            try:
                stored = _write(engine, source, [Position._make(p) for p in positions] + others, rejects,
                                checkpoint, rejects_kept)
                newest = max((r.time for r in others), default=None)
                if positions:
                    newest = max(newest or positions[0][1], max(p[1] for p in positions))
                outbox.put(("ok", stored, newest))
            except Exception as exc:  # reported to the ingest, which stops with one line
                failed = True
                outbox.put(("error", describe_error(exc), None))
    finally:
        engine.dispose()


class ProcessBatchWriter:
    """Hands batches to a writer process; the ingest goes on decoding meanwhile."""

    def __init__(self, engine: Engine, source: str, rejects_kept: int, committed: Committed):
        context = multiprocessing.get_context("spawn")
        self._committed = committed
        self._inbox = context.Queue(QUEUE_BATCHES)
        self._outbox = context.Queue()
        self._process = context.Process(
            target=_writer_process, name="maritime-writer", daemon=True,
            args=(engine.url.render_as_string(hide_password=False), source, rejects_kept, self._inbox,
                  self._outbox, os.getpid()))
        self._process.start()
        self._error: Optional[str] = None

    def submit(self, records: list, rejects: list, checkpoint: Optional[dict]) -> None:
        self._collect(block=False)
        positions = [tuple(r) for r in records if type(r) is Position]
        others = [r for r in records if type(r) is not Position]
        self._put((positions, others, rejects, checkpoint))
        self._collect(block=False)

    def close(self) -> None:
        self._put(None)
        self._process.join()
        self._collect(block=True)
        if self._error is None and self._process.exitcode != 0:
            self._error = f"the writer process ended with code {self._process.exitcode}"
        if self._error is not None:
            raise StoreError(f"writing to the database failed: {self._error}")

    def _put(self, item) -> None:
        while True:
            try:
                self._inbox.put(item, timeout=PARENT_CHECK_SECONDS)
                return
            except queue.Full:
                if not self._process.is_alive():
                    self._collect(block=False)
                    reason = self._error or f"exit code {self._process.exitcode}"
                    raise StoreError(f"the database writer process stopped ({reason})")

    def _collect(self, block: bool) -> None:
        while True:
            try:
                status, value, newest = self._outbox.get(block=block, timeout=0.1 if block else None)
            except queue.Empty:
                return
            if status == "ok":
                self._committed(value, newest)
            else:
                self._error = value
                raise StoreError(f"writing to the database failed: {value}")
