"""Config → `monitor collect --once` → mentions through the API, as a user would do it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml

from monitor.demo.site import DemoSite

# Whole processes (collect, serve, run) on a busy machine can outlast the default limit.
pytestmark = pytest.mark.timeout(600)


def _monitor(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", *args, "--config", str(config)],
        capture_output=True, text=True, timeout=480, check=False, env=env,
    )


@pytest.fixture
def site() -> Iterator[DemoSite]:
    with DemoSite() as demo:
        yield demo


@pytest.fixture
def config(tmp_path: Path, database_url: str, site: DemoSite) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({
        "database": {"url": database_url},
        "collector": {"allow_private_networks": True},
        "brands": [{"name": "Acme", "query": "Acme"}, {"name": "Globex", "query": "Globex"}],
        "sources": [
            *({"name": n, "url": u} for n, u in site.feed_urls.items()),
            {"name": "Gone", "url": f"{site.base_url}/missing/feed/"},
        ],
    }))
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def api(config: Path) -> Iterator[str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    server = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "serve", "--config", str(config),
         "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            error = server.stderr.read() if server.stderr else b""
            raise AssertionError(f"server exited: {error!r}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("server did not come up")


def test_collect_then_read_mentions_through_the_api(config: Path, api: str) -> None:
    collected = _monitor("collect", "--once", config=config)
    assert collected.returncode == 0, collected.stderr
    assert "sources: 2 fetched, 0 not modified, 1 failed, 0 skipped" in collected.stdout
    assert "failed: Gone" in collected.stdout
    assert "404" in collected.stdout
    assert "next attempt" in collected.stdout

    created = _monitor("apikey", "create", "--name", "e2e", config=config)
    key = created.stdout.strip().splitlines()[-1]
    assert key.startswith("bm_")

    assert httpx.get(f"{api}/api/v1/mentions").status_code == 401
    headers = {"Authorization": f"Bearer {key}"}
    items = httpx.get(f"{api}/api/v1/mentions", headers=headers,
                      params={"limit": 200}).json()["items"]
    pairs = [(i["brand"], i["url"]) for i in items]
    assert len(pairs) == len(set(pairs))  # nothing twice

    billing = next(i for i in items if i["url"].endswith("#comment-1101"))
    assert billing["brand"] == "Acme"
    assert billing["kind"] == "comment"
    assert billing["author"] == "Sofia"
    assert billing["sentiment"]["label"] == "negative"
    assert billing["thread"]["title"]

    launch = [i for i in items if i["brand"] == "Globex" and i["kind"] == "post"]
    assert [i["title"] for i in launch] == ["Globex launches the Duo 2 espresso machine"]

    again = _monitor("collect", "--once", "--all", config=config)
    assert again.returncode == 0
    assert "0 new documents, 0 new mentions" in again.stdout


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return subprocess.Popen([sys.executable, "-m", "monitor.cli", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _poll_mentions(base: str, key: str) -> list[dict[str, object]]:
    headers = {"Authorization": f"Bearer {key}"}
    for _ in range(300):
        try:
            items: list[dict[str, object]] = httpx.get(
                f"{base}/api/v1/mentions", headers=headers, timeout=2).json()["items"]
        except httpx.TransportError:
            items = []
        if items:
            return items
        time.sleep(0.1)
    raise AssertionError("no mentions appeared")


def test_run_collects_on_schedule_and_serves(config: Path, tmp_path: Path) -> None:
    created = _monitor("apikey", "create", "--name", "run", config=config)
    key = created.stdout.strip().splitlines()[-1]
    port = _free_port()
    process = _start(["run", "--config", str(config), "--port", str(port)], tmp_path)
    try:
        items = _poll_mentions(f"http://127.0.0.1:{port}", key)
        assert {i["brand"] for i in items} <= {"Acme", "Globex"}
    finally:
        _stop(process)


def test_demo_prints_a_key_that_reads_its_mentions(tmp_path: Path) -> None:
    port = _free_port()
    process = _start(["demo", "--directory", str(tmp_path / "demo"), "--port", str(port)],
                     tmp_path)
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not (lines and lines[-1].startswith("API key:")):
            line = process.stdout.readline()
            assert line, f"demo exited early: {process.stderr.read() if process.stderr else ''}"
            lines.append(line.strip())
        key = lines[-1].split()[-1]
        assert any(f"http://127.0.0.1:{port}" in line for line in lines)
        items = _poll_mentions(f"http://127.0.0.1:{port}", key)
        assert any(i["brand"] == "Acme" and i["kind"] == "comment" for i in items)
        alerts = httpx.get(f"http://127.0.0.1:{port}/api/v1/alerts",
                           headers={"Authorization": f"Bearer {key}"}).json()["items"]
        assert [a["kind"] for a in alerts] == ["rule_match"]  # news after the first crawl
        process.terminate()  # as Ctrl-C or a service manager would stop it
        assert process.wait(timeout=60) == 0
        assert "Traceback" not in (process.stderr.read() if process.stderr else "")
    finally:
        _stop(process)
