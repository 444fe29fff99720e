"""One entry point for every source kind: pick the collector module and call it.

Each source module exposes ``collect(fetcher, spec, state)`` and
``collect_thread(fetcher, ref, state)``. Modules are imported on first use so that a
source kind's dependencies load only when such a source exists.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Awaitable, Callable
from typing import cast

from collectors.detect import detect_kind
from collectors.document import CollectResult, FetchState, SourceKind, SourceSpec, ThreadRef
from collectors.errors import CollectorError
from collectors.fetching import Fetcher

CollectFn = Callable[[Fetcher, SourceSpec, FetchState], Awaitable[CollectResult]]
ThreadFn = Callable[[Fetcher, ThreadRef, FetchState], Awaitable[CollectResult]]

MODULES: dict[str, str] = {
    "rss": "collectors.rss",
    "blog": "collectors.blog",
    "discourse": "collectors.discourse",
    "reddit": "collectors.reddit",
    "hackernews": "collectors.hackernews",
}


async def collect_source(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """One pass over a source. Failures of its main URL raise CollectorError subclasses;
    failures of secondary pages (articles, comment pages) are ``warnings`` in the result.
    A spec without a kind is detected first (an extra request); the result's ``kind``
    says what was detected, for the caller to store."""
    kind = spec.kind or await detect_kind(fetcher, spec.url)
    collect = cast(CollectFn, _function(kind, "collect"))
    result = await collect(fetcher, dataclasses.replace(spec, kind=kind), state)
    # Tell the caller what was detected, so it can store the kind and not detect again.
    return result if result.kind else dataclasses.replace(result, kind=kind)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """The comments of one thread a previous pass returned as a ThreadRef."""
    collect = cast(ThreadFn, _function(ref.kind, "collect_thread"))
    return await collect(fetcher, ref, state)


def _function(kind: SourceKind, name: str) -> object:
    module_name = MODULES.get(kind)
    if module_name is None:
        raise CollectorError(f"unknown source kind {kind!r}; known: {', '.join(MODULES)}")
    function = getattr(importlib.import_module(module_name), name, None)
    if not callable(function):
        raise CollectorError(f"collector {module_name} has no {name}()")
    return function
