"""Shared fixtures: a migrated database on SQLite and on Postgres, settings, runtime.

Postgres runs when ``MONITOR_TEST_POSTGRES_URL`` names a server (CI sets it and also
``MONITOR_TEST_REQUIRE_POSTGRES=1``, which turns "cannot connect" into a failure instead of a
skip). Each test session gets a fresh database, created and dropped here, with the Alembic
migrations applied — never ``create_all``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.config import Settings
from monitor.db.engine import build_engine
from monitor.db.migrate import upgrade_database
from monitor.db.models import Base
from monitor.runtime import Runtime, open_runtime

POSTGRES_URL = os.environ.get("MONITOR_TEST_POSTGRES_URL", "")
REQUIRE_POSTGRES = os.environ.get("MONITOR_TEST_REQUIRE_POSTGRES") == "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="run long fuzz/soak variants")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="long variant: run with --run-slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """A fresh Postgres database for this test session, dropped at the end."""
    with fresh_postgres_database("bm_test") as url:
        yield url


@contextmanager
def fresh_postgres_database(prefix: str) -> Iterator[str]:
    """An empty database on the test server, dropped afterwards; skips (or fails in CI) when
    there is no server."""
    if not POSTGRES_URL:
        pytest.skip("Postgres half skipped: set MONITOR_TEST_POSTGRES_URL to run it")
    admin_url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if REQUIRE_POSTGRES:
            pytest.fail(f"cannot connect to Postgres at {POSTGRES_URL}: {exc}")
        pytest.skip(f"Postgres half skipped: cannot connect to {POSTGRES_URL}: {exc}")
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables yet: a new SQLite file, or a fresh Postgres database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_postgres_database("bm_test_migration") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_postgres(postgres_server_url: str) -> str:
    engine = build_engine(postgres_server_url)
    upgrade_database(engine)
    engine.dispose()
    return postgres_server_url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("db") / "monitor.db"
    url = f"sqlite:///{path}"
    engine = build_engine(url)
    upgrade_database(engine)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """A migrated, emptied database, once on SQLite and once on Postgres."""
    url: str = request.getfixturevalue(f"migrated_{request.param}")
    _empty_tables(url)
    return url


def _empty_tables(url: str) -> None:
    engine = build_engine(url)
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # One statement, no per-row triggers: a test may leave a hundred thousand rows.
            names = ", ".join(table.name for table in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY"))
            engine.dispose()
            return
        tables = reversed(Base.metadata.sorted_tables)
        # Last: deleting mentions counts them out of mention_counts (by trigger).
        for table in sorted(tables, key=lambda t: t.name == "mention_counts"):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database={"url": database_url}, collector={"allow_private_networks": True})


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    active = open_runtime(settings)
    yield active
    active.dispose()
