"""The store and the settings, as callbacks and layouts see them (one engine per app, kept on its server)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional, TypeVar

from flask import current_app
from sqlalchemy import Connection, Engine

T = TypeVar("T")
ENGINE_KEY = "maritime_engine"
VIEW_KEY = "maritime_view"
TRAINING_KEY = "maritime_training"


@dataclass(frozen=True)
class ViewSettings:
    refresh_s: float = 30.0
    tile_url: Optional[str] = None
    tile_attribution: str = ""


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def view_settings() -> ViewSettings:
    return current_app.extensions[VIEW_KEY]


def training():
    """This server's background training runner (dashboards.training.TrainingRunner)."""
    return current_app.extensions[TRAINING_KEY]


def read(reader: Callable[..., T], *args, **kwargs) -> T:
    """Run a store reader on a connection of its own."""
    with engine().connect() as connection:
        return reader(connection, *args, **kwargs)


def write(writer: Callable[..., T], *args, **kwargs) -> T:
    """Run a store writer in a transaction of its own (committed if it returns)."""
    with engine().begin() as connection:
        return writer(connection, *args, **kwargs)


def read_many(*readers: Callable[[Connection], object]) -> tuple:
    """Several readers, one connection."""
    with engine().connect() as connection:
        return tuple(reader(connection) for reader in readers)
