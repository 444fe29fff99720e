"""The contract between collectors and whatever fetches bytes for them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from collectors.document import FetchState


@dataclass(frozen=True, slots=True)
class Response:
    """A fetched resource: final URL after redirects, status, headers (lower-case keys), body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    state: FetchState  # validators to send next time

    @property
    def not_modified(self) -> bool:
        return self.status == 304


class Fetcher(Protocol):
    """Fetches one URL politely; raises collectors.errors.FetchError subclasses on failure."""

    async def fetch(
        self, url: str, *, state: FetchState | None = None, accept: str | None = None
    ) -> Response: ...
