"""End to end: `monitor collect --once --all` over full-text feeds on loopback, against plain
whole-document VADER over the same texts.

2,000 generated full-text feed items (seeded; lengths from about 800 to 15,000 characters,
median about 3,500; 7% name one of 20 brands) are served as 100 WordPress-style RSS feeds of 20
items each, spread over 10 loopback addresses (127.0.0.1-10, so 10 hosts as the per-host
limits see them). Each item advertises its comment feed, as WordPress does; those are empty,
so the texts collected are exactly the 2,000 items. Each round:

* the baseline: ``SentimentIntensityAnalyzer().polarity_scores`` on every item's title and
  text, in this process;
* for each database: a fresh scratch database with the schema applied (not timed), then
  ``monitor collect --once --all`` as a subprocess, timed from start to exit: start-up,
  config sync, fetch, parse, analysis and storage. The stored documents are counted
  afterwards, so a run that stored nothing cannot pass for a fast one.

Figures are min/median of the rounds; the ratio is taken per round; the last line is JSON::

    .venv/bin/python bench/collect_e2e.py [--rounds 3] [--postgres postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from xml.sax.saxutils import escape

import yaml
from ingest import BRANDS, _sentence, _text
from scratch_db import postgres_database, sqlite_database
from sqlalchemy import create_engine, func, select
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.db.models import Document, Mention

ITEMS, PER_FEED, HOSTS, BRAND_SHARE = 2_000, 20, 10, 0.07
NOW = datetime.now(UTC).replace(microsecond=0)
MONITOR = Path(sys.executable).parent / "monitor"


@dataclass(frozen=True, slots=True)
class Item:
    feed: int
    number: int
    title: str
    paragraphs: list[str]
    author: str
    published_at: datetime
    brand: str | None

    @property
    def text(self) -> str:
        """What the collector keeps of the item: its paragraphs as plain text."""
        return "\n\n".join(self.paragraphs)


def build_items(seed: int = 20261205) -> list[Item]:
    rng = random.Random(seed)
    items = []
    for n in range(ITEMS):
        brand = rng.choice(BRANDS) if rng.random() < BRAND_SHARE else None
        chars = int(min(15_000, max(800, rng.lognormvariate(8.16, 0.6))))  # median ~3,500
        items.append(Item(
            feed=n // PER_FEED, number=n, title=_sentence(rng)[:80],
            paragraphs=_text(rng, chars, brand).split("\n\n"), author=f"author{n % 150}",
            published_at=NOW - timedelta(hours=n % 500, minutes=n % 60), brand=brand,
        ))
    return items


def feed_host(feed: int) -> str:
    return f"127.0.0.{feed % HOSTS + 1}"


def render_feed(feed: int, items: list[Item], port: int) -> bytes:
    base = f"http://{feed_host(feed)}:{port}/blog{feed}"
    entries = "".join(_render_item(item, base) for item in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">\n<channel>\n'
        f"<title>Blog {feed}</title><link>{base}/</link><description>Notes</description>\n"
        f"<lastBuildDate>{format_datetime(NOW, usegmt=True)}</lastBuildDate>\n"
        f"{entries}</channel>\n</rss>\n"
    ).encode()


def _render_item(item: Item, base: str) -> str:
    link = f"{base}/{item.number}/"
    html = "".join(f"<p>{escape(p)}</p>\n" for p in item.paragraphs)
    return (
        f"<item><title>{escape(item.title)}</title><link>{link}</link>\n"
        f"<dc:creator>{item.author}</dc:creator>"
        f"<pubDate>{format_datetime(item.published_at, usegmt=True)}</pubDate>\n"
        f'<guid isPermaLink="false">{base}/?p={item.number}</guid>\n'
        f"<description>{escape(item.paragraphs[0][:200])} [&#8230;]</description>\n"
        f"<content:encoded><![CDATA[{html}]]></content:encoded>\n"
        f"<wfw:commentRss>{link}feed/</wfw:commentRss><slash:comments>0</slash:comments>\n"
        "</item>\n"
    )


def render_comment_feed(item: Item, base: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Comments on: {escape(item.title)}</title><link>{base}/{item.number}/</link>"
        "<description>Comments</description></channel></rss>\n"
    ).encode()


def render_site(items: list[Item], port: int) -> dict[str, bytes]:
    """Every path the collect may ask for (any host), by path."""
    site: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nDisallow: /wp-admin/\n"}
    feeds = max(item.feed for item in items) + 1
    for feed in range(feeds):
        own = [item for item in items if item.feed == feed]
        site[f"/blog{feed}/feed/"] = render_feed(feed, own, port)
        base = f"http://{feed_host(feed)}:{port}/blog{feed}"
        for item in own:
            site[f"/blog{feed}/{item.number}/feed/"] = render_comment_feed(item, base)
    return site


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers offer
    # http.server sends the headers and the body apart; with Nagle's algorithm on, a small
    # body (robots.txt, an empty comment feed) then waits for the client's delayed ACK, about
    # 40 ms a response, which real servers do not add and which would be most of the time of
    # the 2,000 thread polls.
    disable_nagle_algorithm = True
    site: ClassVar[dict[str, bytes]] = {}

    def do_GET(self) -> None:
        body = self.site.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        kind = "text/plain" if self.path.endswith(".txt") else "application/rss+xml"
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_site(items: list[Item]) -> Iterator[int]:
    """The feeds on 10 loopback addresses, one port; yields the port."""
    port = free_port()
    handler = type("SiteHandler", (_Handler,), {"site": render_site(items, port)})
    servers = [ThreadingHTTPServer((f"127.0.0.{n + 1}", port), handler) for n in range(HOSTS)]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    try:
        yield port
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()


def write_config(path: Path, database_url: str, port: int, feeds: int) -> None:
    config = {
        "database": {"url": database_url},
        "collector": {"allow_private_networks": True},  # loopback stands in for the web
        "brands": [{"name": b, "query": b} for b in BRANDS],
        "sources": [{"name": f"Blog {f}", "url": f"http://{feed_host(f)}:{port}/blog{f}/feed/",
                     "kind": "rss"} for f in range(feeds)],
    }
    path.write_text(yaml.safe_dump(config))


def run_monitor(config: Path, *args: str) -> float:
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    env.pop("MONITOR_DATABASE__URL", None)
    started = time.perf_counter()
    done = subprocess.run([str(MONITOR), *args], env=env, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"monitor {' '.join(args)} failed ({done.returncode}):\n"
                           f"{done.stdout}\n{done.stderr}")
    return seconds


def run_collect(database: AbstractContextManager[str], port: int, feeds: int,
                expected: tuple[int, int]) -> float:
    """Seconds for `monitor collect --once --all` on a fresh database (schema applied first)."""
    with database as url, tempfile.TemporaryDirectory() as directory:
        config = Path(directory) / "config.yaml"
        write_config(config, url, port, feeds)
        run_monitor(config, "db", "upgrade")
        seconds = run_monitor(config, "collect", "--once", "--all")
        stored = count_stored(url)
    if stored != expected:
        raise RuntimeError(f"stored {stored} (documents, mentions), expected {expected}")
    return seconds


def count_stored(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            documents = connection.scalar(select(func.count(Document.id))) or 0
            mentions = connection.scalar(select(func.count(Mention.id))) or 0
    finally:
        engine.dispose()
    return documents, mentions


def compiled_install() -> bool:
    """Whether the installed packages have their bytecode (a pip install or `make .venv/.dev`
    compiles it; without it, and with PYTHONDONTWRITEBYTECODE set, every start-up compiles
    every import again, which this benchmark would count)."""
    import sqlalchemy

    return Path(importlib.util.cache_from_source(sqlalchemy.__file__ or "")).exists()


def run_vader(items: list[Item]) -> float:
    analyzer = SentimentIntensityAnalyzer()
    started = time.perf_counter()
    for item in items:
        analyzer.polarity_scores(f"{item.title}\n{item.text}")
    return time.perf_counter() - started


def summary(label: str, seconds: list[float]) -> dict[str, float]:
    print(f"{label:<34} {min(seconds):>7.2f}s best  {statistics.median(seconds):>7.2f}s median  "
          f"({', '.join(f'{s:.2f}s' for s in seconds)})")
    return {"best_s": round(min(seconds), 2), "median_s": round(statistics.median(seconds), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    args = parser.parse_args()
    items = build_items()
    feeds = max(item.feed for item in items) + 1
    chars = [len(item.title) + len(item.text) + 1 for item in items]
    # Every item of a brand names it in its text; the query is the brand's name.
    expected = (len(items), sum(1 for item in items if item.brand))
    print(f"{len(items)} items in {feeds} feeds on {HOSTS} loopback hosts; characters: "
          f"median {statistics.median(chars):.0f}, mean {statistics.mean(chars):.0f}; "
          f"{expected[1]} name a brand; {args.rounds} rounds")
    if not compiled_install():
        print("note: the installed packages have no compiled bytecode, so each start-up compiles "
              "its imports; `make .venv/.dev` (or python -m compileall .venv) compiles them")
    backends: dict[str, Callable[[], AbstractContextManager[str]]] = {
        "sqlite": lambda: sqlite_database("collect.db")}
    if args.postgres:
        backends["postgres"] = lambda: postgres_database(args.postgres, "bench_collect")
    times: dict[str, list[float]] = {name: [] for name in ["vader", *backends]}
    with ExitStack() as stack:
        port = stack.enter_context(serve_site(items))
        # Interleaved, and the ratio taken per round, so a change in the machine's load weighs
        # on the baseline and on the collect alike.
        for _ in range(args.rounds):
            times["vader"].append(run_vader(items))
            for name, database in backends.items():
                times[name].append(run_collect(database(), port, feeds, expected))
    results: dict[str, object] = {"items": len(items), "vader": summary(
        "plain VADER (whole items)", times["vader"])}
    for name in backends:
        figures = summary(f"collect --once --all on {name}", times[name])
        ratios = sorted(v / s for v, s in zip(times["vader"], times[name], strict=True))
        ratio = statistics.median(ratios)
        print(f"{'':<34} {ratio:.2f}x faster than plain VADER (median of per-round ratios "
              f"{', '.join(f'{r:.2f}' for r in ratios)}; target 3x)")
        results[name] = {**figures, "ratio_vs_vader": round(ratio, 2),
                         "ratio_best": round(ratios[-1], 2)}
    print(json.dumps({"bench": "collect_e2e", **results}))


if __name__ == "__main__":
    main()
