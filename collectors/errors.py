"""Why a collection failed, one class per thing a user or the scheduler can act on.

Every fetch failure carries the URL it concerns, so a message logged against a source
row says where to look without a traceback.
"""

from __future__ import annotations


class CollectorError(Exception):
    """Base of everything the collectors raise on purpose."""


class FetchError(CollectorError):
    """A URL could not be fetched (connection refused, reset, TLS failure, bad URL...)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type[FetchError], tuple[object, ...]]:
        # Errors cross process boundaries (parse workers); rebuild them from their fields.
        return (type(self), (self.url, self.reason))


class FetchTimeout(FetchError):
    """The fetch did not finish within its total deadline (slow or dripping server)."""


class ResponseTooLarge(FetchError):
    """The decoded body exceeded the configured cap (huge page or compression bomb)."""


class BlockedAddress(FetchError):
    """The host resolves to a private, loopback, link-local or otherwise non-public address."""


class TooManyRedirects(FetchError):
    """The redirect chain was longer than allowed or looped back on itself."""


class RobotsDisallowed(FetchError):
    """robots.txt of the host forbids our user agent to fetch this URL."""


class HttpStatusError(FetchError):
    """The server answered with an error status (4xx/5xx)."""

    def __init__(self, url: str, status: int, reason: str = "") -> None:
        super().__init__(url, reason or f"server answered HTTP {status}")
        self.status = status

    def __reduce__(self) -> tuple[type[FetchError], tuple[object, ...]]:
        return (type(self), (self.url, self.status, self.reason))


class RateLimited(HttpStatusError):
    """HTTP 429 or 503: the server asks us to come back later.

    ``retry_after_s`` is the wait the server asked for (from ``Retry-After``, seconds or an
    HTTP date), or None when it gave none and the scheduler's own back-off applies.
    """

    def __init__(self, url: str, status: int, retry_after_s: float | None) -> None:
        wait = "" if retry_after_s is None else f"; retry after {retry_after_s:.0f} s"
        super().__init__(url, status, f"server answered HTTP {status} (rate limited{wait})")
        self.retry_after_s = retry_after_s

    def __reduce__(self) -> tuple[type[FetchError], tuple[object, ...]]:
        return (type(self), (self.url, self.status, self.retry_after_s))


class ParseError(CollectorError):
    """A fetched body could not be understood (malformed feed, entity bomb, wrong format)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type[ParseError], tuple[object, ...]]:
        return (type(self), (self.url, self.reason))


class ParseTimeout(ParseError):
    """Parsing one document took longer than the per-document limit."""
