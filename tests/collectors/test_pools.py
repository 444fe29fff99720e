"""Connections per origin: reused across hosts, closed once idle, never while in use.

Against a keep-alive HTTP/1.1 server on loopback that counts the connections it accepts and
sees closed; the origins are the same server on several loopback addresses."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from collectors.http import FetchOptions, build_fetcher

pytestmark = pytest.mark.anyio

HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")


@dataclass
class CountingServer:
    """Answers every GET with a short body (``/slow`` after a delay), keeping connections."""

    port: int = 0
    opened: int = 0
    closed: int = 0
    servers: list[asyncio.Server] = field(default_factory=list)

    async def start(self) -> CountingServer:
        first = await asyncio.start_server(self._serve, HOSTS[0], 0)
        self.port = first.sockets[0].getsockname()[1]
        self.servers = [first] + [await asyncio.start_server(self._serve, host, self.port)
                                  for host in HOSTS[1:]]
        return self

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.opened += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                if head.startswith(b"GET /slow"):
                    await asyncio.sleep(1.0)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.closed += 1
            writer.close()

    async def stop(self) -> None:
        for server in self.servers:
            server.close()


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    started = await CountingServer().start()
    yield started
    await started.stop()


def options(**overrides: object) -> FetchOptions:
    base: dict[str, object] = {"user_agent": "pools-test/1.0", "allow_private_networks": True,
                               "obey_robots": False}
    return FetchOptions(**{**base, **overrides})  # type: ignore[arg-type]


async def test_each_host_keeps_its_connection_when_more_hosts_than_slots(
        server: CountingServer) -> None:
    # Two requests in flight at most, four hosts polled in turn: one pool for all, capped at
    # the slots, closed a host's idle connection to open another's for nearly every request.
    async with build_fetcher(options(global_concurrency=2)) as fetcher:
        for _ in range(10):
            await asyncio.gather(*(fetcher.fetch(server.url(host)) for host in HOSTS))
    assert server.opened == len(HOSTS)


async def test_a_host_idle_past_the_idle_time_has_its_connection_closed(
        server: CountingServer) -> None:
    async with build_fetcher(options(idle_connection_s=0.2)) as fetcher:
        await fetcher.fetch(server.url(HOSTS[0]))
        await fetcher.fetch(server.url(HOSTS[1]))
        await asyncio.sleep(0.3)
        await fetcher.fetch(server.url(HOSTS[1]))  # the next request sweeps
        await asyncio.sleep(0.1)
        assert (server.opened, server.closed) == (3, 2)
        # the swept host is simply connected to again
        assert (await fetcher.fetch(server.url(HOSTS[0]))).body == b"ok"
    await asyncio.sleep(0.1)
    assert (server.opened, server.closed) == (4, 4)


async def test_a_request_in_flight_survives_the_sweep_of_idle_hosts(
        server: CountingServer) -> None:
    async with build_fetcher(options(idle_connection_s=0.1)) as fetcher:
        slow = asyncio.create_task(fetcher.fetch(server.url(HOSTS[0], "/slow")))
        for _ in range(4):  # each after the idle time: each sweeps
            await asyncio.sleep(0.15)
            await fetcher.fetch(server.url(HOSTS[1]))
        assert (await slow).body == b"ok"
        await asyncio.sleep(0.1)
        assert server.closed == 3  # the three idle connections to HOSTS[1]; not the slow one
