"""Helpers for tests that run `monitor` as real processes: feeds on loopback, process trees."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.collectors.conftest import FixtureServer, Reply

BRAND_EVERY = 3  # every third item names the brand
PARAGRAPH = ("The espresso machine arrived on time and the milk frother works as described. "
             "Descaling takes ten minutes, the manual is clear, and the grinder is quiet. ")


def render_feed(base: str, feed: int, items: int) -> bytes:
    """An RSS feed of full-text items, long enough to be parsed in the worker pool. Each
    post's page (its thread) is a 404 on the same server: fetched once, then backed off."""
    entries = []
    for item in range(items):
        brand = "Acme is great, " if (feed + item) % BRAND_EVERY == 0 else ""
        entries.append(
            f"<item><title>Post {feed}-{item}</title>"
            f"<link>{base}/post/{feed}/{item}</link>"
            f"<guid>feed-{feed}-item-{item}</guid>"
            f"<pubDate>Mon, 30 Nov 2026 10:{item:02d}:00 GMT</pubDate>"
            f"<content:encoded><![CDATA[<p>{brand}{PARAGRAPH * 4}</p>]]></content:encoded>"
            f"</item>")
    return ('<?xml version="1.0"?><rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/">'
            f"<channel><title>Feed {feed}</title><link>{base}/</link>{''.join(entries)}"
            "</channel></rss>").encode()


def expected_mentions(feeds: int, items: int) -> int:
    return sum(1 for f in range(feeds) for i in range(items) if (f + i) % BRAND_EVERY == 0)


def feed_server(feeds: int, items: int, delay: Callable[[int], float] | None = None
                ) -> FixtureServer:
    server = FixtureServer()
    for feed in range(feeds):
        body = render_feed(server.base_url, feed, items)
        server.routes[f"/feed/{feed}.xml"] = Reply(
            200, body, {"Content-Type": "application/rss+xml"},
            delay_s=delay(feed) if delay else 0.0)
    return server.start()


def write_config(path: Path, database_url: str, server: FixtureServer, feeds: int,
                 **sections: Mapping[str, Any]) -> Path:
    config: dict[str, Any] = {
        **sections,
        "database": {"url": database_url},
        "collector": {"allow_private_networks": True, "obey_robots": False,
                      "per_host_batch": 1000, "per_host_concurrency": 16,
                      **sections.get("collector", {})},
        "workers": {"lease": "3s", "tick": "1s", **sections.get("workers", {})},
        "brands": [{"name": "Acme", "query": "Acme"}],
        "sources": [{"name": f"Feed {n}", "url": server.url(f"/feed/{n}.xml"), "kind": "rss",
                     "interval": "12h"} for n in range(feeds)],
        "log_level": "INFO",
    }
    path.write_text(yaml.safe_dump(config))
    return path


def start_monitor(args: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    with log.open("ab") as sink:
        return subprocess.Popen([sys.executable, "-m", "monitor.cli", *args], env=env,
                                cwd=cwd, stdout=sink, stderr=sink)


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            children.setdefault(stat[1], []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def running(pids: set[int]) -> set[int]:
    """Those of ``pids`` that still run (a zombie has finished)."""
    return {p for p in pids if (stat := _stat(p)) is not None and stat[0] != "Z"}


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str,
             process: subprocess.Popen[bytes] | None = None, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        if process is not None and process.poll() is not None:
            detail = log.read_text(errors="replace")[-3000:] if log else ""
            raise AssertionError(f"process exited ({process.returncode}) before {what}:\n"
                                 f"{detail}")
        time.sleep(0.1)
    detail = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out waiting for {what}\n{detail}")


def stop(process: subprocess.Popen[bytes], signum: int = signal.SIGTERM,
         timeout: float = 60) -> int:
    if process.poll() is None:
        process.send_signal(signum)
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise
