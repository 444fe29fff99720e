"""Forged cursors on every paged listing: tampered, truncated, of another listing or sort,
huge, not base64, not UTF-8, out of range. Each is a clear 4xx with the error shape (or, for a
tampering that still decodes to a real position, an ordinary page): never a 500."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from monitor.db.repositories._cursor import encode_cursor as encode_alert_cursor
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

LISTINGS = ("/api/v1/mentions", "/api/v1/inbox", "/api/v1/alerts")


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


FORGED = {
    "not base64": "!!!not*base64###",
    "one base64 character": "A",
    "base64 of bytes that are not UTF-8": _b64(b"\xff\xfe\xfa\x00\x81"),
    "no separator": _b64(b"2026-11-20T12:00:00+00:00"),
    "not a date": _b64(b"yesterday|12"),
    "impossible date": _b64(b"2026-13-45T99:99:99|12"),
    "id not a number": _b64(b"2026-11-20T12:00:00+00:00|twelve"),
    "id negative": _b64(b"2026-11-20T12:00:00+00:00|-5"),
    "id beyond 64 bits": _b64(b"2026-11-20T12:00:00+00:00|" + b"9" * 40),
    "engagement overflow": _b64(b"e:" + b"9" * 60 + b"|3"),
    "at the length limit": "A" * 200,
    "huge": "QUFB" * 5000,
    "nul characters": "\x00\x00",
}
# Forgeries that may still name a position (the page after it is answered) or be refused.
ODD_POSITIONS = {
    "NUL inside the date": _b64(b"2026-11-20T12:00:00\x00|12"),
    "year 1": _b64(b"0001-01-01T00:00:00+00:00|1"),
    "year 9999": _b64(b"9999-12-31T23:59:59+00:00|1"),
    "a far time zone": _b64(b"2026-11-20T12:00:00+23:59|12"),
}


def _seed(runtime: Runtime) -> None:
    seed(runtime, [Doc(f"d{i}", NOW - timedelta(hours=i), text=f"Acme post {i}",
                       engagement={"score": i}, url=f"https://forum.example/t/{i}",
                       thread_url=f"https://forum.example/t/{i}") for i in range(6)])


def _get(client: TestClient, auth: dict[str, str], path: str, **params: Any) -> Any:
    return client.get(path, headers=auth, params=params)


def _assert_refused_or_page(response: Any, what: str) -> None:
    assert response.status_code != 500, what
    if response.status_code == 200:
        assert "items" in response.json(), what
        return
    assert 400 <= response.status_code < 500, (what, response.status_code)
    error = response.json()["error"]
    assert set(error) == {"code", "message", "details"}, what
    assert "cursor" in (error["message"] + str(error["details"])), (what, error)


@pytest.mark.parametrize("path", LISTINGS)
def test_forged_cursors_are_a_clear_4xx_on_every_listing(
    client: TestClient, auth: dict[str, str], runtime: Runtime, path: str
) -> None:
    _seed(runtime)
    for name, cursor in FORGED.items():
        response = _get(client, auth, path, cursor=cursor)
        assert 400 <= response.status_code < 500, (path, name, response.status_code)
        _assert_refused_or_page(response, f"{path}: {name}")
    for name, cursor in ODD_POSITIONS.items():
        _assert_refused_or_page(_get(client, auth, path, cursor=cursor), f"{path}: {name}")


@pytest.mark.parametrize("path", ["/api/v1/mentions", "/api/v1/inbox"])
def test_tampered_and_truncated_cursors_never_fail(
    client: TestClient, auth: dict[str, str], runtime: Runtime, path: str
) -> None:
    _seed(runtime)
    for sort in ("time", "engagement"):
        cursor = _get(client, auth, path, limit=2, sort=sort).json()["next_cursor"]
        assert cursor
        variants = {f"truncated to {n}": cursor[:n] for n in range(1, len(cursor))}
        for i in range(len(cursor)):
            for replacement in "A_-z0":
                if cursor[i] != replacement:
                    variants[f"{replacement} at {i}"] = cursor[:i] + replacement + cursor[i + 1:]
        for name, forged in variants.items():
            response = _get(client, auth, path, limit=2, sort=sort, cursor=forged)
            _assert_refused_or_page(response, f"{path} {sort}: {name}")


@pytest.mark.parametrize("path", ["/api/v1/mentions", "/api/v1/inbox"])
def test_a_cursor_of_one_sort_is_refused_by_the_other(
    client: TestClient, auth: dict[str, str], runtime: Runtime, path: str
) -> None:
    _seed(runtime)
    by_time = _get(client, auth, path, limit=2).json()["next_cursor"]
    by_engagement = _get(client, auth, path, limit=2, sort="engagement").json()["next_cursor"]
    assert _get(client, auth, path, sort="engagement", cursor=by_time).status_code == 422
    assert _get(client, auth, path, sort="time", cursor=by_engagement).status_code == 422


def test_cursors_of_other_listings_are_refused(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    mentions = _get(client, auth, "/api/v1/mentions", limit=2).json()["next_cursor"]
    inbox = _get(client, auth, "/api/v1/inbox", limit=2).json()["next_cursor"]
    alert = encode_alert_cursor(NOW, 5)
    assert _get(client, auth, "/api/v1/mentions", cursor=inbox).status_code == 422
    assert _get(client, auth, "/api/v1/inbox", cursor=mentions).status_code == 422
    assert _get(client, auth, "/api/v1/inbox", cursor=alert).status_code == 422
    assert _get(client, auth, "/api/v1/alerts", cursor=inbox).status_code == 422
    # The alert feed's cursor has the same shape as a mentions time cursor: a mentions
    # cursor there is a position in time, never an error.
    assert _get(client, auth, "/api/v1/alerts", cursor=mentions).status_code == 200
