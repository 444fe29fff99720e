"""The API under database pressure: a writer holding SQLite's lock, a stalled or refusing
Postgres, an exhausted pool. Reads go on, changes and stalls answer 503 with Retry-After,
never 500."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

from api.app import SPARE_THREADS, create_app
from monitor.config import Settings
from monitor.runtime import open_runtime
from tests.conftest import _empty_tables
from tests.desk_seed import NOW, Doc, make_key, seed, seed_alert
from tests.live_server import live_server
from tests.process_support import wait_for
from tests.stall_proxy import StallProxy

TIGHT = {"pool_timeout": "1s", "busy_timeout": "1s", "statement_timeout": "2s",
         "connect_timeout": "1s"}


def _settings(url: str, api: dict[str, Any] | None = None, **database: Any) -> Settings:
    return Settings(database={"url": url, **TIGHT, **database},
                    api={"request_timeout": "2s", **(api or {})})


def _assert_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0
    body = response.json()
    assert body.get("database") == "unavailable" or body["error"]["code"] in (
        "database_unavailable", "database_busy")


@pytest.fixture
def sqlite_url(migrated_sqlite: str) -> str:
    _empty_tables(migrated_sqlite)
    return migrated_sqlite


@pytest.fixture
def locked_sqlite(sqlite_url: str) -> Iterator[sqlite3.Connection]:
    """Another process's writer: holds SQLite's write lock until the test ends."""
    writer = sqlite3.connect(make_url(sqlite_url).database or "", isolation_level=None)
    yield writer
    writer.execute("ROLLBACK")
    writer.close()


def test_reads_and_health_answer_while_another_writer_holds_the_lock(
        sqlite_url: str, locked_sqlite: sqlite3.Connection) -> None:
    settings = _settings(sqlite_url)
    runtime = open_runtime(settings)
    seed(runtime, [Doc("a", NOW)])
    seed_alert(runtime, title="Spike")
    key = make_key(runtime, ["read", "write"])
    locked_sqlite.execute("BEGIN IMMEDIATE")
    locked_sqlite.execute("UPDATE api_keys SET name = name")
    headers = {"Authorization": f"Bearer {key}"}
    try:
        with TestClient(create_app(settings, runtime)) as client:
            assert client.get("/healthz").status_code == 200
            mentions = client.get("/api/v1/mentions", headers=headers)
            assert mentions.status_code == 200
            assert len(mentions.json()["items"]) == 1
            alerts = client.get("/api/v1/alerts", headers=headers)
            assert alerts.status_code == 200, alerts.text
            assert locked_sqlite.in_transaction  # all of it while the writer held the lock
            change = client.patch(f"/api/v1/mentions/{mentions.json()['items'][0]['id']}",
                                  headers=headers, json={"state": "seen"})
            _assert_unavailable(change)
    finally:
        runtime.dispose()


def test_an_exhausted_pool_is_503_with_retry_after(database_url: str) -> None:
    settings = _settings(database_url, pool_size=1, max_overflow=0)
    runtime = open_runtime(settings)
    key = make_key(runtime, ["read"])
    try:
        with TestClient(create_app(settings, runtime)) as client:
            assert client.get("/healthz").status_code == 200
            with runtime.engine.connect():  # the only connection, held elsewhere
                _assert_unavailable(client.get("/healthz"))
                _assert_unavailable(client.get("/api/v1/mentions",
                                               headers={"Authorization": f"Bearer {key}"}))
                assert client.get("/login").status_code == 200
            assert client.get("/healthz").status_code == 200
    finally:
        runtime.dispose()


def test_a_stalled_postgres_is_503_and_holds_no_other_page(migrated_postgres: str) -> None:
    upstream = make_url(migrated_postgres)
    with StallProxy(upstream.host or "127.0.0.1", upstream.port or 5432) as proxy:
        url = upstream.set(host="127.0.0.1", port=proxy.port)
        settings = _settings(url.render_as_string(hide_password=False))
        runtime = open_runtime(settings)
        key = make_key(runtime, ["read"])
        headers = {"Authorization": f"Bearer {key}"}
        try:
            with TestClient(create_app(settings, runtime)) as client:
                assert client.get("/api/v1/mentions", headers=headers).status_code == 200
                proxy.stall()
                _assert_unavailable(client.get("/healthz"))  # a pooled connection stalls
                _assert_unavailable(client.get("/api/v1/mentions", headers=headers))
                _assert_unavailable(client.get("/healthz"))  # a new one cannot connect
                assert client.get("/static/desk.css").status_code == 200
                assert client.get("/login").status_code == 200
                proxy.drop_all()  # lets the abandoned requests' threads end
        finally:
            runtime.dispose()


def test_a_crowd_waiting_on_a_stalled_postgres_holds_no_other_page(
        migrated_postgres: str) -> None:
    """More requests than the server has threads, each stuck connecting to a database that
    swallows packets: they queue at the gate instead of taking every thread, so a static file
    and the login page are served while all of them are still waiting."""
    upstream = make_url(migrated_postgres)
    with StallProxy(upstream.host or "127.0.0.1", upstream.port or 5432) as proxy:
        url = upstream.set(host="127.0.0.1", port=proxy.port)
        settings = _settings(url.render_as_string(hide_password=False), pool_size=4,
                             max_overflow=0, pool_timeout="60s", connect_timeout="60s",
                             api={"request_timeout": "60s"})
        runtime = open_runtime(settings)
        headers = {"Authorization": f"Bearer {make_key(runtime, ['read'])}"}
        crowd = 40 + SPARE_THREADS + 10  # anyio's default threads, the spare, and more
        try:
            with live_server(settings, runtime) as port, ThreadPoolExecutor(crowd) as pool:
                base = f"http://127.0.0.1:{port}"
                assert httpx.get(f"{base}/api/v1/mentions", headers=headers).status_code == 200
                runtime.engine.dispose()  # every request now needs a new connection
                proxy.stall()
                waiting = [pool.submit(httpx.get, f"{base}/api/v1/mentions", headers=headers,
                                       timeout=120) for _ in range(crowd)]
                pool_of_engine = runtime.engine.pool
                assert isinstance(pool_of_engine, QueuePool)
                wait_for(lambda: pool_of_engine.checkedout() == 4, 30,
                         "every admitted request to be stuck connecting")
                time.sleep(1.0)  # the rest of the crowd has arrived and waits
                assert httpx.get(f"{base}/static/desk.css", timeout=30).status_code == 200
                assert httpx.get(f"{base}/login", timeout=30).status_code == 200
                assert not any(request.done() for request in waiting)
                proxy.refuse()  # the stuck connections fail, the queued ones are refused
                proxy.drop_all()
                statuses = {request.result().status_code for request in waiting}
        finally:
            runtime.dispose()
    assert statuses == {503}


def test_a_refusing_postgres_is_503_and_the_next_request_after_it_is_back_is_200(
        migrated_postgres: str) -> None:
    upstream = make_url(migrated_postgres)
    with StallProxy(upstream.host or "127.0.0.1", upstream.port or 5432) as proxy:
        url = upstream.set(host="127.0.0.1", port=proxy.port)
        settings = _settings(url.render_as_string(hide_password=False))
        runtime = open_runtime(settings)
        key = make_key(runtime, ["read"])
        headers = {"Authorization": f"Bearer {key}"}
        try:
            with TestClient(create_app(settings, runtime)) as client:
                assert client.get("/api/v1/mentions", headers=headers).status_code == 200
                proxy.refuse()  # the pooled connections are cut, new ones refused
                _assert_unavailable(client.get("/api/v1/mentions", headers=headers))
                _assert_unavailable(client.get("/healthz"))
                assert client.get("/static/desk.css").status_code == 200
                assert client.get("/login").status_code == 200
                proxy.resume()
                assert client.get("/healthz").status_code == 200
                assert client.get("/api/v1/mentions", headers=headers).status_code == 200
        finally:
            runtime.dispose()


def test_concurrent_requests_share_the_kept_connections_instead_of_churning_new_ones(
        database_url: str) -> None:
    """The overflow's connections are closed as soon as they are returned: requests beyond
    the pool's size wait at the gate rather than open (and drop) a connection each, which on
    Postgres starts a server process per request and made latency feed on itself."""
    settings = _settings(database_url, pool_size=2, max_overflow=8, pool_timeout="10s")
    runtime = open_runtime(settings)
    seed(runtime, [Doc(f"d{i}", NOW, text=f"Acme post {i}") for i in range(30)])
    headers = {"Authorization": f"Bearer {make_key(runtime, ['read'])}"}
    opened: list[object] = []

    def read_pages(port: int) -> list[int]:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as client:
            return [client.get("/api/v1/mentions").status_code for _ in range(6)]

    try:
        with live_server(settings, runtime) as port, ThreadPoolExecutor(16) as pool:
            read_pages(port)  # the key is checked and remembered: from now on, pages only
            runtime.engine.dispose()  # count from an empty pool
            event.listen(runtime.engine, "connect", lambda *_args: opened.append(1))
            statuses = [s for page in pool.map(read_pages, [port] * 16) for s in page]
    finally:
        runtime.dispose()
    assert statuses == [200] * 96
    assert 1 <= len(opened) <= 2, f"{len(opened)} connections opened"
