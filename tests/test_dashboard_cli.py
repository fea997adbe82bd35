"""`maritime users ...`, `maritime dashboard`, and `maritime demo --no-serve` preparing the dashboard."""

import re

from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from maritime.accounts import verify_password
from maritime.cli import app
from maritime.store.schema import UserRow

runner = CliRunner()


def stored_hash(url, name):
    engine = create_engine(url)
    with engine.connect() as connection:
        value = connection.execute(select(UserRow.password_hash).where(UserRow.name == name)).scalar()
    engine.dispose()
    return value


def test_users_add_reads_the_password_from_stdin_and_stores_only_a_hash(sqlite_url):
    result = runner.invoke(app, ["--db", sqlite_url, "users", "add", "olga", "--role", "officer",
                                 "--password-stdin"], input="harbour-watch-7\n")
    assert result.exit_code == 0, result.output
    assert "user olga (officer) added" in result.output
    stored = stored_hash(sqlite_url, "olga")
    assert "harbour-watch-7" not in stored and verify_password(stored, "harbour-watch-7")
    listing = runner.invoke(app, ["--db", sqlite_url, "users", "list"])
    assert "olga" in listing.output and "officer" in listing.output


def test_users_add_prompts_twice_without_stdin_option(sqlite_url):
    result = runner.invoke(app, ["--db", sqlite_url, "users", "add", "anna", "--role", "analyst"],
                           input="analyst-pass-1\nanalyst-pass-1\n")
    assert result.exit_code == 0, result.output
    assert verify_password(stored_hash(sqlite_url, "anna"), "analyst-pass-1")


def test_short_password_unknown_role_and_duplicate_are_one_line_errors(sqlite_url):
    short = runner.invoke(app, ["--db", sqlite_url, "users", "add", "x", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output and "Traceback" not in short.output
    role = runner.invoke(app, ["--db", sqlite_url, "users", "add", "x", "--role", "captain", "--password-stdin"],
                         input="long-enough-1\n")
    assert role.exit_code != 0
    runner.invoke(app, ["--db", sqlite_url, "users", "add", "olga", "--password-stdin"], input="long-enough-1\n")
    again = runner.invoke(app, ["--db", sqlite_url, "users", "add", "olga", "--password-stdin"],
                          input="long-enough-2\n")
    assert again.exit_code == 1 and "exists already" in again.output


def test_dashboard_command_has_host_and_port():
    result = runner.invoke(app, ["dashboard", "--help"])
    assert result.exit_code == 0 and "--host" in result.output and "--port" in result.output


def test_demo_without_serving_prints_working_demo_accounts(tmp_path, monkeypatch):
    monkeypatch.setenv("MARITIME_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    result = runner.invoke(app, ["--db", url, "demo", "--hours", "0.5", "--vessels", "8", "--no-serve"])
    assert result.exit_code == 0, result.output
    accounts = dict(re.findall(r"dashboard account (demo-\w+) \(\w+\), password (\S+)", result.output))
    assert set(accounts) == {"demo-officer", "demo-analyst"}
    for name, password in accounts.items():
        assert verify_password(stored_hash(url, name), password)
    assert "maritime --db" in result.output and "dashboard" in result.output
