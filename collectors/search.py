"""Source kind "search": the brands' queries asked of a public search engine each pass.

The engine is the ``engine`` option (a module of ``collectors.search_engines``); the source
URL is the engine's API base unless ``api_base`` says otherwise. Each term group (see
``collectors.searching``) keeps its own high-water mark in the fetch state's cursor, so a
pass asks only for what is new and a group seen for the first time (a new brand, a changed
query) searches back ``backfill_days``. A rate limit or a malformed answer stops the pass
with what was found so far (the groups not finished keep their mark); when nothing was
found it fails the source, and the scheduler backs off (honouring ``Retry-After``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import cast

from collectors import search_engines
from collectors.document import CollectResult, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError, RateLimited
from collectors.fetching import Fetcher
from collectors.registry import KindInfo, OptionField, discover
from collectors.searching import (
    Engine,
    EngineInfo,
    Found,
    SearchRequest,
    SearchTerms,
    dump_cursor,
    int_option,
    load_cursor,
)

DEFAULT_MAX_PAGES = 3
DEFAULT_BACKFILL_DAYS = 30
NO_TERMS = SearchTerms(())

ENGINES = discover(search_engines, "ENGINE")


def _engine_options() -> tuple[OptionField, ...]:
    seen: dict[str, OptionField] = {}
    for module in ENGINES.values():
        for option in cast(EngineInfo, module.ENGINE).options:
            seen.setdefault(option.name, option)
    return tuple(seen.values())


KIND = KindInfo(
    name="search", display_name="Search",
    url_help="the search engine's API base (or, for engine rss, the search feed)",
    options=(
        OptionField("engine", "which search engine", required=True, choices=tuple(ENGINES)),
        OptionField("api_base", "the engine's API base when it is not the source URL"),
        OptionField("query", "search this query instead of the brands' queries"),
        OptionField("max_pages", "result pages per search per pass", integer=True),
        OptionField("backfill_days", "how far back a new search looks", integer=True),
        *_engine_options(),
    ),
    thread_kinds=("hackernews", "reddit"), needs_url=False, order=60,
)


def engine_info(name: str) -> EngineInfo:
    return cast(EngineInfo, _module(name).ENGINE)


def _module(name: str) -> ModuleType:
    module = ENGINES.get(name)
    if module is None:
        raise CollectorError(f"unknown search engine {name!r}; known: {', '.join(ENGINES)}")
    return module


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """One pass: every term group asked of the engine, back to its high-water mark."""
    name = spec.options.get("engine", "")
    engine, info = cast(Engine, _module(name)), engine_info(name)
    groups = [SearchTerms(t) for t in spec.search_terms] if info.needs_terms else [NO_TERMS]
    if not groups:
        raise CollectorError(f"search source {spec.url}: no brand query to search for")
    now = datetime.now(UTC)
    # Marks of groups no brand asks for any more are dropped: asked again, they backfill.
    marks = {k: v for k, v in load_cursor(state).items() if k in {g.key for g in groups}}
    backfill = timedelta(days=int_option(spec.options, "backfill_days", DEFAULT_BACKFILL_DAYS))
    pass_ = _Pass(state)
    for terms in groups:
        request = SearchRequest(
            fetcher=fetcher, api_base=(spec.options.get("api_base") or spec.url).rstrip("/"),
            terms=terms, since=marks.get(terms.key, now - backfill),
            max_pages=int_option(spec.options, "max_pages", DEFAULT_MAX_PAGES),
            options=spec.options, state=state,
        )
        found = await pass_.ask(engine, request)
        if found is None:
            break
        if terms.key not in marks:  # a first search looks back: what it finds is history
            pass_.backfill.update(d.key for d in found.documents)
        marks[terms.key] = max(found.newest or request.since, request.since)
    return pass_.result(marks)


class _Pass:
    """Gathers the answers of one pass; stops at the first rate limit or broken answer."""

    def __init__(self, state: FetchState) -> None:
        self.found = Found(state=FetchState(etag=state.etag, last_modified=state.last_modified))
        self.asked = 0
        self.backfill: set[str] = set()

    async def ask(self, engine: Engine, request: SearchRequest) -> Found | None:
        try:
            found = await engine.search(request)
        except (RateLimited, ParseError) as exc:
            if not self.found.documents:
                raise
            self.found.warnings.append(f"search stopped early, the rest waits: {exc}")
            return None
        self.asked += 1
        self.found.documents.extend(found.documents)
        self.found.threads.extend(found.threads)
        self.found.warnings.extend(found.warnings)
        if found.state.etag or found.state.last_modified:
            self.found.state = found.state
        return found

    def result(self, marks: dict[str, datetime]) -> CollectResult:
        state = FetchState(self.found.state.etag, self.found.state.last_modified,
                           dump_cursor(marks))
        return CollectResult(self.found.documents, state, 200, _unique(self.found.threads),
                             self.found.warnings, backfill_keys=frozenset(self.backfill))


def _unique(threads: list[ThreadRef]) -> list[ThreadRef]:
    return list({t.url: t for t in threads}.values())


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """Search results hand their threads to the kinds that read them (``thread_kinds``)."""
    raise CollectorError(f"search sources have no threads of their own ({ref.url})")
