"""Crawl throughput: `monitor collect --once --all` on many RSS feeds served over loopback,
against a sequential and a concurrent httpx + feedparser loop measured in the same run.

One server process answers for every feed: feed ``n`` lives on its own loopback address
(``127.x.y.z``, so every feed is a host of its own for politeness and robots.txt), serves
``/robots.txt`` and ``/feed.xml`` (20 full-text items of 3-8 KB, 7% naming one of 20 brands)
with ETag and Last-Modified, answers conditional requests with 304, and waits 50 ms before
every response. Items advertise a comment feed (``wfw:commentRss``) of five comments.

Measured per round, in this order: the sequential loop (``feedparser.parse(httpx.get(url)
.content)`` per feed), the concurrent loop (asyncio httpx, 50 in flight, feedparser in the
same process), the collector's first crawl on a fresh database (comment threads not
fetched: ``collector.fetch_threads: false``) and its re-crawl of the unchanged feeds. With
``--threads``, one more first crawl follows the comment threads, and the cost of a thread
fetch is compared with a feed fetch. Peak memory is the largest sum of the resident sizes of
the collector and its parse workers. Run::

    .venv/bin/python bench/crawl.py [--feeds 1000] [--rounds 3] [--postgres URL] [--threads]
    .venv/bin/python bench/crawl.py --feeds 5000 --rounds 1 --no-baselines   # the 30-minute check

The last line is JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import feedparser
import httpx
from scratch_db import postgres_database, sqlite_database

BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
          "Wonka", "Tyrell", "Cyberdyne", "Soylent", "Gringotts", "Oscorp", "Monarch",
          "Nakatomi", "Duff", "Krusty", "Virtucon", "Zorg"]
ITEMS, COMMENTS, BRAND_SHARE, LATENCY_S, CONCURRENT = 20, 5, 0.07, 0.05, 50
LAST_MODIFIED = "Fri, 20 Nov 2026 12:00:00 GMT"
SUBJECTS = ["The new model", "Customer support", "The delivery", "This update", "The price",
            "Our team", "The app", "The manual", "The warranty", "Their website", "The battery",
            "Shipping", "The refund process", "The build quality", "The firmware"]
VERBS = ["was", "is", "seems", "felt", "turned out", "has been", "looks", "remains"]
OPINIONS = ["great", "terrible", "surprisingly good", "awful", "fine", "disappointing",
            "excellent", "slow", "really helpful", "broken again", "okay I guess", "amazing",
            "not bad at all", "a total mess", "better than expected", "worse than last year",
            "quite reliable", "frustrating", "perfectly adequate", "hard to recommend"]
TAILS = ["after two weeks of daily use", "compared to the previous version", "for the money",
         "when I called them on Monday", "according to most reviews I read", "in my kitchen",
         "for a small office like ours", "if you ask my neighbour", "on the second attempt",
         "despite what the forum says", "and I would buy it again", "but the box was damaged"]
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
BENCH_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent


# --- the feeds -------------------------------------------------------------------------------

def host_of(n: int) -> str:
    """Feed ``n``'s own loopback address (127.0.0.1 is left to everything else)."""
    return f"127.{1 + n // 62_500}.{n // 250 % 250}.{n % 250 + 1}"


def feed_number(host: str) -> int:
    _, a, b, c = (int(p) for p in host.split("."))
    return (a - 1) * 62_500 + b * 250 + (c - 1)


def _sentence(rng: random.Random, brand: str | None = None) -> str:
    subject = rng.choice(SUBJECTS)
    if brand:
        subject = f"{subject} from {brand}" if rng.random() < 0.5 else f"{brand}'s {subject[4:]}"
    return f"{subject} {rng.choice(VERBS)} {rng.choice(OPINIONS)} {rng.choice(TAILS)}."


def _paragraphs(rng: random.Random, chars: int, brand: str | None, unique: str) -> str:
    sentences = [f"Notes {unique}."]
    size = 0
    while size < chars:
        named = brand if brand and (len(sentences) == 1 or rng.random() < 0.05) else None
        sentences.append(_sentence(rng, named))
        size += len(sentences[-1]) + 1
    return "".join(f"<p>{' '.join(sentences[i:i + 6])}</p>" for i in range(0, len(sentences), 6))


def feed_xml(n: int, port: int) -> bytes:
    rng = random.Random(n * 7919 + 20261205)
    base = f"http://{host_of(n)}:{port}"
    items = []
    for i in range(ITEMS):
        brand = rng.choice(BRANDS) if rng.random() < BRAND_SHARE else None
        body = _paragraphs(rng, rng.randint(3_000, 8_000), brand, f"{n}-{i}")
        day = 1 + i % 28
        items.append(
            f"<item><title>{_sentence(rng)[:70]}</title><link>{base}/posts/{i}</link>"
            f"<guid isPermaLink=\"true\">{base}/posts/{i}</guid>"
            f"<pubDate>Fri, {day:02d} Nov 2026 10:00:00 GMT</pubDate>"
            f"<dc:creator>author{rng.randint(1, 300)}</dc:creator>"
            f"<description><![CDATA[{body[:200]}]]></description>"
            f"<content:encoded><![CDATA[{body}]]></content:encoded>"
            f"<wfw:commentRss>{base}/comments/{i}.xml</wfw:commentRss></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/">'
        f"<channel><title>Blog {n}</title><link>{base}/</link><description>Blog number {n}"
        f"</description>{''.join(items)}</channel></rss>"
    ).encode()


def comments_xml(n: int, i: int, port: int) -> bytes:
    rng = random.Random(n * 104_729 + i)
    post = f"http://{host_of(n)}:{port}/posts/{i}"
    items = "".join(
        f"<item><title>By reader{c}</title><link>{post}#comment-{c + 1}</link>"
        f"<guid isPermaLink=\"false\">{post}#comment-{c + 1}</guid>"
        f"<pubDate>Sat, 21 Nov 2026 10:{c:02d}:00 GMT</pubDate><dc:creator>reader{c}"
        f"</dc:creator><description>{_sentence(rng)} {_sentence(rng)}</description></item>"
        for c in range(COMMENTS)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>Comments on post {i}</title><link>{post}</link>{items}</channel></rss>"
    ).encode()


# --- the server ------------------------------------------------------------------------------

@dataclass(slots=True)
class Counts:
    by_kind: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str) -> None:
        self.by_kind[kind] = self.by_kind.get(kind, 0) + 1


def _etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'


def serve(port: int, feeds: int, ready: Any) -> None:
    """The loopback site: every feed's host on one listening socket (0.0.0.0 covers 127/8)."""
    bodies = {n: feed_xml(n, port) for n in range(feeds)}
    tags = {n: _etag(b) for n, b in bodies.items()}
    counts = Counts()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {k.strip().lower(): v.strip() for k, _, v in
                           (line.partition(":") for line in lines[1:] if line)}
                status, body, extra = route(path, headers)
                await asyncio.sleep(LATENCY_S)
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\n{extra}"
                    "Connection: keep-alive\r\n\r\n".encode() + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    def route(path: str, headers: dict[str, str]) -> tuple[str, bytes, str]:
        if path == "/__counts":
            return "200 OK", json.dumps(counts.by_kind).encode(), ""
        if path == "/__reset":
            counts.by_kind.clear()
            return "200 OK", b"", ""
        n = feed_number(headers.get("host", "127.0.0.1").split(":")[0])
        if path == "/robots.txt":
            counts.add("robots")
            return "200 OK", ROBOTS, "Content-Type: text/plain\r\n"
        if path == "/feed.xml" and n in bodies:
            return conditional("feed", bodies[n], tags[n], headers)
        if path.startswith("/comments/") and n in bodies:
            i = int(path.removeprefix("/comments/").removesuffix(".xml"))
            body = comments_xml(n, i, port)
            return conditional("comments", body, _etag(body), headers)
        counts.add("other")
        return "404 Not Found", b"not here", ""

    def conditional(kind: str, body: bytes, tag: str, headers: dict[str, str]
                    ) -> tuple[str, bytes, str]:
        validators = f"ETag: {tag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
        if headers.get("if-none-match") == tag or (
            "if-none-match" not in headers and headers.get("if-modified-since") == LAST_MODIFIED
        ):
            counts.add(f"{kind}_304")
            return "304 Not Modified", b"", validators
        counts.add(kind)
        return "200 OK", body, validators + "Content-Type: application/rss+xml\r\n"

    async def main() -> None:
        server = await asyncio.start_server(answer, "0.0.0.0", port, backlog=4096)
        ready.set()
        async with server:
            await server.serve_forever()

    asyncio.run(main())


@contextmanager
def running_server(feeds: int) -> Iterator[int]:
    port = 20_000 + os.getpid() % 20_000
    ready = multiprocessing.Event()
    process = multiprocessing.Process(target=serve, args=(port, feeds, ready), daemon=True)
    process.start()
    if not ready.wait(600):
        raise RuntimeError("the loopback server did not start")
    try:
        yield port
    finally:
        process.kill()
        process.join()


def server_counts(port: int, *, reset: bool = False) -> dict[str, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/__counts") as response:
        counts: dict[str, int] = json.loads(response.read())
    if reset:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/__reset").read()
    return counts


def feed_urls(feeds: int, port: int) -> list[str]:
    return [f"http://{host_of(n)}:{port}/feed.xml" for n in range(feeds)]


# --- the baselines ---------------------------------------------------------------------------

def run_sequential(urls: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    entries = 0
    for url in urls:
        entries += len(feedparser.parse(httpx.get(url).content).entries)
    return time.perf_counter() - started, entries


def run_concurrent(urls: list[str]) -> tuple[float, int]:
    async def crawl() -> int:
        limit = asyncio.Semaphore(CONCURRENT)
        limits = httpx.Limits(max_connections=CONCURRENT)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            async def one(url: str) -> int:
                async with limit:
                    response = await client.get(url)
                return len(feedparser.parse(response.content).entries)
            return sum(await asyncio.gather(*(one(url) for url in urls)))

    started = time.perf_counter()
    entries = asyncio.run(crawl())
    return time.perf_counter() - started, entries


# --- the collector ---------------------------------------------------------------------------

def write_config(path: Path, database_url: str, urls: list[str], *, threads: bool) -> None:
    lines = [
        f"database:\n  url: {json.dumps(database_url)}",
        "collector:\n  allow_private_networks: true\n  concurrency: 50\n"
        f"  fetch_threads: {'true' if threads else 'false'}",
        "brands:",
        *(f"  - name: {b}\n    query: {b}" for b in BRANDS),
        "sources:",
        *(f"  - name: Blog {n}\n    url: {url}\n    kind: rss\n    interval: 30m"
          for n, url in enumerate(urls)),
    ]
    path.write_text("\n".join(lines) + "\n")


def _tree_rss_kb(root: int) -> int:
    """Resident kB of ``root`` and every process descending from it."""
    parents: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue
        parents[int(entry)] = int(fields.get("PPid", "0"))
        sizes[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    family, total = {root}, 0
    for pid in sorted(parents):
        chain, current = [], pid
        while current and current not in family and current in parents:
            chain.append(current)
            current = parents[current]
        if current in family:
            family.update(chain)
    for pid in family:
        total += sizes.get(pid, 0)
    return total


@dataclass(frozen=True, slots=True)
class Run:
    seconds: float
    peak_rss_mb: float
    output: str


def run_collect(config: Path) -> Run:
    """``monitor collect --once --all`` as its own process; its tree's memory is sampled."""
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(VENV_BIN / "monitor"), "collect", "--once", "--all"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.25):
            peak = max(peak, _tree_rss_kb(process.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, errors = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"collect failed ({process.returncode}):\n{output}\n{errors[-3000:]}")
    return Run(seconds, peak / 1024, output.strip().splitlines()[-2] if output else "")


def prepare_database(config: Path) -> None:
    env = {**os.environ, "MONITOR_CONFIG": str(config)}
    subprocess.run([str(VENV_BIN / "monitor"), "db", "upgrade"], env=env, check=True,
                   capture_output=True)


# --- the report ------------------------------------------------------------------------------

def rates(label: str, seconds: list[float], feeds: int) -> dict[str, Any]:
    per_s = sorted((feeds / s for s in seconds), reverse=True)
    best, median = per_s[0], statistics.median(per_s)
    print(f"{label:<34} {best:>8.1f} feeds/s best {median:>8.1f} median  "
          f"({', '.join(f'{s:.1f}s' for s in seconds)})")
    return {"best": round(best, 2), "median": round(median, 2),
            "seconds": [round(s, 2) for s in seconds]}


def ratio(label: str, over: list[float], under: list[float], target: float) -> float:
    """Median of per-round ratios ``over / under`` (seconds), so each round's load cancels."""
    values = sorted(o / u for o, u in zip(over, under, strict=True))
    median = statistics.median(values)
    print(f"  {label:<44} {median:6.2f}x  (rounds {', '.join(f'{v:.2f}' for v in values)}; "
          f"target {target:g}x {'met' if median >= target else 'MISSED'})")
    return round(median, 2)


def compile_bytecode() -> None:
    """Installed packages carry their bytecode; a checkout run with PYTHONDONTWRITEBYTECODE
    would compile every module again in each collector process. Compile it once, as an
    install does, so start-up is timed as users see it."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    import site
    roots = [str(BENCH_DIR.parent / "monitor"), str(BENCH_DIR.parent / "collectors"),
             *site.getsitepackages()]
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *roots],
                   check=False, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("MONITOR_BENCH_POSTGRES_URL", ""))
    parser.add_argument("--no-baselines", action="store_true",
                        help="only the collector (for large --feeds)")
    parser.add_argument("--threads", action="store_true",
                        help="also a first crawl that follows the comment threads")
    args = parser.parse_args()
    compile_bytecode()
    backends: dict[str, Callable[[], Any]] = {"sqlite": lambda: sqlite_database("crawl.db")}
    if args.postgres:
        backends["postgres"] = lambda: postgres_database(args.postgres, "bench_crawl")
    results: dict[str, Any] = {"feeds": args.feeds, "items_per_feed": ITEMS,
                               "latency_ms": LATENCY_S * 1000, "cores": os.cpu_count(),
                               "load_before": round(os.getloadavg()[0], 2)}
    times: dict[str, list[float]] = {"sequential": [], "concurrent": []}
    peaks: dict[str, float] = {}
    requests: dict[str, dict[str, int]] = {}
    with running_server(args.feeds) as port, tempfile.TemporaryDirectory() as directory:
        urls = feed_urls(args.feeds, port)
        size = sum(len(feed_xml(n, port)) for n in range(min(args.feeds, 50))) / min(args.feeds, 50)
        print(f"{args.feeds} feeds of {ITEMS} items ({size / 1024:.0f} KB each), "
              f"{LATENCY_S * 1000:.0f} ms per response, {args.rounds} rounds, "
              f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
        for _ in range(args.rounds):
            if not args.no_baselines:
                times["sequential"].append(run_sequential(urls)[0])
                times["concurrent"].append(run_concurrent(urls)[0])
            for name, database in backends.items():
                with database() as url:
                    config = Path(directory) / f"{name}.yaml"
                    write_config(config, url, urls, threads=False)
                    prepare_database(config)
                    server_counts(port, reset=True)
                    first = run_collect(config)
                    requests[f"{name}_first"] = server_counts(port, reset=True)
                    again = run_collect(config)
                    requests[f"{name}_recrawl"] = server_counts(port, reset=True)
                times.setdefault(f"{name}_first", []).append(first.seconds)
                times.setdefault(f"{name}_recrawl", []).append(again.seconds)
                peaks[f"{name}_first"] = max(peaks.get(f"{name}_first", 0), first.peak_rss_mb)
                peaks[f"{name}_recrawl"] = max(peaks.get(f"{name}_recrawl", 0),
                                               again.peak_rss_mb)
                print(f"  {name} round: first {first.seconds:.1f}s, re-crawl {again.seconds:.1f}s"
                      f"; {first.output}")
        if args.threads:
            with sqlite_database("threads.db") as url:
                config = Path(directory) / "threads.yaml"
                write_config(config, url, urls, threads=True)
                prepare_database(config)
                server_counts(port, reset=True)
                threaded = run_collect(config)
                requests["sqlite_first_with_threads"] = server_counts(port, reset=True)
    print()
    for label, key in (("sequential httpx + feedparser", "sequential"),
                       ("50 concurrent httpx + feedparser", "concurrent")):
        if times[key]:
            results[key] = rates(label, times[key], args.feeds)
    for name in backends:
        first_times, recrawl_times = times[f"{name}_first"], times[f"{name}_recrawl"]
        results[f"{name}_first"] = rates(f"collect first crawl ({name})", first_times,
                                         args.feeds)
        results[f"{name}_recrawl"] = rates(f"collect re-crawl ({name})", recrawl_times,
                                           args.feeds)
        if times["sequential"]:
            results[f"{name}_first"]["x_sequential"] = ratio(
                "first crawl vs sequential", times["sequential"], first_times, 8)
            results[f"{name}_first"]["x_concurrent"] = ratio(
                "first crawl vs 50 concurrent", times["concurrent"], first_times, 2)
        results[f"{name}_recrawl"]["x_first"] = ratio("re-crawl vs first crawl", first_times,
                                                      recrawl_times, 5)
        for phase in ("first", "recrawl"):
            key = f"{name}_{phase}"
            results[key]["peak_rss_mb"] = round(peaks[key], 1)
            results[key]["requests"] = requests[key]
            print(f"  {key}: peak memory {peaks[key]:.0f} MB (collector and parse workers); "
                  f"requests {requests[key]}")
        elapsed = max(first_times)
        print(f"  {name}: every feed fetched in {elapsed / 60:.1f} min (30 min interval: "
              f"{'kept' if elapsed <= 1800 else 'MISSED'})")
    if args.threads:
        counted = requests["sqlite_first_with_threads"]
        thread_fetches = counted.get("comments", 0) + counted.get("comments_304", 0)
        feeds_only = statistics.median(times["sqlite_first"])
        per_feed = feeds_only / args.feeds
        per_thread = max(threaded.seconds - feeds_only, 0) / max(thread_fetches, 1)
        print(f"  with threads: {threaded.seconds:.1f}s for {args.feeds} feeds and "
              f"{thread_fetches} thread fetches: {per_thread * 1000:.1f} ms per thread fetch "
              f"against {per_feed * 1000:.1f} ms per feed fetch; requests {counted}")
        results["threads"] = {"seconds": round(threaded.seconds, 2),
                              "thread_fetches": thread_fetches,
                              "ms_per_thread_fetch": round(per_thread * 1000, 2),
                              "ms_per_feed_fetch": round(per_feed * 1000, 2),
                              "peak_rss_mb": round(threaded.peak_rss_mb, 1)}
    results["load_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps({"bench": "crawl", **results}))


if __name__ == "__main__":
    main()
