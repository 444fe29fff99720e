"""`monitor doctor` over real things: a SQLite database, a loopback Slack receiver, aiosmtpd."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiosmtpd.controller import Controller
from sqlalchemy import update
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import load_settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Source
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import open_runtime
from tests.notify.conftest import Receiver, receiver
from tests.notify.test_email import Mailbox, free_port

__all__ = ["receiver"]
runner = CliRunner()


@pytest.fixture
def smtp_port() -> Iterator[int]:
    port = free_port()
    controller = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port
    controller.stop()


def _config(tmp_path: Path, slack_url: str, smtp_port: int, **extra: Any) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'm.db'}"},
        "brands": [{"name": "Acme", "query": "Acme"}],
        "sources": [{"name": "Blog", "url": "https://blog.example/feed"},
                    {"name": "Forum", "url": "https://forum.example/latest.rss"}],
        "notifications": {
            "slack": {"webhook_url": slack_url},
            "email": {"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "starttls": False,
                      "sender": "monitor@example.com", "recipients": ["cm@example.com"]}},
        **extra,
    }))
    return path


def _store_sources(config: Path, forum_errors: int) -> None:
    runtime = open_runtime(load_settings(config))
    sync_config(runtime)
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Source).values(last_success_at=datetime.now(UTC), error_count=0))
        session.execute(update(Source).where(Source.name == "Forum").values(
            error_count=forum_errors, last_error="HTTP 503 from forum.example"))
    runtime.dispose()


def _lines(output: str) -> dict[str, str]:
    """check -> level, from lines like ``fail  source Forum: failed 3 time(s) …``."""
    pairs = (line.split(maxsplit=1) for line in output.splitlines() if ": " in line)
    return {rest.split(": ", 1)[0]: level for level, rest in pairs}


def test_all_well_exits_zero_and_names_each_check(tmp_path: Path, receiver: Receiver,
                                                  smtp_port: int) -> None:
    config = _config(tmp_path, receiver.url, smtp_port)
    _store_sources(config, forum_errors=0)
    result = runner.invoke(app, ["doctor", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert _lines(result.output) == {
        "config": "ok", "database": "ok", "migrations": "ok", "source Blog": "ok",
        "source Forum": "ok", "slack": "ok", "smtp": "ok", "email": "ok"}
    assert receiver.requests == []  # only connected to: nothing posted to Slack
    assert "email: sends the weekly digest (mon 08:00 UTC)" in result.output


def _email_config(tmp_path: Path, smtp_port: int, email: dict[str, Any],
                  digest: dict[str, Any]) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'm.db'}"},
        "notifications": {"timezone": "Europe/Berlin", "digest": digest, "email": {
            "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "starttls": False,
            "sender": "monitor@example.com", "recipients": ["cm@example.com"], **email}}}))
    return path


def test_the_email_channel_is_reported_with_what_it_carries(tmp_path: Path,
                                                            smtp_port: int) -> None:
    config = _email_config(tmp_path, smtp_port, {
        "alerts": True, "alert_min_severity": "warning",
        "alert_recipients": ["oncall@example.com", "lead@example.com"]},
        {"daily": True, "at": "07:30"})
    result = runner.invoke(app, ["doctor", "--config", str(config)])
    assert _lines(result.output)["email"] == "ok"
    assert ("email: sends warning alerts and above to 2 recipient(s), the weekly digest "
            "(mon 07:30 Europe/Berlin), the daily digest (07:30 Europe/Berlin)"
            in " ".join(result.output.split()))


def test_an_email_channel_that_carries_nothing_is_a_warning(tmp_path: Path,
                                                          smtp_port: int) -> None:
    config = _email_config(tmp_path, smtp_port, {}, {"enabled": False})
    result = runner.invoke(app, ["doctor", "--config", str(config)])
    assert _lines(result.output)["email"] == "warn"
    assert "configured but unused" in result.output


def test_a_failing_source_and_an_smtp_server_down_exit_one(tmp_path: Path,
                                                            receiver: Receiver) -> None:
    config = _config(tmp_path, receiver.url, free_port())
    _store_sources(config, forum_errors=3)
    result = runner.invoke(app, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    lines = _lines(result.output)
    assert lines["source Forum"] == "fail"
    assert "HTTP 503 from forum.example" in result.output
    assert lines["smtp"] == "fail"
    assert lines["source Blog"] == "ok"


def test_a_database_behind_its_migrations_or_a_bad_config_exit_one(
        tmp_path: Path, receiver: Receiver, smtp_port: int) -> None:
    config = _config(tmp_path, receiver.url, smtp_port)
    (tmp_path / "m.db").touch()  # exists, never migrated
    result = runner.invoke(app, ["doctor", "--config", str(config)])
    assert result.exit_code == 1
    assert _lines(result.output)["migrations"] == "fail"
    assert "monitor db upgrade" in result.output
    broken = _config(tmp_path, receiver.url, smtp_port, log_level="LOUD")
    result = runner.invoke(app, ["doctor", "--config", str(broken)])
    assert result.exit_code == 1
    assert "log_level" in result.output
