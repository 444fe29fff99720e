"""Load: `monitor serve` (a real uvicorn process) on SQLite answers a steady stream of mixed
reads while `monitor collect` cycles write new documents to the same database.

The short variant runs in the suite and asserts only that nothing failed; the long one
(``--run-slow``) holds 200 req/s for 30 s over 20k mentions and prints its figures.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from monitor.config import load_settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Document, Mention
from monitor.db.repositories import (
    ApiKeyRepository,
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import open_runtime
from tests.desk_seed import Doc, _document_row, _mention_row
from tests.load_client import LoadResult, run_load

FEEDS = 8
ITEMS_PER_FEED = 15
LABELS = ("positive", "negative", "neutral", "neutral")
WORDS = ("espresso", "grinder", "refund", "descale", "warranty", "steam", "latte", "crema")


class FeedSite:
    """RSS feeds on loopback whose every fetch brings new posts that mention Acme."""

    def __init__(self) -> None:
        self.serial = count()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def feed(self, name: str) -> bytes:
        now = datetime.now(UTC)
        items = []
        for _ in range(ITEMS_PER_FEED):
            n = next(self.serial)
            text = (f"Post {n}: the Acme {WORDS[n % len(WORDS)]} is "
                    f"{'wonderful' if n % 2 else 'disappointing'} after a month of daily use. "
                    * 8)
            link = f"http://127.0.0.1:{self.port}/{name}/post-{n}"
            items.append(f"<item><title>Acme post {n}</title><link>{link}</link>"
                         f"<guid>{link}</guid><pubDate>{format_datetime(now)}</pubDate>"
                         f"<description>{text}</description></item>")
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{name}</title>'
                f"<link>http://127.0.0.1:{self.port}/</link>{''.join(items)}</channel></rss>"
                ).encode()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path.endswith(".xml"):
                    body, kind = site.feed(self.path.strip("/")[:-4]), "application/rss+xml"
                else:
                    body, kind = b"<html><body><p>gone</p></body></html>", "text/html"
                self.send_response(200 if kind != "text/html" else 404)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

        return Handler

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Service:
    base_url: str
    key: str
    config: Path
    mention_ids: list[int]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from monitor.cli import app; app()", *args]


def _seed(config: Path, mentions: int) -> tuple[str, list[int]]:
    runtime = open_runtime(load_settings(config))
    sync_config(runtime)
    start = datetime.now(UTC) - timedelta(days=30)
    with unit_of_work(runtime.sessions) as session:
        sources = SourceRepository(session).list_all()
        brands = {b.name: b.id for b in BrandRepository(session).list_all()}
        docs = [Doc(f"seed-{i}", start + timedelta(seconds=i * 120), {
            ("Acme" if i % 3 else "Globex"): LABELS[i % 4]},
            title=f"Seeded {i}", text=f"Acme {WORDS[i % len(WORDS)]} thoughts number {i}.",
            thread_url=f"https://seed.example/t/{i % 500}")
            for i in range(mentions)]
        ids = DocumentRepository(session).insert_new(
            [_document_row(d, sources[i % len(sources)].id) for i, d in enumerate(docs)])
        MentionRepository(session).insert_many([
            _mention_row(d, ids[d.key], brands[brand], label)
            for d in docs for brand, label in d.brands.items()])
        key = ApiKeyRepository(session).create("load", ["read"], datetime.now(UTC)).key
    with runtime.reads() as session:
        found = list(session.scalars(select(Mention.id).limit(200)))
    runtime.dispose()
    return key, found


@pytest.fixture
def feed_site() -> Iterator[FeedSite]:
    site = FeedSite()
    yield site
    site.close()


def _service(tmp_path: Path, site: FeedSite, mentions: int) -> Iterator[Service]:
    port = _free_port()
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": f"sqlite:///{tmp_path / 'load.db'}"},
        "collector": {"allow_private_networks": True, "obey_robots": False},
        "brands": [{"name": "Acme", "query": "Acme"}, {"name": "Globex", "query": "Globex"}],
        "sources": [{"name": f"Feed {i}", "url": f"http://127.0.0.1:{site.port}/f{i}.xml",
                     "kind": "rss", "options": {"max_pages": "0"}} for i in range(FEEDS)],
    }))
    key, ids = _seed(config, mentions)
    server = subprocess.Popen(_command("serve", "--config", str(config), "--port", str(port)),
                              env={**os.environ, "MONITOR_CONFIG": str(config)})
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server)
        yield Service(base, key, config, ids)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("monitor serve exited at start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("monitor serve did not come up")


def _paths(service: Service) -> list[str]:
    ids = service.mention_ids
    mix = [
        "/api/v1/mentions", "/api/v1/mentions?brand=Acme", "/healthz",
        "/api/v1/mentions?sentiment=negative&limit=20", "/api/v1/alerts",
        "/api/v1/mentions?brand=Globex&kind=post", "/api/v1/mentions?q=espresso",
        "/api/v1/brands", "/api/v1/sources",
    ]
    return [p for i in range(len(ids)) for p in (mix[i % len(mix)], f"/api/v1/mentions/{ids[i]}")]


def _under_writes(service: Service, rate: float, seconds: float) -> tuple[LoadResult, int]:
    """Run the load while collection cycles follow one another; returns the load figures and
    how many cycles completed (each must have exited 0)."""
    stop = threading.Event()
    cycles: list[int] = []

    def collect() -> None:
        while not stop.is_set():
            done = subprocess.run(_command("collect", "--once", "--all", "--config",
                                           str(service.config)), capture_output=True)
            cycles.append(done.returncode)

    writer = threading.Thread(target=collect)
    writer.start()
    time.sleep(1.0)  # the first cycle is under way: fetching, then storing
    try:
        result = asyncio.run(run_load(service.base_url, _paths(service), rate=rate,
                                      seconds=seconds,
                                      headers={"Authorization": f"Bearer {service.key}"}))
    finally:
        stop.set()
        writer.join(timeout=600)
    print(json.dumps({"cycles": cycles, **result.summary()}))
    assert cycles, "no collection cycle ran"
    assert set(cycles) == {0}, cycles
    return result, len(cycles)


def _stored_documents(config: Path) -> int:
    runtime = open_runtime(load_settings(config))
    try:
        with runtime.reads() as session:
            return int(session.scalar(select(func.count()).select_from(Document)) or 0)
    finally:
        runtime.dispose()


def test_mixed_reads_while_a_cycle_writes_have_no_errors(tmp_path: Path,
                                                         feed_site: FeedSite) -> None:
    for service in _service(tmp_path, feed_site, mentions=2000):
        result, _cycles = _under_writes(service, rate=10, seconds=4)
        assert result.errors == 0, result.statuses
        assert result.completed == 40
        assert _stored_documents(service.config) > 2000  # the cycles did write


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_200_requests_a_second_for_30_s_over_20k_mentions_while_cycles_write(
        tmp_path: Path, feed_site: FeedSite) -> None:
    for service in _service(tmp_path, feed_site, mentions=20_000):
        result, _cycles = _under_writes(service, rate=200, seconds=30)
        assert result.errors == 0, result.statuses
        assert result.percentile(0.99) < 0.250, result.summary()
        assert _stored_documents(service.config) > 20_000
