"""Connections kept per origin: the httpx transport under the fetcher.

httpcore looks at every connection of its pool, a system call each, on every request and
every answer. One pool holding connections to many hosts therefore cost more CPU than the
fetches themselves, and its cap made a host's connection close to open another host's. A
pool per origin (scheme, host, port) looks only at the few connections to that host, and a
pool unused for the idle time is closed at the next sweep, so thousands of hosts do not keep
thousands of sockets open.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import httpcore
import httpx

Origin = tuple[bytes, bytes, int | None]


@dataclass(slots=True)
class _OriginPool:
    pool: httpcore.AsyncConnectionPool
    in_flight: int = 0
    last_used: float = field(default_factory=time.monotonic)

    def release(self) -> None:
        self.in_flight -= 1
        self.last_used = time.monotonic()


class PoolsByOrigin(httpx.AsyncBaseTransport):
    """An httpcore connection pool per origin, each closed once idle for ``idle_s``."""

    def __init__(self, build_pool: Callable[[], httpcore.AsyncConnectionPool],
                 idle_s: float) -> None:
        self._build_pool = build_pool
        self._idle_s = idle_s
        self._pools: dict[Origin, _OriginPool] = {}
        self._swept_at = time.monotonic()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        await self._sweep()
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port)
        entry = self._pools.get(origin)
        if entry is None:
            entry = self._pools[origin] = _OriginPool(self._build_pool())
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port,
                             target=url.raw_path),
            headers=request.headers.raw, content=request.stream, extensions=request.extensions,
        )
        entry.in_flight += 1
        try:
            core_response = await entry.pool.handle_async_request(core_request)
        except BaseException:
            entry.release()
            raise
        return httpx.Response(
            status_code=core_response.status, headers=core_response.headers,
            stream=_CoreStream(core_response, entry.release),
            extensions=core_response.extensions,
        )

    async def _sweep(self) -> None:
        """Close the pools of origins idle for longer than the idle time (at most once per
        idle time: looking costs a pass over every origin)."""
        now = time.monotonic()
        if now - self._swept_at < self._idle_s:
            return
        self._swept_at = now
        idle = [origin for origin, entry in self._pools.items()
                if entry.in_flight == 0 and now - entry.last_used >= self._idle_s]
        for origin in idle:
            await self._pools.pop(origin).pool.aclose()

    async def aclose(self) -> None:
        pools, self._pools = self._pools, {}
        for entry in pools.values():
            await entry.pool.aclose()


class _CoreStream(httpx.AsyncByteStream):
    """An answer's body; closing it ends the request for its origin's pool."""

    def __init__(self, response: httpcore.Response, on_close: Callable[[], None]) -> None:
        self._response = response
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for part in self._response.aiter_stream():
            yield part

    async def aclose(self) -> None:
        try:
            await self._response.aclose()
        finally:
            if self._on_close is not None:
                on_close, self._on_close = self._on_close, None
                on_close()
