"""Dashboard accounts: roles, what each role may do, and password hashing.

Passwords are kept only as salted scrypt hashes (``hashlib.scrypt``, RFC 7914) in a
self-describing string ``scrypt$N$r$p$salt$hash`` (salt and hash base64), and are
compared in constant time. The cost is OWASP's minimum for scrypt (password storage
cheat sheet: N=2^17, r=8, p=1; 128 MiB, ~0.4 s here); stored hashes carry their own
cost, so it can be raised later without invalidating accounts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from maritime.errors import MaritimeError

ROLES = ("officer", "analyst", "admin")

# What each role may do; a role has everything the roles before it have.
PERMISSIONS: dict[str, frozenset[str]] = {
    "officer": frozenset({"view", "acknowledge", "plan"}),
    "analyst": frozenset({"view", "acknowledge", "plan", "train", "promote", "rollback"}),
    "admin": frozenset({"view", "acknowledge", "plan", "train", "promote", "rollback", "users"}),
}

SCRYPT_N = 2 ** 17  # source: OWASP password storage cheat sheet, scrypt minimum
SCRYPT_R = 8  # source: same
SCRYPT_P = 1  # source: same
SALT_BYTES = 16
HASH_BYTES = 32
MAX_PASSWORD_CHARS = 1_024  # longer input is refused before hashing (no hashing-cost denial of service)
MIN_PASSWORD_CHARS = 8


class AccountError(MaritimeError):
    """An account cannot be created or changed as asked."""


def can(role: str | None, action: str) -> bool:
    """Whether ``role`` may do ``action`` (unknown roles may do nothing)."""
    return action in PERMISSIONS.get(role or "", frozenset())


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES,
                          maxmem=256 * r * n)


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` for storage."""
    check_password_policy(password)
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(stored: str, password: object) -> bool:
    """True if ``password`` matches the stored hash; False for anything malformed, never an exception."""
    if not isinstance(password, str) or not isinstance(stored, str) or len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        n, r, p = int(n), int(r), int(p)
        if not (2 <= n <= 2 ** 20 and 1 <= r <= 32 and 1 <= p <= 16):
            return False
        expected = base64.b64decode(digest, validate=True)
        actual = _scrypt(password, base64.b64decode(salt, validate=True), n, r, p)
    except (ValueError, UnicodeError):
        return False
    return hmac.compare_digest(expected, actual)


def check_password_policy(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise AccountError(f"a password may have at most {MAX_PASSWORD_CHARS} characters")


def check_user_name(name: str) -> str:
    """Names are 1–64 printable characters without spaces at either end."""
    if not isinstance(name, str) or not name.strip() or name != name.strip() or len(name) > 64 \
            or not name.isprintable():
        raise AccountError(f"not a valid user name: {name!r} (1–64 printable characters)")
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def random_password(n_bytes: int = 12) -> str:
    """A random password for demo accounts (URL-safe, ~16 characters)."""
    return secrets.token_urlsafe(n_bytes)
