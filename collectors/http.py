"""The polite, guarded HTTP fetcher every collector goes through.

One ``HttpFetcher`` per process (or per job): it owns the connection pool, the concurrency
limits and the robots.txt cache. Each ``fetch`` follows redirects itself so that every hop
is checked (robots, private addresses via ``netguard``), runs under one total deadline,
and reads at most ``max_bytes`` of decoded body.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from types import TracebackType
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from collectors.bodies import ACCEPT_ENCODING, read_capped
from collectors.document import FetchState
from collectors.errors import (
    BlockedAddress,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    RateLimited,
    TooManyRedirects,
)
from collectors.fetching import Response
from collectors.netguard import AddressFilter, GuardedBackend, is_public_address
from collectors.pools import PoolsByOrigin
from collectors.robots import RobotsCache, RulesByOrigin

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_LATER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How the fetcher behaves; built from the collector section of the settings."""

    user_agent: str
    allow_private_networks: bool = False
    timeout_s: float = 20  # per network operation (connect, each read)
    deadline_s: float = 60  # whole fetch, all redirect hops included
    max_bytes: int = 10_000_000  # decoded body
    max_redirects: int = 5
    global_concurrency: int = 16
    per_host_concurrency: int = 2
    obey_robots: bool = True
    robots_ttl_s: float = 86_400
    robots_retry_s: float = 300  # cache "allow all" this long after a 5xx/timeout on robots.txt
    idle_connection_s: float = 5  # httpx's own default; servers close theirs after 5-15 s


def build_fetcher(options: FetchOptions, *, robots_rules: RulesByOrigin | None = None
                  ) -> HttpFetcher:
    """The production fetcher; use as ``async with build_fetcher(opts) as fetcher``.
    ``robots_rules``: robots.txt rules kept from earlier fetchers (and added to)."""
    return HttpFetcher(options, robots_rules=robots_rules)


@dataclass(frozen=True, slots=True)
class _Hop:
    """One request/answer of a redirect chain."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def location(self) -> str | None:
        target = self.headers.get("location")
        if self.status in REDIRECT_STATUSES and target:
            return urljoin(self.url, target.strip())
        return None


class _Budget:
    """What is left of a fetch's total deadline; waiting for a concurrency slot is free."""

    def __init__(self, seconds: float) -> None:
        self.total = seconds
        self._spent = 0.0

    @contextmanager
    def spending(self) -> Iterator[float]:
        started = time.monotonic()
        try:
            yield max(self.total - self._spent, 0.0)
        finally:
            self._spent += time.monotonic() - started


class HttpFetcher:
    """Implements ``collectors.fetching.Fetcher`` over httpx with guards and limits."""

    def __init__(
        self, options: FetchOptions, *, address_filter: AddressFilter = is_public_address,
        robots_rules: RulesByOrigin | None = None,
    ) -> None:
        """``address_filter`` decides which resolved addresses count as public; the default
        is the real rule, other filters exist so tests on loopback can play the internet."""
        self.options = options
        self._address_filter = address_filter
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(options.global_concurrency)
        self._per_host: dict[str, asyncio.Semaphore] = {}
        self._robots = RobotsCache(
            self._fetch_robots_txt,
            options.user_agent,
            options.robots_ttl_s,
            options.robots_retry_s,
            robots_rules,
        )

    async def __aenter__(self) -> HttpFetcher:
        self._client = self._build_client()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def fetch(
        self, url: str, *, state: FetchState | None = None, accept: str | None = None
    ) -> Response:
        """GET ``url`` (conditionally when ``state`` has validators), following redirects."""
        return await self._follow(url, state, accept, check_robots=self.options.obey_robots)

    async def allows(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (always True when robots are not obeyed)."""
        return not self.options.obey_robots or await self._robots.allows(url)

    async def sitemaps_for(self, site_url: str) -> list[str]:
        """Sitemap URLs listed in robots.txt of the site ``site_url`` belongs to."""
        return await self._robots.sitemaps(site_url)

    def _build_client(self) -> httpx.AsyncClient:
        guarded = not self.options.allow_private_networks
        backend = GuardedBackend(self._address_filter) if guarded else None
        ssl_context = httpx.create_ssl_context()
        idle_s = self.options.idle_connection_s

        def build_pool() -> httpcore.AsyncConnectionPool:
            # The semaphores cap the requests in flight; this cap is only a backstop.
            return httpcore.AsyncConnectionPool(
                ssl_context=ssl_context, max_connections=self.options.global_concurrency,
                keepalive_expiry=idle_s, network_backend=backend,
            )
        return httpx.AsyncClient(
            transport=PoolsByOrigin(build_pool, idle_s),
            headers={"User-Agent": self.options.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=httpx.Timeout(self.options.timeout_s),
            follow_redirects=False,
            trust_env=False,  # a proxy from the environment would bypass the address guard
        )

    async def _fetch_robots_txt(self, url: str) -> Response:
        return await self._follow(url, None, "text/plain", check_robots=False)

    async def _follow(
        self, url: str, state: FetchState | None, accept: str | None, *, check_robots: bool
    ) -> Response:
        budget = _Budget(self.options.deadline_s)
        headers = _request_headers(state, accept)
        seen: set[str] = set()
        current = url
        while True:
            _require_http(current)
            if check_robots:
                await self._robots.check(current)
            hop = await self._hop(current, headers, budget)
            target = hop.location
            if target is None:
                return _to_response(hop, state)
            seen.add(current)
            if target in seen:
                raise TooManyRedirects(url, f"redirect loop back to {target}")
            if len(seen) > self.options.max_redirects:
                raise TooManyRedirects(url, f"more than {self.options.max_redirects} redirects")
            current = target

    async def _hop(self, url: str, headers: dict[str, str], budget: _Budget) -> _Hop:
        async with self._slot(url), _errors_as_fetch_errors(url, budget.total):
            with budget.spending() as remaining:
                async with asyncio.timeout(remaining):
                    return await self._request(url, headers)

    @asynccontextmanager
    async def _slot(self, url: str) -> AsyncIterator[None]:
        host = urlsplit(url).netloc.lower()
        per_host = self._per_host.setdefault(
            host, asyncio.Semaphore(self.options.per_host_concurrency)
        )
        # Per-host first: a request queued behind its host's limit must not hold one of the
        # global slots other hosts could use meanwhile.
        async with per_host, self._global:
            yield

    async def _request(self, url: str, headers: dict[str, str]) -> _Hop:
        if self._client is None:
            raise RuntimeError("HttpFetcher used outside 'async with build_fetcher(...)'")
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            found = {key.lower(): value for key, value in response.headers.items()}
            _raise_for_status(url, response.status_code, found)
            body = b""
            if response.status_code not in REDIRECT_STATUSES and response.status_code != 304:
                encoding = found.get("content-encoding", "")
                body = await read_capped(
                    response.aiter_raw(), url, encoding, self.options.max_bytes
                )
            return _Hop(url, response.status_code, found, body)
        finally:
            await response.aclose()


@asynccontextmanager
async def _errors_as_fetch_errors(url: str, deadline_s: float) -> AsyncIterator[None]:
    """Translate library and timeout exceptions into our FetchError family."""
    try:
        yield
    except BlockedAddress as exc:
        raise BlockedAddress(url, exc.reason) from None
    except TimeoutError as exc:
        raise FetchTimeout(url, f"no complete answer within the {deadline_s:g} s deadline") from exc
    except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
        raise FetchTimeout(url, f"network operation timed out ({type(exc).__name__})") from exc
    except (httpx.HTTPError, httpcore.ConnectError, httpcore.NetworkError) as exc:
        raise FetchError(url, f"{type(exc).__name__}: {exc or 'connection failed'}") from exc
    except (httpx.InvalidURL, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
    except (FetchError, asyncio.CancelledError):
        raise
    except OSError as exc:
        raise FetchError(url, f"network error: {exc}") from exc


def _require_http(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError(url, "only absolute http(s) URLs can be fetched")


def _request_headers(state: FetchState | None, accept: str | None) -> dict[str, str]:
    headers = {"Accept": accept or "*/*"}
    if state is not None and state.etag:
        headers["If-None-Match"] = state.etag
    if state is not None and state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    return headers


def _raise_for_status(url: str, status: int, headers: Mapping[str, str]) -> None:
    if status in RETRY_LATER_STATUSES:
        raise RateLimited(url, status, parse_retry_after(headers.get("retry-after")))
    if status >= 400:
        raise HttpStatusError(url, status)


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date), None if absent."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(when.timestamp() - (time.time() if now is None else now), 0.0)


def _to_response(hop: _Hop, state: FetchState | None) -> Response:
    if hop.status == 304:
        kept = state or FetchState()
        new_state = FetchState(
            etag=hop.headers.get("etag") or kept.etag,
            last_modified=hop.headers.get("last-modified") or kept.last_modified,
        )
        return Response(hop.url, 304, hop.headers, b"", new_state)
    fresh = FetchState(etag=hop.headers.get("etag"), last_modified=hop.headers.get("last-modified"))
    return Response(hop.url, hop.status, hop.headers, hop.body, fresh)
