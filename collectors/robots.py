"""robots.txt per origin: fetched once, cached, consulted before every request.

Failure policy (RFC 9309 leaves room; we lean to availability but keep retrying):
a 4xx answer means "no rules" and is cached like a real file; a 5xx, a timeout or a
connection failure also means "no rules" for now, but only for ``retry_s`` so a site whose
robots.txt was briefly unavailable is not crawled against its rules for a whole day.
"""

from __future__ import annotations

import asyncio
import time
import urllib.robotparser
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from collectors.errors import (
    BlockedAddress,
    FetchError,
    HttpStatusError,
    RateLimited,
    RobotsDisallowed,
)
from collectors.fetching import Response

RobotsFetch = Callable[[str], Awaitable[Response]]


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """Parsed rules of one origin; ``parser`` None means everything is allowed."""

    parser: urllib.robotparser.RobotFileParser | None
    sitemaps: tuple[str, ...]
    expires_at: float

    def allows(self, user_agent: str, url: str) -> bool:
        return self.parser is None or self.parser.can_fetch(user_agent, url)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, the unit robots.txt applies to."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


MAX_ROBOTS_BYTES = 512_000  # RFC 9309 lets crawlers ignore what comes after 500 KiB


def parse_robots(body: bytes, expires_at: float) -> RobotsRules:
    parser = urllib.robotparser.RobotFileParser()
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    parser.parse(text.splitlines())
    return RobotsRules(parser, tuple(parser.site_maps() or ()), expires_at)


RulesByOrigin = dict[str, RobotsRules]


def drop_expired(rules: RulesByOrigin, now: float | None = None) -> None:
    """Forget the rules past their expiry (a long-lived store must not only grow)."""
    moment = time.monotonic() if now is None else now
    for origin in [o for o, r in rules.items() if r.expires_at <= moment]:
        del rules[origin]


class RobotsCache:
    """Fetches and caches robots.txt per origin; one fetch per origin even under concurrency.

    ``rules`` may be shared by several caches (one per fetcher) that follow each other in a
    process, so that a new cycle does not fetch every site's robots.txt again before expiry.
    """

    def __init__(
        self, fetch: RobotsFetch, user_agent: str, ttl_s: float, retry_s: float,
        rules: RulesByOrigin | None = None,
    ) -> None:
        self._fetch = fetch
        self._user_agent = user_agent
        self._ttl_s = ttl_s
        self._retry_s = retry_s
        self._rules: RulesByOrigin = {} if rules is None else rules
        self._locks: dict[str, asyncio.Lock] = {}

    async def check(self, url: str) -> None:
        """Raise RobotsDisallowed if our user agent may not fetch ``url``."""
        if not await self.allows(url):
            raise RobotsDisallowed(url, "robots.txt of this site disallows our user agent here")

    async def allows(self, url: str) -> bool:
        rules = await self.rules_for(url)
        return rules.allows(self._user_agent, url)

    async def sitemaps(self, url: str) -> list[str]:
        return list((await self.rules_for(url)).sitemaps)

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self._rules.get(origin)
            if rules is None or rules.expires_at <= time.monotonic():
                try:
                    rules = await self._load(origin)
                except BlockedAddress as exc:
                    raise BlockedAddress(url, exc.reason) from None
                self._rules[origin] = rules
            return rules

    async def _load(self, origin: str) -> RobotsRules:
        now = time.monotonic()
        try:
            response = await self._fetch(origin + "/robots.txt")
        except BlockedAddress:
            raise
        except RateLimited:
            return RobotsRules(None, (), now + self._retry_s)
        except HttpStatusError as exc:
            ttl = self._ttl_s if exc.status < 500 else self._retry_s
            return RobotsRules(None, (), now + ttl)
        except FetchError:
            return RobotsRules(None, (), now + self._retry_s)
        return parse_robots(response.body, now + self._ttl_s)
