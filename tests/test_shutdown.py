"""SIGTERM and SIGINT end every long-running command cleanly: exit 0, no process left behind,
no claim left held. Each test starts the real command, signals it mid-cycle and looks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from monitor.db.engine import build_engine
from monitor.db.models import Source
from tests.collectors.conftest import FixtureServer
from tests.process_support import (
    descendants,
    feed_server,
    running,
    start_monitor,
    stop,
    wait_for,
    write_config,
)
from tests.test_end_to_end import _free_port

pytestmark = pytest.mark.timeout(300)
FEEDS, ITEMS = 6, 12
SLOW = {3, 4, 5}  # these feeds answer only after the test is over: the cycle is mid-way


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    site = feed_server(FEEDS, ITEMS, delay=lambda n: 40.0 if n in SLOW else 0.0)
    yield site
    site.stop()


def _claim_holders(database_url: str) -> set[str | None]:
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            return set(connection.scalars(select(Source.claimed_by)))
    finally:
        engine.dispose()


def _signal_mid_cycle(database_url: str, server: FixtureServer, tmp_path: Path,
                      args: list[str], signum: int) -> tuple[int, set[int], Path]:
    """Start ``monitor *args`` on the fixture feeds, wait until the parse pool runs and the slow
    feeds are being fetched, then signal; its exit code, its children and its log."""
    config = write_config(tmp_path / "config.yaml", database_url, server, FEEDS)
    log = tmp_path / f"{args[0]}.log"
    process = start_monitor([*args, "--config", str(config)], tmp_path, log)
    wait_for(lambda: bool(descendants(process.pid)) and all(
        server.requests_for(f"/feed/{n}.xml") for n in SLOW), 60, "the cycle to be mid-way",
        process, log)
    children = descendants(process.pid)
    return stop(process, signum), children, log


def _assert_clean_exit(code: int, children: set[int], log: Path, expected: int = 0) -> str:
    """The exit code, no process left behind, no traceback; returns the log."""
    text = log.read_text(errors="replace")
    assert code == expected, text[-3000:]
    wait_for(lambda: not running(children), 20, "the parse pool's processes to end")
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-4000:]
    return text


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_run_ends_cleanly_mid_cycle(
    database_url: str, server: FixtureServer, tmp_path: Path, signum: int
) -> None:
    code, children, log = _signal_mid_cycle(database_url, server, tmp_path,
                                            ["run", "--port", str(_free_port())], signum)
    _assert_clean_exit(code, children, log)
    assert _claim_holders(database_url) == {None}  # the slow feeds are free for others


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_collect_once_stopped_mid_cycle_says_so_and_frees_what_it_claimed(
    database_url: str, server: FixtureServer, tmp_path: Path, signum: int
) -> None:
    code, children, log = _signal_mid_cycle(database_url, server, tmp_path,
                                            ["collect", "--once", "--all"], signum)
    # Interrupted, and the shell can tell.
    text = _assert_clean_exit(code, children, log, expected=128 + signum)
    assert f"stopped by {signal.Signals(signum).name}" in text
    assert _claim_holders(database_url) == {None}  # the next cycle takes the slow feeds


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_worker_ends_cleanly_mid_cycle(
    migrated_postgres: str, server: FixtureServer, tmp_path: Path, signum: int
) -> None:
    from tests.conftest import _empty_tables

    _empty_tables(migrated_postgres)
    health = tmp_path / "alive"
    code, children, log = _signal_mid_cycle(migrated_postgres, server, tmp_path,
                                            ["worker", "--health-file", str(health)], signum)
    _assert_clean_exit(code, children, log)
    assert health.exists()
    assert _claim_holders(migrated_postgres) == {None}


def test_serve_ends_cleanly_on_sigterm(
    database_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    config = write_config(tmp_path / "config.yaml", database_url, server, FEEDS)
    log = tmp_path / "serve.log"
    port = _free_port()
    process = start_monitor(["serve", "--config", str(config), "--port", str(port)],
                            tmp_path, log)

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(healthy, 60, "the API to answer", process, log)
    assert stop(process) == 0, log.read_text(errors="replace")
    assert not server.requests  # the API alone never collects


def test_worker_refuses_sqlite(migrated_sqlite: str, tmp_path: Path) -> None:
    site = feed_server(1, 1)
    site.stop()
    config = write_config(tmp_path / "config.yaml", migrated_sqlite, site, 1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    result = subprocess.run(
        [sys.executable, "-m", "monitor.cli", "worker", "--config", str(config)],
        capture_output=True, text=True, timeout=60, check=False, cwd=tmp_path, env=env)
    assert result.returncode == 2
    assert "needs Postgres" in result.stderr
    assert "monitor run" in result.stderr
    assert "Traceback" not in result.stderr
