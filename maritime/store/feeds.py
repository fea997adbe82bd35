"""Configured live feeds and pipeline tick records."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Connection, select

from maritime.errors import MaritimeError
from maritime.feeds.stream import parse_feed_url
from maritime.store.schema import FeedRow, TickRow


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def add_feed(connection: Connection, url: str) -> str:
    """Store a feed; returns its normalised URL. Adding it twice is an error."""
    feed = parse_feed_url(url)
    normalised = str(feed)
    table = FeedRow.__table__
    if connection.execute(select(table.c.id).where(table.c.url == normalised)).first():
        raise MaritimeError(f"feed {normalised} is already configured")
    connection.execute(table.insert().values(url=normalised, kind=feed.scheme, enabled=True, added_at=_now()))
    return normalised


def remove_feed(connection: Connection, url: str) -> None:
    normalised = str(parse_feed_url(url))
    table = FeedRow.__table__
    if connection.execute(table.delete().where(table.c.url == normalised)).rowcount == 0:
        raise MaritimeError(f"no feed {normalised} is configured")


def list_feeds(connection: Connection) -> list[dict]:
    table = FeedRow.__table__
    return [dict(r) for r in connection.execute(select(table).order_by(table.c.id)).mappings()]


def set_feed_status(connection: Connection, url: str, status: str) -> None:
    table = FeedRow.__table__
    connection.execute(table.update().where(table.c.url == url).values(last_status=status[:300],
                                                                        last_status_at=_now()))


def record_tick(connection: Connection, values: dict) -> None:
    connection.execute(TickRow.__table__.insert().values(**values))


def recent_ticks(connection: Connection, limit: int = 5) -> list[dict]:
    table = TickRow.__table__
    return [dict(r) for r in connection.execute(select(table).order_by(table.c.id.desc()).limit(limit)).mappings()]


def file_feed_paths(feeds: list[dict]) -> tuple[str, ...]:
    """The folders or globs of enabled file feeds, as `maritime ingest` takes them."""
    paths = []
    for feed in feeds:
        if feed["enabled"] and feed["kind"] == "file":
            path: Optional[str] = parse_feed_url(feed["url"]).path
            if path:
                paths.append(path)
    return tuple(paths)
