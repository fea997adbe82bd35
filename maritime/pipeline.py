"""One pipeline tick: read what is new on the feeds, store it, run the detectors, record events.

Detection re-examines the last ``lookback_h`` hours of data (data time, not the wall
clock), and the vessels of episodes still open that began before that from where they
began, so an episode that began before this tick is seen whole and keeps its event
id (route_deviation's lanes come from the stored week, refitted every ``lanes_refit_h``); an event raised by an earlier tick that later data no longer supports (a gap
filled by late reports) is retracted with a reason, never duplicated.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import Engine, func, select

from maritime.config import Settings
from maritime.detect.events import Event
from maritime.detect.lane_history import lanes_for_window, refit_time
from maritime.detect.runner import run_rules
from maritime.detect.tracks import extend_to_open_episodes, load_context, open_episode_starts
from maritime.errors import MaritimeError
from maritime.ingest import IngestReport, ingest_paths
from maritime.store.events import retract_events, save_events
from maritime.store.feeds import file_feed_paths, list_feeds, record_tick
from maritime.store.schema import EventRow, PositionRow

# An event starting this close to the window's edge may have been cut by it: not retracted.
RETRACT_MARGIN = timedelta(hours=1)
# Kinds judged per window of data: only these can be withdrawn by later data.
RETRACTABLE_KINDS = ("ais_gap", "loitering", "rendezvous", "position_jump", "speed_anomaly", "route_deviation",
                     "circle_spoofing", "on_land", "mmsi_conflict", "gnss_interference", "behaviour_outlier")


# Kinds whose episodes can outlast the window: their vessels are read from where the episode began.
EPISODE_KINDS = ("ais_gap", "loitering", "rendezvous", "route_deviation", "zone_entry", "speed_anomaly",
                 "circle_spoofing", "on_land", "mmsi_conflict")


@dataclass
class TickReport:
    ingest: Optional[IngestReport] = None
    window: tuple[Optional[datetime], Optional[datetime]] = (None, None)
    events: list[Event] = field(default_factory=list)
    new: int = 0
    updated: int = 0
    retracted: int = 0
    seconds: float = 0.0


def newest_data_time(engine: Engine) -> Optional[datetime]:
    with engine.connect() as connection:
        return connection.execute(select(func.max(PositionRow.time))).scalar()


def detect_recent(engine: Engine, settings: Settings, until: Optional[datetime] = None) -> TickReport:
    """Run the rules over the last ``lookback_h`` hours of data up to ``until`` (default: the newest data)."""
    report = TickReport()
    newest = until or newest_data_time(engine)
    if newest is None:
        return report
    since = newest - timedelta(hours=settings.detect.lookback_h)
    report.window = (since, newest)
    with engine.connect() as connection:
        context = load_context(connection, since, newest + timedelta(microseconds=1), settings.detect)
        context.since = since
        ongoing = open_episode_starts(connection, since + RETRACT_MARGIN, EPISODE_KINDS,
                                      since - timedelta(days=settings.detect.open_episode_max_days))
        extend_to_open_episodes(connection, context, ongoing, RETRACT_MARGIN)
        # lanes from the history before the window (refitted when its start crosses a lanes_refit_h boundary)
        context.lanes = lanes_for_window(connection, refit_time(since, settings.detect), settings.detect)
    events = run_rules(context)
    found = {e.id for e in events}
    with engine.begin() as connection:
        report.new, report.updated = save_events(connection, events, raised_at=newest)
        table = EventRow.__table__
        stale = connection.execute(select(table.c.id).where(
            table.c.status == "open", table.c.kind.in_(RETRACTABLE_KINDS),
            table.c.start >= since + RETRACT_MARGIN, table.c.start <= newest)).scalars().all()
        report.retracted = retract_events(connection, [i for i in stale if i not in found],
                                          "no longer supported by the data (e.g. late reports filled the gap)")
    report.events = events
    return report


def tick(engine: Engine, settings: Settings) -> TickReport:
    """Ingest what is new in the configured file feeds (checkpointed), then detect over the recent
    window; the tick is recorded (`maritime status`). Streams are read continuously by `maritime run`."""
    started_at = datetime.now(timezone.utc).replace(tzinfo=None)
    started = clock.perf_counter()
    with engine.connect() as connection:
        paths = file_feed_paths(list_feeds(connection))
    ingest = None
    error = None
    report = TickReport()
    try:
        if paths:
            ingest = ingest_paths(engine, list(paths), "auto", settings.ingest)
        report = detect_recent(engine, settings)
    except MaritimeError as exc:
        error = str(exc)
        raise
    finally:
        report.ingest = ingest
        report.seconds = clock.perf_counter() - started
        with engine.begin() as connection:
            record_tick(connection, {
                "started_at": started_at, "finished_at": datetime.now(timezone.utc).replace(tzinfo=None),
                "window_start": report.window[0], "window_end": report.window[1],
                "stored": ingest.total("stored") if ingest else 0, "events_new": report.new,
                "events_updated": report.updated, "events_retracted": report.retracted,
                "seconds": report.seconds, "error": error})
    return report
