"""Several API processes throttle on the failures all of them saw: two apps on one database
stand for two workers (or machines), each with its own memory. On SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from api.app import create_app
from api.throttle import AuthThrottle, SharedStrikes, Throttled
from monitor.config import Settings
from monitor.db.engine import unit_of_work
from monitor.db.repositories.auth_strikes import AuthStrikeRepository
from monitor.db.repositories.users import hash_password
from monitor.domain.throttle import BackoffPolicy, Strikes
from monitor.runtime import Runtime
from tests.api.test_throttling import ADDRESS, SLOW, _try
from tests.desk_seed import make_key

NOW = datetime(2026, 12, 5, 9, tzinfo=UTC)
POLICY = BackoffPolicy(free=3, base=timedelta(hours=1))


def _worker(settings: Settings, runtime: Runtime) -> TestClient:
    users = [{"name": "omar", "password_hash": hash_password("correct horse", n=2**10)}]
    app = create_app(Settings(database=settings.database.model_dump(), api={"users": users}),
                     runtime)
    app.state.auth_throttle = AuthThrottle(SLOW, ADDRESS, SharedStrikes(runtime.optional_writes))
    return TestClient(app)


def test_password_guesses_spread_over_two_workers_are_counted_together(
        settings: Settings, runtime: Runtime) -> None:
    with _worker(settings, runtime) as one, _worker(settings, runtime) as two:
        guesses = [_try(one if i % 2 else two, username="omar", password=f"guess{i}")
                   for i in range(4)]
        assert guesses == [401, 401, 401, 429]  # each worker saw at most two
        assert _try(one, username="omar", password="correct horse") == 429
        assert _try(two, username="omar", password="correct horse") == 429


def test_api_key_guesses_spread_over_two_workers_are_counted_together(
        settings: Settings, runtime: Runtime) -> None:
    key = make_key(runtime, ["read"])
    bad, good = {"Authorization": "Bearer bm_guess"}, {"Authorization": f"Bearer {key}"}
    with _worker(settings, runtime) as one, _worker(settings, runtime) as two:
        statuses = [(one if i % 2 else two).get("/api/v1/mentions", headers=bad).status_code
                    for i in range(6)]
        assert statuses == [401] * 6
        # Each saw three failures; the sum (six) is past the address's free attempts. A worker
        # learns the sum with its own next failure (API requests read no shared count): one
        # just did; two gets one more attempt.
        assert one.get("/api/v1/mentions", headers=good).status_code == 429
        assert two.get("/api/v1/mentions", headers=bad).status_code == 401
        assert two.get("/api/v1/mentions", headers=good).status_code == 429
        assert one.get("/api/v1/mentions", headers=bad).status_code == 429


def test_a_success_clears_the_account_everywhere(settings: Settings, runtime: Runtime) -> None:
    with _worker(settings, runtime) as one, _worker(settings, runtime) as two:
        assert _try(one, username="omar", password="nope") == 401
        assert _try(two, username="omar", password="correct horse") == 303
    with unit_of_work(runtime.sessions) as session:
        assert "account:omar" not in AuthStrikeRepository(session).load(["account:omar"])


def test_failures_are_counted_atomically_and_forgotten_when_stale(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        strikes = AuthStrikeRepository(session)
        counted = [strikes.record_failure("address:10.0.0.9", NOW + timedelta(seconds=i), POLICY)
                   for i in range(3)]
        assert [c.failures for c in counted] == [1, 2, 3]
        assert counted[-1].last_failure_at == NOW + timedelta(seconds=2)
        later = NOW + POLICY.forget_after + timedelta(minutes=1)
        assert strikes.record_failure("address:10.0.0.9", later, POLICY) == Strikes(1, later)
        strikes.record_failure("account:old", NOW - timedelta(days=1), POLICY)
        assert strikes.forget_before(NOW) == 1
        assert set(strikes.load(["address:10.0.0.9", "account:old"])) == {"address:10.0.0.9"}


def test_an_unreachable_database_leaves_the_process_count() -> None:
    broken = sessionmaker(create_engine("sqlite:////nonexistent/dir/monitor.db"))
    throttle = AuthThrottle(POLICY, POLICY, SharedStrikes(broken))
    for _ in range(3):
        throttle.fail(["account:omar"], NOW, "login")
    with pytest.raises(Throttled):  # the process's own count still throttles
        throttle.check(["account:omar"], NOW, read_shared=True)
