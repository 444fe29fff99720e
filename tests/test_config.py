"""Settings: YAML file, environment overrides, and errors that name the key."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from monitor.config import Settings, load_settings
from monitor.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_the_example_config_is_valid() -> None:
    settings = load_settings(REPO / "config.example.yaml")
    assert settings.brands[0].name == "Acme"
    assert settings.sources[0].interval == timedelta(minutes=30)
    assert settings.collector.allow_private_networks is False
    assert settings.notifications.email is not None
    assert settings.notifications.email.recipients == ["community@example.com"]


def test_secrets_are_not_printed(tmp_path: Path) -> None:
    settings = load_settings(REPO / "config.example.yaml")
    assert "change-me" not in repr(settings)
    assert settings.notifications.slack is not None
    assert "not-a-real-secret" not in str(settings.notifications.slack)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, "database:\n  url: sqlite:///a.db\ncollector:\n  timeout: 5s\n")
    monkeypatch.setenv("MONITOR_DATABASE__URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("MONITOR_COLLECTOR__ALLOW_PRIVATE_NETWORKS", "true")
    settings = load_settings(path)
    assert settings.database.url == "postgresql+psycopg://u@h/db"
    assert settings.collector.allow_private_networks is True
    assert settings.collector.timeout == timedelta(seconds=5)


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONITOR_CONFIG", str(_write(tmp_path, "log_level: INFO\n")))
    assert load_settings().log_level == "INFO"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sources:\n  - {name: a, url: ftp://x/feed, interval: 30m}\n", "sources.0.url"),
        ("sources:\n  - {name: a, url: https://x/feed, interval: soon}\n", "sources.0.interval"),
        ("sources:\n  - {name: a, url: https://x/feed, interval: 5s}\n", "at least 1m"),
        ("sources:\n  - {name: a, url: https://x/feed, kind: tiktok}\n", "sources.0.kind"),
        ("databse:\n  url: sqlite:///x.db\n", "databse"),
        ("collector:\n  max_bytes: -1\n", "collector.max_bytes"),
        ("brands:\n  - {name: A, query: a}\n  - {name: a, query: b}\n", "duplicate brand"),
        ("notifications:\n  email: {smtp_host: h, sender: s, recipients: []}\n",
         "notifications.email.recipients"),
        ("- just\n- a list\n", "top level must be a mapping"),
        ("database: [unclosed\n", "not valid YAML"),
        ("notifications:\n  quiet_hours: {start: 22:00, end: '07:00'}\n", "in quotes"),
        ("notifications:\n  timezone: Mars/Olympus\n", "unknown time zone"),
        ("alerts:\n  rules: [{name: r, query: 'a AND'}]\n", "alerts.rules.0.query"),
        ("notifications:\n  digest: {daily: true}\n", "digest.daily needs an SMTP server"),
        ("notifications:\n  email: {smtp_host: h, sender: m@example.com, recipients: [a@x.org],"
         " alert_min_severity: critical}\n", "add `alerts: true`"),
        ("notifications:\n  email: {smtp_host: h, sender: m@example.com, recipients: [a@x.org],"
         " alerts: true, alert_min_severity: urgent}\n",
         "notifications.email.alert_min_severity"),
        ("notifications:\n  email: {smtp_host: h, sender: m@example.com, recipients: [a@x.org],"
         " alerts: true, alert_recipients: [oncall]}\n",
         "notifications.email.alert_recipients.0"),
        ("notifications:\n  email: {smtp_host: h, sender: monitor, recipients: [a@x.org]}\n",
         "not an e-mail address"),
    ],
)
def test_invalid_config_names_the_key(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError, match=expected.replace(".", r"\.")):
        load_settings(_write(tmp_path, text))


def test_broken_brand_query_is_refused_with_its_position(tmp_path: Path) -> None:
    path = _write(tmp_path, "brands:\n  - name: Acme\n    query: '(Acme OR Globex'\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    message = str(caught.value)
    assert "brands.0.query" in message
    assert "column" in message


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        load_settings(tmp_path / "nope.yaml")


def test_cli_reports_bad_config_without_traceback(tmp_path: Path) -> None:
    path = _write(tmp_path, "sources:\n  - {name: a, url: nope}\n")
    result = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "collect", "--once", "--config", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 2
    assert "sources.0.url" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_demo_never_deletes_a_database_it_did_not_write(tmp_path: Path) -> None:
    from monitor.demo.run import write_demo_config
    from monitor.demo.site import DemoSite

    (tmp_path / "monitor.db").write_bytes(b"precious")
    with DemoSite() as site, pytest.raises(ConfigError, match="did not write"):
        write_demo_config(tmp_path, site, 8000)
    assert (tmp_path / "monitor.db").read_bytes() == b"precious"
    demo_dir = tmp_path / "demo"
    with DemoSite() as site:
        write_demo_config(demo_dir, site, 8000)
        (demo_dir / "monitor.db").write_bytes(b"old demo data")
        write_demo_config(demo_dir, site, 8000)  # its own: started afresh
    assert not (demo_dir / "monitor.db").exists()


def test_the_readme_source_examples_are_valid() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)]
    examples = [b["sources"] for b in blocks if isinstance(b, dict) and "sources" in b]
    kinds = {s.get("kind") for sources in examples for s in sources}
    assert {"rss", "blog", "discourse", "reddit", "hackernews", "search"} <= kinds
    for sources in examples:
        Settings(sources=sources)


def test_the_readme_notification_example_is_valid() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", readme, re.DOTALL)]
    examples = [b["notifications"] for b in blocks if isinstance(b, dict)
                and "notifications" in b]
    assert examples
    for notifications in examples:
        settings = Settings(notifications=notifications)
        email = settings.notifications.email
        assert email is not None
        assert email.alerts is True
        assert settings.notifications.digest.daily is True


def test_a_stopped_holders_claims_are_free_in_about_a_minute_by_default() -> None:
    # Not the 15 minutes claims once lasted: the heartbeat renews them every quarter of this.
    assert Settings().workers.lease == timedelta(minutes=1)
