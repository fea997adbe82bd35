"""The schedule: stream feeds read continuously, a pipeline tick every few seconds.

Scheduler jobs only call the tick; streams run in their own threads and commit
every couple of seconds, so a tick sees what they stored.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from typing import Callable, Optional

from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Engine

from maritime.config import Settings
from maritime.ingest import ingest_stream
from maritime.pipeline import TickReport, tick
from maritime.store.feeds import list_feeds, set_feed_status

log = logging.getLogger(__name__)


def _stream_worker(engine: Engine, url: str, stop: threading.Event, settings: Settings) -> None:
    def status(message: str) -> None:
        log.info(message)
        with engine.begin() as connection:
            set_feed_status(connection, url, message)

    while not stop.is_set():
        try:
            ingest_stream(engine, url, stop, settings.ingest, on_status=status)
        except Exception as exc:  # a database hiccup must not end the feed for good
            status(f"stopped: {exc}; restarting in 10 s")
            stop.wait(10)


def start_streams(engine: Engine, settings: Settings, stop: threading.Event) -> list[threading.Thread]:
    with engine.connect() as connection:
        feeds = [f for f in list_feeds(connection) if f["enabled"] and f["kind"] in ("tcp", "udp")]
    threads = []
    for feed in feeds:
        thread = threading.Thread(target=_stream_worker, args=(engine, feed["url"], stop, settings),
                                  name=f"feed {feed['url']}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads


def run(engine: Engine, settings: Settings, tick_seconds: float,
        on_tick: Optional[Callable[[TickReport], None]] = None,
        on_error: Optional[Callable[[Exception], None]] = None) -> None:
    """Run until interrupted: streams in threads, a tick every ``tick_seconds`` (one at a time)."""
    stop = threading.Event()
    start_streams(engine, settings, stop)

    def job() -> None:
        try:
            report = tick(engine, settings)
        except Exception as exc:  # one failed tick is reported; the next one tries again
            if on_error:
                on_error(exc)
            return
        if on_tick:
            on_tick(report)

    scheduler = BlockingScheduler(timezone="UTC")
    scheduler.add_job(job, "interval", seconds=tick_seconds, max_instances=1, coalesce=True,
                      next_run_time=datetime.now(timezone.utc))
    try:
        scheduler.start()
    finally:
        stop.set()
