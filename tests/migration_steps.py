"""For tests of one migration: a step down (the empty database on each backend is the
``empty_url`` fixture of tests/conftest.py)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine

from monitor.db.migrate import alembic_config


def downgrade_database(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection, connection.begin():
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
