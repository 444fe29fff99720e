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

import httpx


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
            "p99_ms": round(self.percentile(0.99) * 1000, 1),
            "mean_ms": round(statistics.fmean(self.latencies) * 1000, 1)
            if self.latencies else None,
            "statuses": dict(self.statuses),
        }


async def run_load(base_url: str, paths: Sequence[str], *, rate: float, seconds: float,
                   headers: dict[str, str] | None = None, max_in_flight: int = 200,
                   timeout: float = 10.0) -> LoadResult:
    result = LoadResult(offered_rate=rate)
    limits = httpx.Limits(max_connections=max_in_flight, max_keepalive_connections=max_in_flight)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=timeout,
                                 limits=limits) as client:
        loop = asyncio.get_running_loop()
        start = loop.time()
        tasks: set[asyncio.Task[None]] = set()
        for i in range(int(rate * seconds)):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            if len(tasks) >= max_in_flight:
                result.statuses["dropped"] += 1
                continue
            task = asyncio.create_task(_one(client, paths[i % len(paths)], due, result))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.gather(*tasks)
        result.duration = loop.time() - start
    return result


async def _one(client: httpx.AsyncClient, path: str, due: float, result: LoadResult) -> None:
    loop = asyncio.get_running_loop()
    try:
        response = await client.get(path)
        status = str(response.status_code)
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    result.statuses[status] += 1
    result.latencies.append(loop.time() - due)
