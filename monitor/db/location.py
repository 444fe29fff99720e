"""Where a database lives, checked before connecting so the error names the path and the fix."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url

from monitor.errors import DatabaseError

FIX = "fix database.url in the config (or MONITOR_DATABASE__URL)"


def describe_url(url: str) -> str:
    """The URL without its password, fit for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported as given, minus nothing to hide
        return url


def check_sqlite_location(url: str) -> None:
    """Raise DatabaseError when a SQLite file's directory is missing or is not a directory."""
    parsed = make_url(url)
    database = parsed.database
    if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
        return
    directory = Path(database).expanduser().resolve().parent
    if not directory.exists():
        raise DatabaseError(
            f"the database directory {directory} does not exist: create it "
            f"(mkdir -p {directory}) or {FIX}"
        )
    if not directory.is_dir():
        raise DatabaseError(f"{directory} (the database's directory) is not a directory: {FIX}")
