"""Bodies are refused before they cost: no key -> 401 unread, too big -> 413 while streaming,
too slow -> 408, too deep -> 4xx; over real sockets, so nothing but the head need be sent."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from monitor.config import Settings
from monitor.runtime import Runtime
from tests.desk_seed import make_key
from tests.live_server import live_server, read_response, send_raw, status_of

CAP = 10_000


@pytest.fixture
def server(settings: Settings, runtime: Runtime) -> Iterator[tuple[int, str]]:
    limits = {"max_body_bytes": CAP, "body_timeout": timedelta(seconds=1)}
    capped = settings.model_copy(update={"api": settings.api.model_copy(update=limits)})
    key = make_key(runtime, ["read", "write", "admin"])
    with live_server(capped, runtime) as port:
        yield port, key


def _post(path: str, *, key: str | None = None, length: int | None = None,
          chunked: bool = False) -> str:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return "\n".join(lines) + "\n"


def test_a_huge_body_without_a_key_is_refused_unread(server: tuple[int, str]) -> None:
    port, _key = server
    for head, start in ((_post("/api/v1/mentions/bulk", length=200_000_000), b"{"),
                        (_post("/api/v1/mentions/bulk", length=500), b"{"),
                        (_post("/api/v1/mentions/bulk", chunked=True), b"5\r\n{"),
                        (_post("/api/v1/mentions/bulk", key="not-a-key", length=500), b"{")):
        response = send_raw(port, head, start)  # the rest never comes
        assert status_of(response) in (401, 413), response
        assert b"x-content-type-options: nosniff" in response.lower()


def test_a_malformed_chunk_is_a_bad_request(server: tuple[int, str]) -> None:
    port, key = server
    for who in (None, key):
        response = send_raw(port, _post("/api/v1/mentions/bulk", key=who, chunked=True), b"{")
        assert status_of(response) in (400, 401), response  # the framing, or the key first


def test_an_announced_oversized_body_is_413_before_it_is_sent(server: tuple[int, str]) -> None:
    port, key = server
    response = send_raw(port, _post("/api/v1/mentions/bulk", key=key, length=200_000_000))
    assert status_of(response) == 413
    response = send_raw(port, _post("/login", length=CAP + 1))
    assert status_of(response) == 413


def test_a_streamed_body_is_cut_off_at_the_cap(server: tuple[int, str]) -> None:
    port, key = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((_post("/api/v1/mentions/bulk", key=key, chunked=True) + "\n")
                     .replace("\n", "\r\n").encode())
        chunk = b"[" + b"1," * 2000
        for _ in range(100):  # a million bytes offered; the server stops after ten thousand
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            except OSError:
                break
        response = read_response(sock)
    assert status_of(response) == 413


def test_a_slow_body_with_a_key_times_out_and_health_stays_up(server: tuple[int, str]) -> None:
    port, key = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall((_post("/api/v1/mentions/bulk", key=key, length=500) + "\n")
                     .replace("\n", "\r\n").encode() + b'{"ids": [')
        health = send_raw(port, "GET /healthz HTTP/1.1\nHost: 127.0.0.1\n")
        assert status_of(health) == 200
        assert status_of(read_response(slow)) == 408


def test_deep_json_is_a_client_error(server: tuple[int, str]) -> None:
    port, key = server
    body = b"[" * 4000 + b"]" * 4000
    response = send_raw(port, _post("/api/v1/mentions/bulk", key=key, length=len(body)), body)
    assert 400 <= status_of(response) < 500, response
    nested = b'{"ids": [1], "set": ' + b'{"a": ' * 2000 + b"1" + b"}" * 2001
    response = send_raw(port, _post("/api/v1/mentions/bulk", key=key, length=len(nested)),
                        nested)
    assert 400 <= status_of(response) < 500, response


def test_a_dashboard_form_without_a_login_goes_back_to_the_login_page_unread(
        server: tuple[int, str]) -> None:
    port, _key = server
    head = _post("/inbox/bulk", length=5000).replace("application/json",
                                                        "application/x-www-form-urlencoded")
    response = send_raw(port, head, b"ids=1")
    assert status_of(response) == 303
    assert b"location: /login" in response.lower()
