"""Running the ``search`` kind against a loopback engine, for the per-engine tests."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from collectors import search
from collectors.document import CollectResult, FetchState, SourceSpec
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import RecordedRequest, Reply

OPTIONS = FetchOptions(user_agent="brand-monitor-test/1.0", allow_private_networks=True)
NOW = datetime.now(UTC).replace(microsecond=0)


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def params(request: RecordedRequest) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(request.path).query).items()}


def json_reply(data: object, status: int = 200, headers: Mapping[str, str] | None = None
               ) -> Reply:
    return Reply(status, json.dumps(data).encode(),
                 {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


RATE_LIMITED = Reply(429, b'{"error": "slow down"}',
                     {"Content-Type": "application/json", "Retry-After": "120"})
MALFORMED = Reply(200, b'{"hits": [{"objectID": ', {"Content-Type": "application/json"})


async def run_search(
    base_url: str, engine: str, terms: tuple[tuple[str, ...], ...] = (("acme",),),
    cursor: str | None = None, **options: str,
) -> CollectResult:
    spec = SourceSpec(url=base_url, kind="search", options={"engine": engine, **options},
                      search_terms=terms)
    async with build_fetcher(OPTIONS) as fetcher:
        return await search.collect(fetcher, spec, FetchState(cursor=cursor))
