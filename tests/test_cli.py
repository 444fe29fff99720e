"""The smaller commands: password hashes, query previews, digest previews, key management."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
import yaml
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from monitor.cli import _user_errors, app
from monitor.db.repositories.users import verify_password

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'm.db'}"},
        "brands": [{"name": "Acme", "query": "Acme"}],
    }))
    return path


def test_hash_password_prints_a_hash_the_login_accepts() -> None:
    result = runner.invoke(app, ["user", "hash-password"], input="correct horse\ncorrect horse\n")
    assert result.exit_code == 0
    assert verify_password("correct horse", result.stdout.strip().splitlines()[-1])


def test_hash_password_refuses_short_passwords() -> None:
    result = runner.invoke(app, ["user", "hash-password", "--password", "short"])
    assert result.exit_code == 2


def test_query_test_reports_counts_and_refuses_broken_queries(config: Path) -> None:
    ok = runner.invoke(app, ["query", "test", "Acme NEAR/3 coffee", "--config", str(config)])
    assert ok.exit_code == 0, ok.output
    assert "last 7 days: 0 matches" in ok.stdout
    broken = runner.invoke(app, ["query", "test", "(Acme OR", "--config", str(config)])
    assert broken.exit_code == 2
    assert "column" in broken.output


def test_digest_preview_and_a_bad_week(config: Path) -> None:
    preview = runner.invoke(app, ["digest", "--week", "2026-W47", "--config", str(config)])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith("Subject:")
    assert "Acme" in preview.stdout
    bad = runner.invoke(app, ["digest", "--week", "2026-W99", "--config", str(config)])
    assert bad.exit_code == 2


def test_daily_digest_preview_and_bad_days(config: Path) -> None:
    preview = runner.invoke(app, ["digest", "--daily", "--day", "2026-11-19",
                                  "--config", str(config)])
    assert preview.exit_code == 0, preview.output
    assert preview.stdout.startswith("Subject: Daily brand digest Thu 19 Nov 2026:")
    bad = runner.invoke(app, ["digest", "--day", "19/11/2026", "--config", str(config)])
    assert bad.exit_code == 2
    assert "2026-12-04" in bad.output
    both = runner.invoke(app, ["digest", "--daily", "--week", "2026-W47",
                               "--config", str(config)])
    assert both.exit_code == 2
    assert "--day" in both.output


def test_send_without_email_settings_is_a_clear_error(config: Path) -> None:
    result = runner.invoke(app, ["digest", "--send", "--config", str(config)])
    assert result.exit_code == 2
    assert "notifications.email" in result.output


def test_api_keys_list_and_revoke(config: Path) -> None:
    created = runner.invoke(app, ["apikey", "create", "--name", "ci", "--config", str(config)])
    key = created.stdout.strip().splitlines()[-1]
    listed = runner.invoke(app, ["apikey", "list", "--config", str(config)])
    assert "ci" in listed.stdout
    assert key not in listed.stdout
    assert runner.invoke(app, ["apikey", "revoke", "1", "--config", str(config)]).exit_code == 0
    missing = runner.invoke(app, ["apikey", "revoke", "99", "--config", str(config)])
    assert missing.exit_code == 2
    bad_scope = runner.invoke(app, ["apikey", "create", "--name", "x", "--scope", "root",
                                    "--config", str(config)])
    assert bad_scope.exit_code == 2


def test_a_database_failing_mid_command_is_one_clear_line_and_exit_2(
        capsys: pytest.CaptureFixture[str]) -> None:
    cause = Exception("consuming input failed: server closed the connection unexpectedly\n"
                      "\tThis probably means the server terminated abnormally")
    with pytest.raises(typer.Exit) as stopped, _user_errors():
        raise OperationalError("UPDATE sources SET ...", {}, cause)
    assert stopped.value.exit_code == 2
    printed = capsys.readouterr().err
    assert ("error: the database failed: consuming input failed: server closed the connection "
            "unexpectedly; what was stored stays") in " ".join(printed.split())
    assert "UPDATE" not in printed
