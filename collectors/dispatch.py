"""One entry point for every source kind: look the kind up in the registry and call it.

Each source module exposes ``collect(fetcher, spec, state)`` and
``collect_thread(fetcher, ref, state)`` beside its ``KIND`` (see ``collectors.registry``).
"""

from __future__ import annotations

import dataclasses

from collectors.detect import detect_kind
from collectors.document import CollectResult, FetchState, SourceSpec, ThreadRef
from collectors.fetching import Fetcher
from collectors.registry import lookup


async def collect_source(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """One pass over a source. Failures of its main URL raise CollectorError subclasses;
    failures of secondary pages (articles, comment pages) are ``warnings`` in the result.
    A spec without a kind is detected first (an extra request); the result's ``kind``
    says what was detected, for the caller to store."""
    kind = spec.kind or await detect_kind(fetcher, spec.url)
    collector = lookup(kind).collector
    result = await collector.collect(fetcher, dataclasses.replace(spec, kind=kind), state)
    # Tell the caller what was detected, so it can store the kind and not detect again.
    return result if result.kind else dataclasses.replace(result, kind=kind)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """The comments of one thread a previous pass returned as a ThreadRef."""
    return await lookup(ref.kind).collector.collect_thread(fetcher, ref, state)
