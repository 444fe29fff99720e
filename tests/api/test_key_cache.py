"""Valid API keys are remembered per process for a few seconds; revocations and failures
are not held back by it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from api.key_cache import KeyCache
from monitor.db.engine import unit_of_work
from monitor.db.repositories import ApiKeyRepository
from monitor.runtime import Runtime


def _key_id(runtime: Runtime, key: str) -> int:
    with runtime.reads() as session:
        row = ApiKeyRepository(session).find_valid(key)
        assert row is not None
        return row.id


def test_a_key_revoked_through_the_api_stops_working_at_once(
        client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        other = ApiKeyRepository(session).create("reader", ["read"], datetime.now(UTC)).key
    reader = {"Authorization": f"Bearer {other}"}
    assert client.get("/api/v1/brands", headers=reader).status_code == 200  # now cached
    key_id = _key_id(runtime, other)
    assert client.delete(f"/api/v1/keys/{key_id}", headers=auth).status_code == 200
    assert client.get("/api/v1/brands", headers=reader).status_code == 401


def test_a_key_revoked_elsewhere_stops_working_when_its_entry_expires(
        client: TestClient, auth: dict[str, str], api_key: str, runtime: Runtime) -> None:
    assert client.get("/api/v1/brands", headers=auth).status_code == 200
    with unit_of_work(runtime.sessions) as session:
        ApiKeyRepository(session).revoke(_key_id(runtime, api_key), datetime.now(UTC))
    # Another process (the CLI) revoked it: this one trusts its entry until it expires...
    assert client.get("/api/v1/brands", headers=auth).status_code == 200
    client.app.state.key_cache = KeyCache(ttl=0.0)  # type: ignore[attr-defined]
    # ...and then asks the database again.
    assert client.get("/api/v1/brands", headers=auth).status_code == 401


def test_a_wrong_key_is_never_remembered_and_is_throttled(client: TestClient) -> None:
    wrong = {"Authorization": "Bearer bm_not-a-key"}
    statuses = [client.get("/api/v1/brands", headers=wrong).status_code for _ in range(30)]
    assert statuses[0] == 401
    assert 429 in statuses  # each failure reached the throttle
    assert set(statuses) <= {401, 429}
