"""Dashboard accounts in the ``users`` table (hashing and roles: :mod:`maritime.accounts`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Optional

from sqlalchemy import Connection, select

from maritime.accounts import AccountError, check_role, check_user_name, hash_password
from maritime.store.schema import UserRow


@dataclass(frozen=True)
class User:
    name: str
    role: str
    active: bool
    created_at: datetime
    last_login: Optional[datetime]
    sessions_valid_after: Optional[datetime] = None


@dataclass(frozen=True)
class StoredCredential:
    user: User
    password_hash: str


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _user(row) -> User:
    return User(row.name, row.role, bool(row.active), row.created_at, row.last_login, row.sessions_valid_after)


def add_user(connection: Connection, name: str, role: str, password: str, *, replace: bool = False) -> User:
    """Create an account (or, with ``replace``, set a known one's role and password)."""
    check_user_name(name)
    check_role(role)
    password_hash = hash_password(password)
    table = UserRow.__table__
    known = connection.execute(select(table.c.id).where(table.c.name == name)).first()
    if known is not None:
        if not replace:
            raise AccountError(f"user {name!r} exists already")
        connection.execute(table.update().where(table.c.id == known.id).values(
            role=role, password_hash=password_hash, active=True, sessions_valid_after=_now()))
    else:
        connection.execute(table.insert().values(name=name, role=role, password_hash=password_hash, active=True,
                                                 created_at=_now()))
    return get_user(connection, name)


def get_user(connection: Connection, name: str) -> Optional[User]:
    table = UserRow.__table__
    row = connection.execute(select(table).where(table.c.name == name)).first()
    return _user(row) if row is not None else None


def credential(connection: Connection, name: str) -> Optional[StoredCredential]:
    """The stored hash of an active account, for checking a password; None if unknown or disabled."""
    table = UserRow.__table__
    row = connection.execute(select(table).where(table.c.name == name, table.c.active.is_(True))).first()
    return StoredCredential(_user(row), row.password_hash) if row is not None else None


def revoke_sessions(connection: Connection, name: str) -> None:
    """End every session of the account signed in until now (sign-out, on every device)."""
    table = UserRow.__table__
    connection.execute(table.update().where(table.c.name == name).values(sessions_valid_after=_now()))


def record_login(connection: Connection, name: str) -> None:
    table = UserRow.__table__
    connection.execute(table.update().where(table.c.name == name).values(last_login=_now()))


def list_users(connection: Connection) -> list[User]:
    table = UserRow.__table__
    return [_user(row) for row in connection.execute(select(table).order_by(table.c.name))]


def set_active(connection: Connection, name: str, active: bool) -> None:
    table = UserRow.__table__
    if connection.execute(table.update().where(table.c.name == name).values(active=active)).rowcount == 0:
        raise AccountError(f"no user {name!r}")
