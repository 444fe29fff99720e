"""Each request's unit of work ends with its request: committed when the route succeeds,
rolled back when it fails, and its connection always back in the pool."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import event

from monitor.db.engine import unit_of_work
from monitor.db.repositories import BrandRepository
from monitor.db.repositories.catalog import CatalogRepository
from monitor.runtime import Runtime


def _checked_out(runtime: Runtime) -> int:
    checked_out: int = runtime.engine.pool.checkedout()  # type: ignore[attr-defined]
    return checked_out


def test_failed_reads_give_their_connections_back(client: TestClient, auth: dict[str, str],
                                                  runtime: Runtime) -> None:
    # Far more failures than the pool has connections: a leak would exhaust it.
    statuses = {client.get(f"/api/v1/mentions/{n}", headers=auth).status_code
                for n in range(900_000, 900_060)}
    assert statuses == {404}
    assert client.get("/api/v1/brands", headers=auth).status_code == 200
    assert _checked_out(runtime) == 0


def test_a_change_is_committed_before_the_answer(client: TestClient, auth: dict[str, str],
                                                 runtime: Runtime) -> None:
    answer = client.post("/api/v1/brands", headers=auth, json={"name": "Initech",
                                                               "query": "Initech"})
    assert answer.status_code == 201, answer.text
    with runtime.reads() as session:
        assert "Initech" in {b.name for b in BrandRepository(session).list_all()}
    assert _checked_out(runtime) == 0


def test_a_refused_change_leaves_nothing_behind(client: TestClient, auth: dict[str, str],
                                                runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        CatalogRepository(session).create_brand("Initech", "Initech", True, datetime.now(UTC))
    answer = client.post("/api/v1/brands", headers=auth, json={"name": "Initech",
                                                               "query": "Other"})
    assert answer.status_code == 409, answer.text
    with runtime.reads() as session:
        brands = [b for b in BrandRepository(session).list_all() if b.name == "Initech"]
    assert [b.query for b in brands] == ["Initech"]
    assert _checked_out(runtime) == 0


def test_a_remembered_key_needs_no_database_connection(client: TestClient,
                                                       auth: dict[str, str],
                                                       runtime: Runtime) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/brands", headers=auth).status_code == 200  # remembered now
    checkouts: list[int] = []

    def counted(*_args: object) -> None:
        checkouts.append(1)

    event.listen(runtime.engine, "checkout", counted)
    try:
        assert client.get("/api/v1/brands", headers=auth).status_code == 200
    finally:
        event.remove(runtime.engine, "checkout", counted)
    assert len(checkouts) == 1  # the route's own read, none to check the key
