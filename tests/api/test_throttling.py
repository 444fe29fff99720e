"""Guessing passwords or keys gets slower with each failure, per account and per address, and
every failure leaves an audit line; the right password is refused while the wait runs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.throttle import AuthThrottle
from monitor.config import Settings
from monitor.db.repositories.users import hash_password
from monitor.domain.throttle import BackoffPolicy
from monitor.runtime import Runtime
from tests.desk_seed import make_key

# A wait far longer than the test, so that "still waiting" never depends on its speed.
SLOW = BackoffPolicy(free=3, base=timedelta(hours=1))
ADDRESS = BackoffPolicy(free=6, base=timedelta(hours=1))


def _client(settings: Settings, runtime: Runtime) -> TestClient:
    users = [{"name": name, "password_hash": hash_password("correct horse", n=2**10)}
             for name in ("omar", "lea")]
    app = create_app(Settings(database=settings.database.model_dump(), api={"users": users}),
                     runtime)
    app.state.auth_throttle = AuthThrottle(SLOW, ADDRESS)
    return TestClient(app)


def _try(client: TestClient, **form: str) -> int:
    client.get("/login")
    token = client.cookies.get("bm_login_csrf", path="/login") or ""
    response = client.post("/login", data={"login_token": token, **form},
                           follow_redirects=False)
    if response.status_code == 429:
        assert int(response.headers["retry-after"]) > 0
    return response.status_code


def test_password_guessing_is_throttled_per_account_and_audited(
        settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    with _client(settings, runtime) as client:
        statuses = [_try(client, username="omar", password=f"guess{i}") for i in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        assert _try(client, username="omar", password="correct horse") == 429
        assert _try(client, username="lea", password="correct horse") == 303
    failures = [r for r in caplog.records if r.name == "monitor.audit"]
    assert len(failures) == 3
    assert all(getattr(r, "account", None) == "omar" for r in failures)
    assert all(getattr(r, "client", None) == "testclient" for r in failures)


def test_guessing_from_one_address_is_throttled_across_accounts(
        settings: Settings, runtime: Runtime) -> None:
    with _client(settings, runtime) as client:
        for i in range(6):
            assert _try(client, username=f"user{i}", password="x") == 401
        assert _try(client, username="lea", password="correct horse") == 429
        assert _try(client, api_key="bm_guess") == 429


def test_api_key_guessing_is_throttled_before_the_key_is_looked_at(
        settings: Settings, runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    key = make_key(runtime, ["read", "write"])
    with _client(settings, runtime) as client:
        bad = {"Authorization": "Bearer bm_guess"}
        assert [client.get("/api/v1/mentions", headers=bad).status_code
                for _ in range(6)] == [401] * 6
        good = {"Authorization": f"Bearer {key}"}
        refused = client.get("/api/v1/mentions", headers=good)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "too_many_attempts"
        assert int(refused.headers["retry-after"]) > 0
        posted = client.post("/api/v1/mentions/bulk", headers=good, json={"ids": [1]})
        assert posted.status_code == 429
    audit = [r for r in caplog.records if r.name == "monitor.audit"]
    assert len(audit) == 6
    assert all(getattr(r, "path", None) == "/api/v1/mentions" for r in audit)
