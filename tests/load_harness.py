"""A real `monitor serve` under load: feeds on loopback that always have new posts, a store
seeded with mentions, the server as its own process (tree), collection cycles writing beside it,
and the server's CPU time. Used by tests/test_load.py and bench/load.py."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from pathlib import Path

import httpx
import yaml
from sqlalchemy import func, select

from monitor.config import load_settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.models import Document, Mention
from monitor.db.repositories import (
    ApiKeyRepository,
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import open_runtime
from tests.desk_seed import Doc, _document_row, _mention_row
from tests.load_client import LoadResult, run_load

FEEDS = 8
ITEMS_PER_FEED = 15
LABELS = ("positive", "negative", "neutral", "neutral")
WORDS = ("espresso", "grinder", "refund", "descale", "warranty", "steam", "latte", "crema")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


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
    pid: int
    item_ids: list[int] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "monitor.launch", *args]


def write_config(directory: Path, site: FeedSite, database_url: str | None = None,
                 workers: int = 1) -> Path:
    config = directory / "config.yaml"
    config.write_text(yaml.safe_dump({
        "database": {"url": database_url or f"sqlite:///{directory / 'load.db'}"},
        "collector": {"allow_private_networks": True, "obey_robots": False},
        "api": {"workers": workers},
        "brands": [{"name": "Acme", "query": "Acme"}, {"name": "Globex", "query": "Globex"}],
        "sources": [{"name": f"Feed {i}", "url": f"http://127.0.0.1:{site.port}/f{i}.xml",
                     "kind": "rss", "options": {"max_pages": "0"}} for i in range(FEEDS)],
    }))
    return config


def seed(config: Path, mentions: int) -> tuple[str, list[int]]:
    """``mentions`` mentions over the last 30 days, and a read key; returns the key and the
    first mention ids."""
    settings = load_settings(config)
    if settings.database.url.startswith("postgresql"):
        engine = build_engine(settings.database.url)
        upgrade_database(engine)
        engine.dispose()
    runtime = open_runtime(settings)
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
    with runtime.engine.connect() as connection:
        # What autovacuum (Postgres) or the service (SQLite) would have within a minute of
        # such a bulk load: without it the first minutes plan every query blind.
        refresh_planner_statistics(connection)
        connection.commit()
    with runtime.reads() as session:
        found = list(session.scalars(select(Mention.id).limit(200)))
    runtime.dispose()
    return key, found


@contextmanager
def running_service(config: Path, mentions: int) -> Iterator[Service]:
    """Seed the store named by ``config``, then run `monitor serve` on it until the block ends."""
    key, ids = seed(config, mentions)
    port = free_port()
    server = subprocess.Popen(command("serve", "--config", str(config), "--port", str(port)),
                              env={**os.environ, "MONITOR_CONFIG": str(config)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        wait_until_idle(server.pid)
        yield Service(base, key, config, ids, server.pid)
    finally:
        server.terminate()
        code = server.wait(timeout=60)
    if code != 0:  # every API worker stopped cleanly, and the parent with them
        raise RuntimeError(f"monitor serve exited with {code} on SIGTERM")


def wait_until_up(base: str, server: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if server.poll() is not None:
            raise RuntimeError("monitor serve exited at start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError("monitor serve did not come up")


def wait_until_idle(pid: int, limit: float = 60.0) -> None:
    """Until the server's processes are done starting (every API worker, not only the first
    that answered, has imported and opened the database)."""
    deadline = time.monotonic() + limit
    before = process_tree_cpu(pid)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = process_tree_cpu(pid)
        if now - before < 0.02:
            return
        before = now


MIX = (
    "/api/v1/mentions", "/api/v1/mentions?brand=Acme", "/healthz",
    "/api/v1/mentions?sentiment=negative&limit=20", "/api/v1/alerts",
    "/api/v1/mentions?brand=Globex&kind=post", "/api/v1/mentions?q=espresso",
    "/api/v1/brands", "/api/v1/sources", "/api/v1/inbox?limit=20",
)


def mixed_paths(service: Service) -> list[str]:
    """The read mix: listings, filters, full text, the inbox, alerts, the catalogue, health,
    and single mentions, interleaved."""
    ids = service.mention_ids
    return [p for i in range(len(ids)) for p in (MIX[i % len(MIX)], f"/api/v1/mentions/{ids[i]}")]


class Writer:
    """`monitor collect --once --all` cycles, one after another, until stopped."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.cycles: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            done = subprocess.run(command("collect", "--once", "--all", "--config",
                                          str(self.config)), capture_output=True)
            self.cycles.append(done.returncode)

    def __enter__(self) -> Writer:
        self._thread.start()
        time.sleep(1.0)  # the first cycle is under way: fetching, then storing
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=600)


def warm_up(service: Service, connections: int = 12) -> None:
    """Each route of the mix once on each of ``connections`` new connections, unmeasured, so
    that every API worker (the kernel spreads connections among them) has opened its database
    connections and compiled its statements, as a server that has been up a while has."""
    paths = [*MIX, f"/api/v1/mentions/{service.mention_ids[0]}"]
    for _ in range(connections):
        with httpx.Client(base_url=service.base_url, timeout=30,
                          headers={"Authorization": f"Bearer {service.key}"}) as client:
            for path in paths:
                client.get(path).raise_for_status()


def load(service: Service, paths: list[str], rate: float, seconds: float) -> LoadResult:
    return asyncio.run(run_load(service.base_url, paths, rate=rate, seconds=seconds,
                                headers={"Authorization": f"Bearer {service.key}"}))


def stored_documents(config: Path) -> int:
    runtime = open_runtime(load_settings(config), auto_upgrade=False)
    try:
        with runtime.reads() as session:
            return int(session.scalar(select(func.count()).select_from(Document)) or 0)
    finally:
        runtime.dispose()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by ``pid`` and its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        todo.extend(children.get(current, []))
    return total


def cpu_per_request(service: Service, path: str, requests: int) -> float:
    """The server's CPU milliseconds per request for ``path``, asked one at a time on one
    keep-alive connection (independent of how busy the machine is)."""
    with httpx.Client(base_url=service.base_url, timeout=30,
                      headers={"Authorization": f"Bearer {service.key}"}) as client:
        for _ in range(3):
            client.get(path).raise_for_status()
        before = process_tree_cpu(service.pid)
        for _ in range(requests):
            client.get(path).raise_for_status()
        return (process_tree_cpu(service.pid) - before) * 1000 / requests
