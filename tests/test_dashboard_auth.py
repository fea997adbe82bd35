"""Dashboard access without a browser: hashing, sign-in, sessions, CSRF, and role checks on the server."""

import threading
import time

import pytest
from sqlalchemy import create_engine, select

from maritime.accounts import AccountError, hash_password, verify_password
from maritime.store.schema import EventRow, ModelVersionRow
from maritime.store.users import get_user, set_active
from tests.dashboard_fixtures import call_callback, csrf_from, sign_in


def active_version(url):
    engine = create_engine(url)
    with engine.connect() as connection:
        version = connection.execute(select(ModelVersionRow.version).where(ModelVersionRow.active.is_(True))).scalar()
    engine.dispose()
    return version


def test_password_hashes_are_salted_and_verify():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt$") and "correct horse" not in first
    assert verify_password(first, "correct horse") and not verify_password(first, "wrong horse")


@pytest.mark.parametrize("stored", ["", "plain-text", "scrypt$1$2$3$x$y", "bcrypt$a$b$c$d$e", "scrypt$$$$$"])
def test_malformed_stored_hashes_never_verify_and_never_raise(stored):
    assert verify_password(stored, "anything") is False


def test_short_passwords_are_refused():
    with pytest.raises(AccountError):
        hash_password("short")


def test_pages_send_strangers_to_sign_in_and_dash_routes_answer_401(app):
    client = app.server.test_client()
    page = client.get("/alerts", headers={"Accept": "text/html"})
    assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=/alerts")
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    assert client.post("/_dash-update-component", json={}).status_code == 401


def test_wrong_password_is_401(app):
    response = sign_in(app.server.test_client(), "olga", "not-her-password")
    assert response.status_code == 401 and "Sign-in failed" in response.text


@pytest.mark.parametrize("form", [
    {}, {"username": "olga"}, {"password": "x"}, {"username": "", "password": ""},
    {"username": "o" * 5000, "password": "x"}, {"username": "olga", "password": "p" * 5000},
    {"username": ["olga", "anna"], "password": "x"}, {"username": "\x00\xff", "password": "\u202e\u0000"},
])
def test_malformed_credentials_get_401_never_500(app, form):
    client = app.server.test_client()
    token = csrf_from(client.get("/login").text)
    assert client.post("/login", data={**form, "csrf_token": token}).status_code == 401


def test_sign_in_without_the_forms_csrf_token_is_401(app):
    client = app.server.test_client()
    client.get("/login")
    assert client.post("/login", data={"username": "olga", "password": "officer-password-1"}).status_code == 401
    assert client.post("/login", data={"username": "olga", "password": "officer-password-1",
                                       "csrf_token": "forged"}).status_code == 401


def test_non_utf8_body_and_garbage_cookies_are_401_not_500(app):
    client = app.server.test_client()
    response = client.post("/login", data=b"username=\xff\xfe&password=\xc3", content_type=(
        "application/x-www-form-urlencoded"))
    assert response.status_code == 401
    client.set_cookie("maritime_session", "not.a.signed.cookie")
    assert client.get("/_dash-layout").status_code == 401
    client.set_cookie("maritime_session", "eyJ1c2VyIjoib2xnYSJ9.AAAA.BBBB")  # {"user": "olga"}, bad signature
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/_dash-layout", headers={"Authorization": "Basic !!!not-base64"}).status_code == 401


def test_signed_in_user_gets_the_app_and_a_fresh_session(client_as):
    client = client_as("olga")
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/", headers={"Accept": "text/html"}).status_code == 200


def test_callbacks_without_the_csrf_header_are_403(client_as):
    client = client_as("olga")
    response = client.post("/_dash-update-component", json={"output": "x.children"})
    assert response.status_code == 403


def test_sign_in_never_redirects_off_site(app):
    client = app.server.test_client()
    token = csrf_from(client.get("/login?next=//evil.example/x").text)
    response = client.post("/login", data={"username": "olga", "password": "officer-password-1",
                                           "csrf_token": token, "next": "//evil.example/x"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_sessions_expire_after_the_idle_time(client_as, monkeypatch):
    client = client_as("olga")
    later = time.time() + 3 * 3600  # idle limit is 2 h by default
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/_dash-layout").status_code == 401


def test_a_disabled_account_loses_its_session(client_as, small_db):
    client = client_as("adam")
    engine = create_engine(small_db.url)
    with engine.begin() as connection:
        set_active(connection, "adam", False)
    try:
        assert client.get("/_dash-layout").status_code == 401
    finally:
        with engine.begin() as connection:
            set_active(connection, "adam", True)
        engine.dispose()


def test_an_officer_cannot_promote_through_the_callback(client_as, small_db):
    before = active_version(small_db.url)
    response = call_callback(client_as("olga"), "models-message", {"models-promote": 1},
                             {"models-version": "v2"}, "models-promote")
    assert response.status_code == 200 and "Refused" in response.text and "officer" in response.text
    assert active_version(small_db.url) == before == "v1"


def test_an_officer_cannot_roll_back_or_train_either(client_as, small_db):
    client = client_as("olga")
    response = call_callback(client, "models-message", {"models-rollback": 1}, {}, "models-rollback")
    assert "Refused" in response.text
    response = call_callback(client, "models-poll", {"models-train": 1},
                             {"models-since": "2026-11-20T06:00", "models-until": "2026-11-20T07:00"}, "models-train")
    assert "Not started" in response.text and "officer" in response.text
    assert active_version(small_db.url) == "v1"


def test_an_analyst_promotes_and_rolls_back(client_as, small_db):
    client = client_as("anna")
    response = call_callback(client, "models-message", {"models-promote": 1}, {"models-version": "v2"},
                             "models-promote")
    assert "v2 is now the active model" in response.text and active_version(small_db.url) == "v2"
    response = call_callback(client, "models-message", {"models-rollback": 1}, {}, "models-rollback")
    assert "v1 is active again" in response.text and active_version(small_db.url) == "v1"


def test_acknowledging_records_user_time_and_comment(client_as, small_db):
    engine = create_engine(small_db.url)
    with engine.connect() as connection:
        event_id = connection.execute(select(EventRow.id).where(EventRow.kind == "ais_gap")).scalar_one()
    response = call_callback(client_as("olga"), "alerts-version", {"alerts-ack": 1},
                             {"alerts-selected": event_id, "alerts-comment": "Checked with VTS <b>Odesa</b>",
                              "alerts-version": 0}, "alerts-ack")
    assert response.status_code == 200 and "Acknowledged by olga" in response.text
    with engine.connect() as connection:
        row = connection.execute(select(EventRow).where(EventRow.id == event_id)).one()
    engine.dispose()
    assert (row.status, row.status_by, row.status_comment) == ("acknowledged", "olga",
                                                                 "Checked with VTS <b>Odesa</b>")
    assert row.status_at is not None


def test_only_an_admin_adds_accounts(client_as, small_db):
    refused = call_callback(client_as("anna"), "users-message", {"users-add": 1},
                            {"users-name": "eve", "users-role": "admin", "users-password": "eve-password-1"},
                            "users-add")
    assert "Not done" in refused.text and "analyst" in refused.text
    added = call_callback(client_as("adam"), "users-message", {"users-add": 1},
                          {"users-name": "pavlo", "users-role": "officer", "users-password": "pavlo-password-1"},
                          "users-add")
    assert "pavlo (officer) added by adam" in added.text
    client = client_as("adam").application.test_client()
    assert sign_in(client, "pavlo", "pavlo-password-1").status_code == 302
    assert client.get("/_dash-layout").status_code == 200


def test_signing_out_ends_a_copied_session_cookie_too(client_as):
    client = client_as("olga")
    stolen = client.get_cookie("maritime_session").value
    thief = client.application.test_client()
    thief.set_cookie("maritime_session", stolen)
    assert thief.get("/_dash-layout").status_code == 200
    token = client.get_cookie("_csrf_token").value
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert thief.get("/_dash-layout").status_code == 401
    assert client_as("olga").get("/_dash-layout").status_code == 200  # signing in again works


def test_a_password_change_ends_existing_sessions(client_as, small_db):
    from maritime.store.users import add_user

    client = client_as("adam")
    engine = create_engine(small_db.url)
    with engine.begin() as connection:
        user = get_user(connection, "adam")
        add_user(connection, "adam", user.role, "a-new-password-42", replace=True)
    engine.dispose()
    assert client.get("/_dash-layout").status_code == 401


def test_failed_sign_ins_slow_that_client_only_not_the_account_everywhere(app):
    attacker = app.server.test_client()
    for _ in range(12):
        token = csrf_from(attacker.get("/login").text)
        attacker.post("/login", data={"username": "olga", "password": "wrong-password", "csrf_token": token},
                      environ_base={"REMOTE_ADDR": "203.0.113.9"})
    token = csrf_from(attacker.get("/login").text)
    blocked = attacker.post("/login", data={"username": "olga", "password": "officer-password-1",
                                            "csrf_token": token}, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert blocked.status_code == 429
    officer = app.server.test_client()
    token = csrf_from(officer.get("/login").text)
    allowed = officer.post("/login", data={"username": "olga", "password": "officer-password-1",
                                           "csrf_token": token}, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert allowed.status_code == 302


def test_sign_ins_beyond_the_concurrent_password_checks_wait_then_get_503(app, monkeypatch):
    from dashboards import auth

    monkeypatch.setattr(auth, "_password_checks", threading.BoundedSemaphore(1))
    monkeypatch.setattr(auth, "PASSWORD_CHECK_WAIT_S", 0.2)
    auth._password_checks.acquire()  # another sign-in is being checked
    client = app.server.test_client()
    token = csrf_from(client.get("/login").text)
    busy = client.post("/login", data={"username": "olga", "password": "officer-password-1", "csrf_token": token})
    assert busy.status_code == 503 and "busy" in busy.text
    auth._password_checks.release()
    token = csrf_from(client.get("/login").text)
    signed_in = client.post("/login", data={"username": "olga", "password": "officer-password-1",
                                            "csrf_token": token})
    assert signed_in.status_code == 302
