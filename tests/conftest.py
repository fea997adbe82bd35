import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.dashboard_fixtures"]  # small_db, app, client_as for the dashboard tests

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CORPUS = Path(os.environ.get("MARITIME_AIS_CORPUS", SHARED / "corpus" / "ais"))


@pytest.fixture
def corpus_dir() -> Path:
    if not (CORPUS / "expected.jsonl").exists():
        pytest.skip(f"AIS conformance corpus not found at {CORPUS}")
    return CORPUS


def _postgres_database(base_url: str):
    """A fresh, uniquely named database on the test server; dropped afterwards."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    name = f"maritime_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(
                f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    """A database URL: a fresh SQLite file, and a fresh PostgreSQL database when
    MARITIME_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite'}"
        return
    base = os.environ.get("MARITIME_TEST_POSTGRES_URL")
    if not base:
        pytest.skip("MARITIME_TEST_POSTGRES_URL not set")
    yield from _postgres_database(base)


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives headless Chromium against a served dashboard (skipped "
                                       "when chromium or chromedriver is missing)")
