"""A newcomer's first hour: no silent switch-off, --config anywhere, errors that name the fix."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from monitor.cli import NO_CONFIG, app
from monitor.config import load_settings
from monitor.db.repositories import SourceRepository
from monitor.demo.guard import check_port_free, holding_demo_lock
from monitor.demo.site import DemoSite
from monitor.errors import ConfigError, DatabaseError
from monitor.pipeline.jobs import SourceJob
from monitor.runtime import open_runtime

runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_config_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


def _write_config(path: Path, database: Path, sources: dict[str, str], **extra: object) -> Path:
    path.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{database}"},
        "collector": {"allow_private_networks": True},
        "brands": [{"name": "Acme", "query": "Acme"}],
        "sources": [{"name": n, "url": u} for n, u in sources.items()],
        **extra,
    }))
    return path


def _enabled_sources(config: Path) -> list[str]:
    runtime = open_runtime(load_settings(config))
    try:
        with runtime.reads() as session:
            return sorted(s.name for s in SourceRepository(session).list_enabled())
    finally:
        runtime.dispose()


def test_collect_without_a_config_refuses_and_disables_nothing(
    tmp_path: Path, site: DemoSite
) -> None:
    config = _write_config(tmp_path / "real.yaml", tmp_path / "monitor.db", site.feed_urls)
    assert runner.invoke(app, ["sources", "list", "--config", str(config)]).exit_code == 0
    assert runner.invoke(app, ["query", "test", "Acme", "--config", str(config)]).exit_code == 0
    before = _enabled_sources(config)
    assert len(before) == 2

    result = runner.invoke(app, ["collect", "--once"])
    assert result.exit_code == 2
    assert NO_CONFIG in result.output
    assert _enabled_sources(config) == before


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_is_accepted_before_or_after_the_command(tmp_path: Path, where: str) -> None:
    config = _write_config(tmp_path / "c.yaml", tmp_path / "m.db", {})
    command = ["query", "test", "Acme"]
    args = (["--config", str(config), *command] if where == "before"
            else [*command, "--config", str(config)])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "last 7 days: 0 matches" in result.stdout


def test_the_environment_names_the_config_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _write_config(tmp_path / "c.yaml", tmp_path / "m.db", {})
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    assert runner.invoke(app, ["query", "test", "Acme"]).exit_code == 0


def test_a_config_that_drops_every_source_needs_yes(tmp_path: Path, site: DemoSite) -> None:
    database = tmp_path / "m.db"
    real = _write_config(tmp_path / "real.yaml", database, site.feed_urls)
    assert runner.invoke(app, ["query", "test", "Acme", "-c", str(real)]).exit_code == 0
    empty = _write_config(tmp_path / "empty.yaml", database, {})

    refused = runner.invoke(app, ["query", "test", "Acme", "-c", str(empty)])
    assert refused.exit_code == 2
    assert "disables them all" in refused.output
    assert "--yes" in refused.output
    assert len(_enabled_sources(real)) == 2

    applied = runner.invoke(app, ["--yes", "query", "test", "Acme", "-c", str(empty)])
    assert applied.exit_code == 0, applied.output
    assert _enabled_sources(real) == []


def test_a_missing_database_directory_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such" / "dir"
    config = _write_config(tmp_path / "c.yaml", missing / "monitor.db", {})
    result = runner.invoke(app, ["db", "upgrade", "--config", str(config)])
    assert result.exit_code == 2
    assert str(missing) in result.output
    assert "does not exist" in result.output
    assert "MONITOR_DATABASE__URL" in result.output
    assert "Traceback" not in result.output
    debug = runner.invoke(app, ["--debug", "db", "upgrade", "--config", str(config)])
    assert isinstance(debug.exception, DatabaseError)


def test_a_private_address_refusal_names_the_setting(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'm.db'}"},
        "sources": [{"name": "Local", "url": "http://127.0.0.1:9/feed/"}],
    }))
    result = runner.invoke(app, ["collect", "--once", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "collector.allow_private_networks" in result.stdout
    assert "MONITOR_COLLECTOR__ALLOW_PRIVATE_NETWORKS" in result.stdout
    assert "0 fetched, 0 not modified, 1 failed" in result.stdout
    listing = runner.invoke(app, ["sources", "list", "--config", str(config)])
    assert "failing" in listing.stdout
    assert "Local" in listing.stdout


def test_a_program_error_is_reported_once_and_blames_no_source(
    tmp_path: Path, site: DemoSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken_install(job: SourceJob, _fetcher: object) -> tuple[SourceJob, Exception]:
        return job, ImportError("lxml.html.clean module is now a separate project")

    monkeypatch.setattr(SourceJob, "fetch", broken_install)
    config = _write_config(tmp_path / "c.yaml", tmp_path / "m.db", site.feed_urls)
    result = runner.invoke(app, ["collect", "--once", "--all", "--config", str(config)])
    assert result.exit_code == 1
    assert result.output.count("lxml.html.clean") == 1
    assert "itself failed" in result.output
    runtime = open_runtime(load_settings(config))
    with runtime.reads() as session:
        assert all(s.error_count == 0 for s in SourceRepository(session).list_all())
    runtime.dispose()


def test_a_running_demo_is_left_alone(tmp_path: Path) -> None:
    directory = tmp_path / "demo"
    with holding_demo_lock(directory, _free_port()):
        (directory / "monitor.db").write_text("live data")
        with pytest.raises(ConfigError, match="already running"), \
                holding_demo_lock(directory, _free_port()):
            pass
        assert (directory / "monitor.db").read_text() == "live data"


def test_a_busy_port_is_named() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ConfigError, match=f"port {port} .* already in use"):
            check_port_free(port)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
