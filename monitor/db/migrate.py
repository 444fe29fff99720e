"""Apply the Alembic migrations in ``migrations/`` to a database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from monitor.db.location import describe_url
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.errors import DatabaseError


def find_migrations_dir() -> Path:
    """The Alembic scripts: ``$MONITOR_MIGRATIONS_DIR``, else the installed ``monitor.migrations``
    package, else ``migrations/`` of the source tree this module runs from."""
    if os.environ.get("MONITOR_MIGRATIONS_DIR"):
        return Path(os.environ["MONITOR_MIGRATIONS_DIR"])
    installed = Path(__file__).resolve().parents[1] / "migrations"
    if (installed / "env.py").is_file():
        return installed
    return Path(__file__).resolve().parents[2] / "migrations"


MIGRATIONS_DIR = find_migrations_dir()


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option(
        "file_template", "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"
    )
    return config


@contextmanager
def reporting_connection_errors(engine: Engine) -> Iterator[None]:
    """A database that cannot be opened is a DatabaseError naming it, not a traceback."""
    try:
        yield
    except OperationalError as exc:
        raise DatabaseError(
            f"cannot open the database {describe_url(str(engine.url))}: {exc.orig}; "
            "check that it runs and that database.url (or MONITOR_DATABASE__URL) is right"
        ) from None


def upgrade_database(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` using the engine's own connection settings."""
    with reporting_connection_errors(engine):
        _upgrade(engine, revision)


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        raw = connection.connection.driver_connection if sqlite else None
        if raw is not None:
            # Outside any transaction (the pragma is a no-op inside one): rebuilding a parent
            # table in batch mode must not cascade into its children.
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                # New indexes are useless to SQLite's planner until it has statistics.
                refresh_planner_statistics(connection)
        finally:
            if raw is not None:
                raw.execute("PRAGMA foreign_keys=ON")
        if raw is not None:
            problems = raw.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise DatabaseError(f"the migration left broken references: {problems[:5]}")


def is_up_to_date(engine: Engine) -> bool:
    """True when the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with reporting_connection_errors(engine), engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current == head
