"""Claims with a holder and a heartbeat: expiry, renewal, hand-over and start-up reclaim."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from monitor.claims import ClaimKeeper, host_name, is_holder_gone
from monitor.db.engine import unit_of_work
from monitor.db.models import Source, ThreadWatch
from monitor.db.models_alerts import Delivery
from monitor.db.repositories import SourceRepository, ThreadRepository
from monitor.db.repositories.alerts import AlertRepository
from monitor.db.repositories.claims import ClaimRepository, ClaimTerms, hold_singleton
from monitor.db.repositories.sources import SourceSpec
from monitor.db.repositories.threads import DiscoveredThread, ThreadPoll
from monitor.errors import NotFoundError
from monitor.runtime import Runtime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LEASE = timedelta(minutes=1)
A = ClaimTerms("host-a:11:aaaa", LEASE)
B = ClaimTerms("host-b:22:bbbb", LEASE)


def _sources(runtime: Runtime, count: int) -> None:
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec(f"s{i}", f"https://h{i}.example/feed", None, timedelta(minutes=30))
             for i in range(count)], NOW)


def _claim_sources(runtime: Runtime, terms: ClaimTerms, now: datetime,
                   include_all: bool = False) -> list[int]:
    with unit_of_work(runtime.sessions) as session:
        return [s.id for s in SourceRepository(session).claim_due(
            now, limit=50, per_host=5, terms=terms, include_all=include_all)]


def test_a_claim_names_its_holder_and_expires_after_the_lease(runtime: Runtime) -> None:
    _sources(runtime, 3)
    taken = _claim_sources(runtime, A, NOW)
    assert len(taken) == 3
    with runtime.sessions() as session:
        holders = set(session.scalars(select(Source.claimed_by)))
    assert holders == {A.holder}
    assert _claim_sources(runtime, B, NOW + LEASE - timedelta(seconds=1)) == []
    # The holder stopped renewing: after about a lease, not 15 minutes, another takes over,
    # even for a forced run of every source.
    assert sorted(_claim_sources(runtime, B, NOW + LEASE, include_all=True)) == sorted(taken)


def test_the_heartbeat_keeps_claims_and_never_shortens_them(runtime: Runtime) -> None:
    _sources(runtime, 2)
    _claim_sources(runtime, A, NOW)
    with unit_of_work(runtime.sessions) as session:
        assert ClaimRepository(session).extend(A.holder, NOW + 3 * LEASE) == 2
        assert ClaimRepository(session).extend(A.holder, NOW) == 0  # earlier: unchanged
        assert ClaimRepository(session).extend(B.holder, NOW + 9 * LEASE) == 0
    assert _claim_sources(runtime, B, NOW + 2 * LEASE) == []
    assert len(_claim_sources(runtime, B, NOW + 3 * LEASE)) == 2


def test_recording_the_work_frees_the_claim(runtime: Runtime) -> None:
    _sources(runtime, 1)
    [source_id] = _claim_sources(runtime, A, NOW)
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).record_success(
            source_id, now=NOW, status="200", etag=None, last_modified=None,
            next_check_at=NOW, kind="rss")
    with runtime.sessions() as session:
        source = session.get(Source, source_id)
        assert source is not None
        assert (source.claimed_by, source.claimed_until) == (None, None)
    assert _claim_sources(runtime, B, NOW) == [source_id]


def _a_source_thread_and_delivery(runtime: Runtime, now: datetime) -> None:
    """One source with one followed thread, and one queued delivery, all due at ``now``."""
    _sources(runtime, 1)
    with unit_of_work(runtime.sessions) as session:
        source_id = SourceRepository(session).list_all()[0].id
        ThreadRepository(session).add_discovered(
            source_id, [DiscoveredThread("https://h0.example/c.rss", "rss",
                                         "https://h0.example/p", "P")], now)
        AlertRepository(session).enqueue([{"key": "k1", "channel": "webhook",
                                           "next_attempt_at": now, "created_at": now}])


def test_threads_and_deliveries_share_the_claim_helper(runtime: Runtime) -> None:
    _a_source_thread_and_delivery(runtime, NOW)
    with unit_of_work(runtime.sessions) as session:
        watches = ThreadRepository(session).claim_due(NOW, limit=5, terms=A)
        deliveries = AlertRepository(session).claim_due_deliveries(NOW, limit=5, terms=A)
        assert [w.claimed_by for w in watches] == [A.holder]
        assert [d.claimed_by for d in deliveries] == [A.holder]
    with unit_of_work(runtime.sessions) as session:
        assert ThreadRepository(session).claim_due(NOW, limit=5, terms=B) == []
        assert AlertRepository(session).claim_due_deliveries(NOW, limit=5, terms=B) == []
        assert ClaimRepository(session).release([A.holder]) == 2
    with unit_of_work(runtime.sessions) as session:
        assert len(ThreadRepository(session).claim_due(NOW, limit=5, terms=B)) == 1
        assert len(AlertRepository(session).claim_due_deliveries(NOW, limit=5, terms=B)) == 1


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_whose_claims_are_stale_at_start_up() -> None:
    host, me = "box", os.getpid()
    dead = _dead_pid()
    assert is_holder_gone(f"box:{dead}:x", host=host, pid=me, live=set())
    assert not is_holder_gone(f"box:{os.getppid()}:x", host=host, pid=me, live=set())
    assert not is_holder_gone(f"other:{dead}:x", host=host, pid=me, live=set())
    # Our own pid under another token: a previous life of this pid (PID 1 in a restarted
    # container) unless a keeper of this process holds it.
    assert is_holder_gone(f"box:{me}:old", host=host, pid=me, live=set())
    assert not is_holder_gone(f"box:{me}:old", host=host, pid=me, live={f"box:{me}:old"})
    assert not is_holder_gone("garbage", host=host, pid=me, live=set())


def test_a_restarted_process_takes_back_dead_claims_at_start(runtime: Runtime) -> None:
    _sources(runtime, 3)
    dead = ClaimTerms(f"{host_name()}:{_dead_pid()}:dead", timedelta(hours=1))
    alive_elsewhere = ClaimTerms(f"elsewhere:{os.getpid()}:x", timedelta(hours=1))
    now = datetime.now(UTC)
    with unit_of_work(runtime.sessions) as session:
        repo = SourceRepository(session)
        repo.claim_due(now, limit=2, per_host=1, terms=dead, include_all=True)
        repo.claim_due(now, limit=1, per_host=1, terms=alive_elsewhere, include_all=True)
    keeper = ClaimKeeper()
    assert keeper.reclaim_stale(runtime.sessions) == 2
    with runtime.sessions() as session:
        holders = sorted(str(h) for h in session.scalars(select(Source.claimed_by)))
    assert holders == ["None", "None", alive_elsewhere.holder]


def _claim_one_of_each(runtime: Runtime, terms: ClaimTerms) -> None:
    """A source, a followed thread and a delivery, each claimed by ``terms``' holder."""
    now = datetime.now(UTC)
    _a_source_thread_and_delivery(runtime, now)
    with unit_of_work(runtime.sessions) as session:
        assert len(SourceRepository(session).claim_due(
            now, limit=5, per_host=5, terms=terms, include_all=False)) == 1
        assert len(ThreadRepository(session).claim_due(now, limit=5, terms=terms)) == 1
        assert len(AlertRepository(session).claim_due_deliveries(now, limit=5, terms=terms)) == 1


def _claims(runtime: Runtime) -> list[tuple[str | None, datetime | None]]:
    """(holder, until) of the source, the thread and the delivery, in that order."""
    claims = []
    with runtime.sessions() as session:
        for model in (Source, ThreadWatch, Delivery):
            holder, until = session.execute(select(model.claimed_by, model.claimed_until)).one()
            claims.append((holder, until))
    return claims


def test_a_running_keeper_renews_its_claims_and_stopping_it_frees_them(
        runtime: Runtime) -> None:
    lease = timedelta(seconds=2)
    keeper = ClaimKeeper()
    keeper.start(runtime.sessions, lease)
    try:
        _claim_one_of_each(runtime, ClaimTerms(keeper.holder, lease))
        first = _claims(runtime)
        assert {holder for holder, _ in first} == {keeper.holder}
        deadline = datetime.now(UTC) + timedelta(seconds=15)
        # The heartbeat thread, not the test, moves every claim past its first lease.
        while any(until == before for (_, until), (_, before) in zip(
                _claims(runtime), first, strict=True)) and datetime.now(UTC) < deadline:
            time.sleep(0.1)
        renewed = _claims(runtime)
        for (_, until), (_, before) in zip(renewed, first, strict=True):
            assert until is not None
            assert before is not None
            assert until > before
    finally:
        keeper.stop(runtime.sessions)
    assert _claims(runtime) == [(None, None)] * 3  # freed, and the rows are still there


def test_a_singleton_job_runs_in_one_process_at_a_time(runtime: Runtime) -> None:
    with hold_singleton(runtime.engine, "digest") as first:
        assert first
        with hold_singleton(runtime.engine, "digest") as second:
            if runtime.engine.dialect.name == "postgresql":
                assert not second  # another connection holds it: skip
            else:
                assert second  # SQLite: one process owns the database
        with hold_singleton(runtime.engine, "retention") as other:
            assert other
    with hold_singleton(runtime.engine, "digest") as again:
        assert again



def test_a_recorded_poll_frees_the_thread_and_sets_when_it_is_due(runtime: Runtime) -> None:
    _sources(runtime, 1)
    urls = ["https://h0.example/a.rss", "https://h0.example/b.rss"]
    with unit_of_work(runtime.sessions) as session:
        source_id = SourceRepository(session).list_all()[0].id
        threads = ThreadRepository(session)
        assert threads.add_discovered(source_id, [
            DiscoveredThread(url, "rss", url.replace(".rss", ""), "P") for url in urls], NOW) == 2
        assert threads.add_discovered(source_id, [
            DiscoveredThread(urls[0], "rss", "https://h0.example/a", "P")], NOW) == 0
        followed, quiet = threads.claim_due(NOW, limit=5, terms=A)
        followed.follow_until = NOW + timedelta(days=14)
        followed.error_count, followed.last_error = 2, "timeout"
        session.flush()
        ids = (followed.id, quiet.id)
    later, soon = NOW + timedelta(minutes=5), NOW + timedelta(minutes=20)
    with unit_of_work(runtime.sessions) as session:
        threads = ThreadRepository(session)
        threads.record_fetch(ids[0], now=later, etag="e1", last_modified=None, found_new=True,
                             next_check_at=soon)
        threads.record_fetch(ids[1], now=later, etag=None, last_modified="Tue", found_new=False,
                             next_check_at=None)
        with pytest.raises(NotFoundError):
            threads.record_fetch(10_000, now=later, etag=None, last_modified=None,
                                 found_new=False, next_check_at=None)
    with runtime.sessions() as session:
        first, second = (session.get(ThreadWatch, i) for i in ids)
        assert first is not None
        assert second is not None
        assert (first.etag, first.next_check_at, first.last_activity_at) == ("e1", soon, later)
        assert (first.error_count, first.last_error, first.claimed_by) == (0, None, None)
        # following has ended (or never began): due again when it ends, else now
        assert (second.last_modified, second.next_check_at) == ("Tue", later)
        assert (second.last_activity_at, second.last_fetched_at) == (None, later)


def test_quiet_polls_are_recorded_together_and_a_vanished_thread_is_named(
        runtime: Runtime) -> None:
    _sources(runtime, 1)
    urls = [f"https://h0.example/{n}.rss" for n in range(3)]
    with unit_of_work(runtime.sessions) as session:
        source_id = SourceRepository(session).list_all()[0].id
        threads = ThreadRepository(session)
        threads.add_discovered(source_id, [
            DiscoveredThread(url, "rss", url.replace(".rss", ""), "P") for url in urls], NOW)
        followed, ended, _ = threads.claim_due(NOW, limit=5, terms=A)
        followed.follow_until = NOW + timedelta(days=14)
        session.flush()
        ids = (followed.id, ended.id)
    later, soon = NOW + timedelta(minutes=5), NOW + timedelta(minutes=20)
    with unit_of_work(runtime.sessions) as session:
        gone = ThreadRepository(session).record_quiet_polls([
            ThreadPoll(ids[0], '"e1"', None, soon),
            ThreadPoll(ids[1], None, "Tue", None),
            ThreadPoll(10_000, "x", None, soon),
        ], later)
    assert gone == {10_000}
    with runtime.sessions() as session:
        first, second = (session.get(ThreadWatch, i) for i in ids)
        assert first is not None
        assert second is not None
        assert (first.etag, first.next_check_at, first.last_fetched_at) == ('"e1"', soon, later)
        assert (first.claimed_by, first.last_activity_at) == (None, None)
        # following has ended (or never began): due again when it ends, else now
        assert (second.last_modified, second.next_check_at) == ("Tue", later)
        assert (second.claimed_by, second.last_fetched_at) == (None, later)
    with unit_of_work(runtime.sessions) as session:
        assert ThreadRepository(session).record_quiet_polls([], later) == set()
