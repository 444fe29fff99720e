"""A bounded open-loop load client: requests start at a fixed rate whatever the answers do.

Latency runs from when a request was due, not from when it was sent, so a server that falls
behind shows it (no coordinated omission). At most ``max_in_flight`` requests are open at once;
one due while that many are open is counted as dropped, an error.
"""

from __future__ import annotations

import asyncio
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    offered_rate: float
    duration: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if not status.startswith("2"))

    @property
    def rate(self) -> float:
        return self.completed / self.duration if self.duration else 0.0

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    def summary(self) -> dict[str, object]:
        return {
            "offered_rps": self.offered_rate, "achieved_rps": round(self.rate, 1),
            "requests": sum(self.statuses.values()), "errors": self.errors,
            "p50_ms": round(self.percentile(0.50) * 1000, 1),
            "p95_ms": round(self.percentile(0.95) * 1000, 1),
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1)
            if self.latencies else None,
            "statuses": dict(self.statuses),
        }


async def run_load(base_url: str, paths: Sequence[str], *, rate: float, seconds: float,
                   headers: dict[str, str] | None = None, max_in_flight: int = 200,
                   timeout: float = 10.0) -> LoadResult:
    result = LoadResult(offered_rate=rate)
    pool = _Connections(base_url, headers or {}, timeout)
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks: set[asyncio.Task[None]] = set()
    try:
        for i in range(int(rate * seconds)):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            if len(tasks) >= max_in_flight:
                result.statuses["dropped"] += 1
                continue
            task = asyncio.create_task(_one(pool, paths[i % len(paths)], due, result))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        result.duration = loop.time() - start
    finally:
        pool.close()
    return result


class _Connections:
    """Keep-alive HTTP/1.1 connections, one request at a time each. A few lines of asyncio
    rather than a full client: on a 2-core machine the client's own CPU must stay far below
    the server's, or it, not the server, sets the rate."""

    def __init__(self, base_url: str, headers: dict[str, str], timeout: float) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.timeout = timeout
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.head = f"Host: {parts.netloc}\r\n{extra}\r\n".encode()
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def get(self, path: str) -> int:
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._on(reader, writer, path)
            except (asyncio.IncompleteReadError, ConnectionError) as exc:
                # The server closed this idle connection (its keep-alive ran out) before or
                # as the request went: like any client, try again on another.
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return await self._on(reader, writer, path)

    async def _on(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                  path: str) -> int:
        try:
            status = await asyncio.wait_for(self._exchange(reader, writer, path), self.timeout)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                        path: str) -> int:
        writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\n" + self.head)
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        fields = dict(line.split(b":", 1) for line in lines[1:] if b":" in line)
        fields = {k.strip().lower(): v.strip() for k, v in fields.items()}
        if b"content-length" in fields:
            await reader.readexactly(int(fields[b"content-length"]))
        elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
            await _read_chunked(reader)
        if fields.get(b"connection", b"").lower() == b"close":
            raise ConnectionResetError("the server closed the connection")
        return status

    def close(self) -> None:
        for _reader, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        await reader.readexactly(size + 2)
        if size == 0:
            return


async def _one(pool: _Connections, path: str, due: float, result: LoadResult) -> None:
    loop = asyncio.get_running_loop()
    try:
        status = str(await pool.get(path))
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
        status = type(exc).__name__
    result.statuses[status] += 1
    result.latencies.append(loop.time() - due)
