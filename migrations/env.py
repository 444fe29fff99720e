"""Alembic environment: runs on a connection handed over by monitor.db.migrate, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from monitor.db.engine import build_engine
from monitor.db.models import Base

config = context.config
target_metadata = Base.metadata


def _include(obj: object, name: str | None, type_: str, reflected: bool, _other: object) -> bool:
    # Full-text search (FTS5 tables on SQLite, a GIN index on Postgres) is made by hand in
    # its migration, not from the models.
    if type_ == "index" and name == "ix_documents_search":
        return False
    return not (type_ == "table" and reflected and (name or "").startswith("documents_fts"))


def run_on(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    engine = build_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_online()
