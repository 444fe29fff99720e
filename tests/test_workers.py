"""Several `monitor worker` processes on one Postgres share the work without overlap, and the
work of one killed with SIGKILL mid-batch is finished by the others once its lease runs out.

Real processes, real Postgres, 300 RSS feeds on loopback, webhook deliveries to a loopback
receiver. Before the workers start, every source is made not due; once all workers are up,
every source becomes due at once, so they compete for the same rows.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from monitor.config import load_settings
from monitor.db.engine import unit_of_work
from monitor.db.models import Document, Mention, Source
from monitor.db.models_alerts import Alert, Delivery
from monitor.pipeline.config_sync import sync_config
from monitor.runtime import Runtime, open_runtime
from tests.collectors.conftest import FixtureServer
from tests.conftest import _empty_tables
from tests.notify.conftest import Receiver, make_handler, receiver
from tests.process_support import (
    expected_mentions,
    feed_server,
    start_monitor,
    stop,
    wait_for,
    write_config,
)

__all__ = ["receiver"]  # the loopback webhook receiver fixture

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(900)]
FEEDS, ITEMS, DELIVERIES = 300, 2, 60
COLLECTED = re.compile(r"msg=collected source_id=(\d+) new=")


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log: Path
    health: Path

    def collected(self) -> list[int]:
        return [int(m) for m in COLLECTED.findall(self.log.read_text(errors="replace"))]


@pytest.fixture
def database(migrated_postgres: str) -> str:
    _empty_tables(migrated_postgres)
    return migrated_postgres


@pytest.fixture
def slow_feeds() -> Iterator[FixtureServer]:
    server = feed_server(FEEDS, ITEMS, delay=lambda _n: 0.2)
    yield server
    server.stop()


@pytest.fixture
def runtime_for(database: str, slow_feeds: FixtureServer, receiver: Receiver,
                tmp_path: Path) -> Iterator[tuple[Runtime, Path]]:
    config = write_config(
        tmp_path / "config.yaml", database, slow_feeds, FEEDS,
        collector={"batch_size": 10},
        notifications={"webhook": {"url": receiver.url, "secret": "s3cret"}},
    )
    runtime = open_runtime(load_settings(config))
    sync_config(runtime)
    _seed_deliveries(runtime)
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Source).values(next_check_at=datetime.now(UTC) + timedelta(days=1)))
    yield runtime, config
    runtime.dispose()


def _seed_deliveries(runtime: Runtime) -> None:
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as session:
        alert = Alert(subject="Acme", kind="volume_spike", severity="critical", state="open",
                      title="Acme: volume spike", summary="25 mentions in an hour",
                      window_start=now - timedelta(hours=1), window_end=now, mention_count=25,
                      explanation=_explanation(now), notifications=0, created_at=now,
                      last_seen_at=now)
        session.add(alert)
        session.flush()
        session.add_all(Delivery(key=f"seeded:{i}", alert_id=alert.id, channel="webhook",
                                 severity="critical", status="pending", payload={},
                                 attempts=0, next_attempt_at=now, created_at=now)
                        for i in range(DELIVERIES))


def _explanation(now: datetime) -> dict[str, object]:
    from monitor.domain.alerts import (
        Detection,
        Figures,
        compute_explanation,
        compute_explanation_record,
    )

    figures = Figures("mentions", 25, 1.0, now - timedelta(hours=1), now, "trailing_days",
                      0.0001, 25)
    detection = Detection("volume_spike", "critical", now, "25 mentions in an hour", figures, 1)
    return compute_explanation_record(compute_explanation(detection, []))


def _start_workers(count: int, config: Path, tmp_path: Path, name: str = "worker"
                   ) -> list[Worker]:
    workers = []
    for n in range(count):
        log, health = tmp_path / f"{name}{n}.log", tmp_path / f"{name}{n}.alive"
        process = start_monitor(["worker", "--config", str(config), "--health-file",
                                 str(health)], tmp_path, log)
        workers.append(Worker(process, log, health))
    for worker in workers:
        wait_for(worker.health.exists, 120, "the worker to start", worker.process, worker.log)
    return workers


def _make_all_due(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Source).values(next_check_at=datetime.now(UTC)))


def _count(session: Session, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(Source).where(*where)) or 0)


def _all_done(runtime: Runtime) -> bool:
    with runtime.reads() as session:
        pending = session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == "pending")) or 0
        return _count(session, Source.last_success_at.is_not(None)) == FEEDS and pending == 0


def _assert_stored_once(runtime: Runtime) -> None:
    with runtime.reads() as session:
        documents = session.scalar(select(func.count()).select_from(Document))
        keys = session.scalar(select(func.count(func.distinct(Document.url))))
        mentions = session.scalar(select(func.count()).select_from(Mention))
        deliveries = list(session.scalars(select(Delivery)))
    assert documents == keys == FEEDS * ITEMS
    assert mentions == expected_mentions(FEEDS, ITEMS)
    assert {d.status for d in deliveries} == {"sent"}
    assert sum(d.key.startswith("seeded:") for d in deliveries) == DELIVERIES


def _received(receiver: Receiver) -> Counter[str]:
    return Counter(r.headers.get("X-Brand-Monitor-Delivery", "") for r in receiver.requests)


def _stop_all(workers: list[Worker]) -> None:
    codes = [stop(w.process) for w in workers if w.process.returncode is None]
    assert codes == [0] * len(codes)


def test_three_workers_share_300_sources_each_claimed_once(
    runtime_for: tuple[Runtime, Path], slow_feeds: FixtureServer, receiver: Receiver,
    tmp_path: Path,
) -> None:
    runtime, config = runtime_for
    # No one dies here: a lease long enough that a heartbeat delayed by a busy machine cannot
    # let a live worker's claim lapse (the kill test below keeps the short one).
    settings = yaml.safe_load(config.read_text())
    settings["workers"]["lease"] = "30s"
    config.write_text(yaml.safe_dump(settings))
    workers = _start_workers(3, config, tmp_path)
    try:
        _make_all_due(runtime)
        wait_for(lambda: _all_done(runtime), 300, "every source and delivery to be done")
    finally:
        _stop_all(workers)
    fetches = Counter(r.path for r in slow_feeds.requests)
    assert [fetches[f"/feed/{n}.xml"] for n in range(FEEDS)] == [1] * FEEDS
    assert any(path.startswith("/post/") for path in fetches)  # threads were shared too
    shares = [w.collected() for w in workers]
    assert all(shares), f"a worker got nothing: {[len(s) for s in shares]}"
    every = [source_id for share in shares for source_id in share]
    assert len(every) == len(set(every)) == FEEDS  # each source by exactly one worker
    _assert_stored_once(runtime)
    received = _received(receiver)
    assert all(received[f"seeded:{i}"] == 1 for i in range(DELIVERIES))
    assert all(count == 1 for count in received.values())
    with runtime.reads() as session:
        assert _count(session, Source.claimed_by.is_not(None)) == 0


def test_sources_of_a_worker_killed_mid_batch_are_collected_by_the_others(
    runtime_for: tuple[Runtime, Path], slow_feeds: FixtureServer, receiver: Receiver,
    tmp_path: Path,
) -> None:
    runtime, config = runtime_for
    workers = _start_workers(3, config, tmp_path)
    victim, survivors = workers[0], workers[1:]
    holder = f"%:{victim.process.pid}:%"

    def victim_mid_batch() -> bool:
        with runtime.reads() as session:
            holds = _count(session, Source.claimed_by.like(holder))
        return holds > 0 and bool(victim.collected())

    try:
        _make_all_due(runtime)
        wait_for(victim_mid_batch, 120, "the victim to be mid-batch", victim.process,
                 victim.log)
        os.kill(victim.process.pid, signal.SIGKILL)
        assert victim.process.wait(timeout=30) == -signal.SIGKILL
        with runtime.reads() as session:
            orphaned = set(session.scalars(select(Source.id).where(
                Source.claimed_by.like(holder))))
        assert orphaned, "the victim held no claims when it died"
        wait_for(lambda: _all_done(runtime), 300, "the others to finish the victim's work")
    finally:
        _stop_all(survivors)
        if victim.process.returncode is None:
            victim.process.kill()
    assert orphaned <= {s for w in survivors for s in w.collected()}
    # The victim may have fetched some of its claimed feeds before dying; nothing it did not
    # commit was stored, and nothing was stored twice.
    _assert_stored_once(runtime)
    received = _received(receiver)
    assert all(received[f"seeded:{i}"] >= 1 for i in range(DELIVERIES))


@pytest.fixture
def slow_receiver() -> Iterator[Receiver]:
    """A webhook receiver that takes a while to answer, so a delivery run is caught mid-way."""
    box = Receiver(url="")

    class Slow(make_handler(box)):  # type: ignore[misc]
        def do_POST(self) -> None:
            time.sleep(0.2)
            super().do_POST()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()


def test_a_worker_killed_mid_delivery_is_replaced_and_nothing_is_lost(
    database: str, slow_receiver: Receiver, tmp_path: Path,
) -> None:
    # A long lease: only the replacement's start-up reclaim (same host, dead pid) can hand
    # the victim's claims over within this test.
    server = feed_server(1, 1)
    config = write_config(
        tmp_path / "config.yaml", database, server, 1, workers={"lease": "10m"},
        notifications={"webhook": {"url": slow_receiver.url, "secret": "s3cret"}},
    )
    runtime = open_runtime(load_settings(config))
    try:
        sync_config(runtime)
        _seed_deliveries(runtime)
        [victim] = _start_workers(1, config, tmp_path, "victim")
        wait_for(lambda: len(slow_receiver.requests) >= 2, 120, "deliveries to be under way",
                 victim.process, victim.log)
        os.kill(victim.process.pid, signal.SIGKILL)
        victim.process.wait(timeout=30)
        time.sleep(1.5)  # the receiver finishes reading what was already on the wire
        with runtime.reads() as session:
            held = set(session.scalars(select(Delivery.key).where(
                Delivery.claimed_by.like(f"%:{victim.process.pid}:%"))))
        assert held, "the victim held no deliveries when it died"
        in_flight = held & set(_received(slow_receiver))  # sent, not yet recorded
        replacement = _start_workers(1, config, tmp_path, "replacement")
        try:
            wait_for(lambda: _deliveries_done(runtime), 240, "the replacement to send the rest")
        finally:
            _stop_all(replacement)
        with runtime.reads() as session:
            deliveries = list(session.scalars(select(Delivery)))
    finally:
        runtime.dispose()
        server.stop()
    assert {d.status for d in deliveries} == {"sent"}
    received = _received(slow_receiver)
    assert all(received[f"seeded:{i}"] >= 1 for i in range(DELIVERIES))
    # At least once: only what was in flight when the victim died (one message per delivery
    # run under way) arrives twice, under the same delivery key.
    assert {key for key, count in received.items() if count > 1} <= in_flight
    assert len(in_flight) <= 2


def _deliveries_done(runtime: Runtime) -> bool:
    with runtime.reads() as session:
        return not session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.status == "pending"))
