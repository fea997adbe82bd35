"""Signing in, sessions, CSRF and roles for the dashboard's Flask server.

- ``/login`` (GET form, POST credentials) and ``/logout`` (POST) are the only routes of our own. Both
  check a CSRF token bound to the session; a missing, malformed or wrong credential or token at
  ``/login`` gets 401 and the form again, never a server error.
- The session is Flask's signed cookie (HttpOnly, SameSite=Strict), holding the user's name, when it
  was issued and when it was last used; it ends after ``session_hours`` or ``idle_minutes`` without a
  request, and is re-checked against the ``users`` table on every request (a disabled account or a
  changed role takes effect at once).
- Every other path needs a signed-in user: a page request is sent to the sign-in form, anything else
  (Dash's callback, layout and script routes) gets 401.
- Dash callbacks are POSTs from the page: they must carry the session's CSRF token in the
  ``X-CSRFToken`` header (dash-renderer copies it from the ``_csrf_token`` cookie), or get 403.
- Callbacks that change state call :func:`require` with the action, so a role without the right is
  refused on the server whatever the page shows.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import Optional, Sequence
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, redirect, render_template_string, request, session

from maritime.accounts import MAX_PASSWORD_CHARS, can, verify_password
from maritime.store.users import credential, get_user, record_login, revoke_sessions

CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
CSRF_FIELD = "csrf_token"
PUBLIC_PATHS = ("/login", "/_favicon.ico", "/favicon.ico")
PUBLIC_PREFIXES = ("/assets/",)
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/basemap/")
MAX_NAME_CHARS = 64
# Per (client address, account name): a stranger elsewhere cannot lock an officer out.
FAILED_LOGINS_ALLOWED = 10  # per FAILED_LOGIN_WINDOW_S; then 429 until it passes
FAILED_LOGIN_WINDOW_S = 15 * 60
MAX_TRACKED_NAMES = 10_000  # the oldest entries are dropped first
# each password check takes scrypt's 128 MiB for ~0.3 s: a burst of sign-ins (or an attack with many
# names) must not take the server's memory; beyond this many at once, wait, then refuse with 503
MAX_PASSWORD_CHECKS = 4
PASSWORD_CHECK_WAIT_S = 5.0
_password_checks = threading.BoundedSemaphore(MAX_PASSWORD_CHECKS)
SEEN_UPDATE_S = 60  # the session's last-use time is rewritten at most this often


class Forbidden(Exception):
    """The signed-in user's role may not do this."""


@dataclass(frozen=True)
class CurrentUser:
    name: str
    role: str

    def can(self, action: str) -> bool:
        return can(self.role, action)


@dataclass(frozen=True)
class AuthSettings:
    session_hours: float = 12.0
    idle_minutes: float = 120.0
    secure_cookies: bool = False


def current_user() -> Optional[CurrentUser]:
    """The user signed in for this request (None outside a signed-in request)."""
    return g.get("user")


def require(action: str) -> CurrentUser:
    """The current user if their role allows ``action``; raises :class:`Forbidden` otherwise."""
    user = current_user()
    if user is None or not user.can(action):
        role = user.role if user else "anonymous"
        raise Forbidden(f"your role ({role}) may not {action}")
    return user


def install(server: Flask, engine, secret_key: str, settings: AuthSettings, script_hashes: Sequence[str],
            extra_origins: tuple[str, ...] = ()) -> None:
    """Sign-in routes, the request guard and security headers; ``script_hashes`` are the CSP hashes of the
    page's inline scripts (``Dash.csp_hashes()``), the only inline scripts allowed to run."""
    server.secret_key = secret_key
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
                         SESSION_COOKIE_SECURE=settings.secure_cookies, SESSION_COOKIE_NAME="maritime_session",
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.session_hours),
                         MAX_CONTENT_LENGTH=2 * 1024 * 1024)
    server.extensions["maritime_auth"] = _State(engine, settings, _csp(script_hashes, extra_origins))
    server.before_request(_guard)
    server.after_request(_after)
    server.add_url_rule("/login", "login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", _logout, methods=["POST"])


@dataclass
class _State:
    engine: object
    settings: AuthSettings
    csp: str

    def __post_init__(self):
        self.failures: dict[tuple[str, str], deque] = defaultdict(deque)


def _state() -> _State:
    return current_app.extensions["maritime_auth"]


def _csp(script_hashes: Sequence[str], extra_origins: tuple[str, ...]) -> str:
    """No third-party script, style or font at all; images and fetches only from here (and from the
    online tile server, if one is configured)."""
    extra = " ".join(extra_origins)
    return ("default-src 'self'; "
            f"script-src 'self' {' '.join(script_hashes)} 'unsafe-eval'; "  # plotly.js compiles some functions
            "style-src 'self' 'unsafe-inline'; "  # React and plotly set style attributes
            f"img-src 'self' data: blob: {extra}; connect-src 'self' {extra}; "
            "worker-src 'self' blob:; child-src blob:; font-src 'self'; object-src 'none'; "
            "base-uri 'self'; form-action 'self'; frame-ancestors 'none'").replace("  ", " ")


# -- the session ------------------------------------------------------------------------------------

def _csrf_token() -> str:
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) != 43:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def _same(a: object, b: object) -> bool:
    return isinstance(a, str) and isinstance(b, str) and hmac.compare_digest(a.encode(), b.encode())


def _session_user() -> Optional[CurrentUser]:
    name, issued, seen = session.get("user"), session.get("iat"), session.get("seen")
    if not isinstance(name, str) or not isinstance(issued, (int, float)) or not isinstance(seen, (int, float)):
        return None
    settings, now = _state().settings, time.time()
    if now - issued > settings.session_hours * 3600 or now - seen > settings.idle_minutes * 60 or issued > now + 60:
        session.clear()
        return None
    with _state().engine.connect() as connection:
        user = get_user(connection, name)
    if user is None or not user.active or _revoked(user, issued):
        session.clear()
        return None
    if now - seen > SEEN_UPDATE_S:
        session["seen"] = now
    return CurrentUser(user.name, user.role)


def _revoked(user, issued: float) -> bool:
    """Signed in before the account's sessions were ended (sign-out elsewhere, password change)."""
    cut = user.sessions_valid_after
    return cut is not None and issued < cut.replace(tzinfo=timezone.utc).timestamp()


def _is_page_request() -> bool:
    path = request.path
    return request.method == "GET" and not path.startswith("/_") and "text/html" in request.headers.get("Accept", "")


def _guard():
    g.user = _session_user()
    path = request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    if g.user is None:
        if _is_page_request():
            return redirect(f"/login?next={_safe_next(request.full_path.rstrip('?'))}")
        return Response('{"error": "sign in required"}', status=401, mimetype="application/json")
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if request.method not in ("GET", "HEAD", "OPTIONS") and not _same(sent, session.get("csrf")):
        return Response('{"error": "missing or wrong CSRF token"}', status=403, mimetype="application/json")
    return None


def _after(response: Response) -> Response:
    if "csrf" in session or g.get("user") is not None:
        response.set_cookie(CSRF_COOKIE, _csrf_token(), samesite="Strict", secure=_state().settings.secure_cookies,
                            httponly=False)  # dash-renderer must read it to send it back as a header
    response.headers.setdefault("Content-Security-Policy", _state().csp)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.path.startswith(STATIC_PREFIXES):  # pages and data are never cached; scripts may be
        response.headers["Cache-Control"] = "no-store"
    return response


def _safe_next(target: Optional[str]) -> str:
    """Only a path on this site (no scheme, no host, no //): never an open redirect."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target[:500]


# -- the routes -------------------------------------------------------------------------------------

LOGIN_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Black Sea maritime monitor</title><link rel="stylesheet" href="/assets/style.css"></head>
<body class="login-body"><main class="login-card">
<h1>Black Sea maritime monitor</h1><p class="muted">Patrol and port security watch. Sign in with your account.</p>
{% if message %}<p class="login-error" role="alert">{{ message }}</p>{% endif %}
<form method="post" action="/login">
<input type="hidden" name="csrf_token" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next }}">
<label for="username">Name</label><input id="username" name="username" autocomplete="username" required autofocus
 maxlength="64" value="{{ username }}">
<label for="password">Password</label><input id="password" name="password" type="password"
 autocomplete="current-password" required>
<button type="submit" id="login-button">Sign in</button></form>
<p class="muted small">Accounts are created by an administrator with <code>maritime users add</code>.</p>
</main></body></html>"""


def _login_form(message: str = "", status: int = 200, username: str = "", next_path: str = "/") -> Response:
    body = render_template_string(LOGIN_PAGE, message=message, csrf=_csrf_token(), next=_safe_next(next_path),
                                  username=username[:MAX_NAME_CHARS])
    return Response(body, status=status, mimetype="text/html")


def _failure_key(name: str) -> tuple[str, str]:
    return request.remote_addr or "unknown", name


def _too_many_failures(key: tuple[str, str]) -> bool:
    tracked = _state().failures
    while len(tracked) > MAX_TRACKED_NAMES:  # a flood of invented names evicts the oldest, not the target's
        tracked.pop(next(iter(tracked)))
    failures = tracked[key]
    while failures and failures[0] < time.time() - FAILED_LOGIN_WINDOW_S:
        failures.popleft()
    return len(failures) >= FAILED_LOGINS_ALLOWED


def _login():
    if request.method == "GET":
        if g.user is not None:
            return redirect(_safe_next(request.args.get("next")))
        return _login_form(next_path=request.args.get("next", "/"))
    form = request.form
    name, password, token = form.get("username"), form.get("password"), form.get(CSRF_FIELD)
    next_path = form.get("next", "/")
    if not _same(token, session.get("csrf")):
        return _login_form("Your sign-in form had expired. Please try again.", 401, next_path=next_path)
    if not isinstance(name, str) or not isinstance(password, str) or not name or not password \
            or len(name) > MAX_NAME_CHARS or len(password) > MAX_PASSWORD_CHARS:
        return _login_form("Sign-in failed: give your name and password.", 401, next_path=next_path)
    key = _failure_key(name)
    if _too_many_failures(key):
        return _login_form("Too many failed attempts for this name. Wait a few minutes and try again.", 429,
                           name, next_path)
    with _state().engine.connect() as connection:
        stored = credential(connection, name)
    if not _password_checks.acquire(timeout=PASSWORD_CHECK_WAIT_S):
        return _login_form("Sign-in is busy. Try again in a moment.", 503, name, next_path)
    try:
        # a hash is checked even for an unknown name, so the answer takes as long either way
        ok = verify_password(stored.password_hash if stored else _DUMMY_HASH, password) and stored is not None
    finally:
        _password_checks.release()
    if not ok:
        _state().failures[key].append(time.time())
        return _login_form("Sign-in failed: unknown name or wrong password.", 401, name, next_path)
    _state().failures.pop(key, None)
    with _state().engine.begin() as connection:
        record_login(connection, name)
    session.clear()  # a fresh session (and CSRF token) on every sign-in: no session fixation
    now = time.time()
    session.update(user=stored.user.name, iat=now, seen=now)
    session.permanent = True
    _csrf_token()
    return redirect(_safe_next(next_path))


def _logout():  # the guard has checked the CSRF token
    if g.get("user") is not None:  # a copied cookie stops working too
        with _state().engine.begin() as connection:
            revoke_sessions(connection, g.user.name)
    session.clear()
    return redirect("/login")


# scrypt of a random password, with the current cost: checked when the name is unknown
_DUMMY_HASH = "scrypt$131072$8$1$" + base64.b64encode(b"\0" * 16).decode() + "$" + base64.b64encode(
    b"\0" * 32).decode()
