"""Import and export the sources as OPML: the plan is decided in ``monitor.domain.opml``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from collectors import registry
from monitor.db.engine import unit_of_work
from monitor.db.repositories import SourceRepository
from monitor.db.repositories.sources import SourceSpec
from monitor.domain.opml import (
    ImportPlan,
    OpmlError,
    OpmlFeed,
    decide_import,
    parse_opml,
    render_opml,
)
from monitor.errors import InvalidInputError
from monitor.runtime import Runtime

DEFAULT_INTERVAL = timedelta(minutes=30)


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    plan: ImportPlan


def import_opml(runtime: Runtime, body: bytes, *, interval: timedelta = DEFAULT_INTERVAL,
                now: datetime | None = None) -> ImportReport:
    """Add the file's feeds that are not sources yet; duplicates and refusals are reported."""
    now = now or datetime.now(UTC)
    try:
        feeds = parse_opml(body, registry.kind_names())
    except OpmlError as exc:
        raise InvalidInputError(str(exc)) from None
    allow_private = runtime.settings.collector.allow_private_networks
    with unit_of_work(runtime.sessions) as session:
        repo = SourceRepository(session)
        plan = decide_import(feeds, repo.list_urls(), allow_private=allow_private,
                             kind_problem=compute_kind_problem)
        added = repo.add_many([_spec(f, interval) for f in plan.new], now)
    return ImportReport(added, plan)


def compute_kind_problem(feed: OpmlFeed) -> str | None:
    """What the registry says about the feed's options (an outline without a kind may
    carry none: its kind is detected at the first fetch)."""
    if feed.kind is None:
        return "options need a type naming the source kind" if feed.options else None
    problems = registry.kind_info(feed.kind).option_problems(feed.options)
    return "; ".join(problems) or None


def _spec(feed: OpmlFeed, interval: timedelta) -> SourceSpec:
    return SourceSpec(feed.name, feed.url, feed.kind, interval, options=dict(feed.options))


def export_opml(runtime: Runtime) -> str:
    """Every source, in id order, as OPML 2.0."""
    with runtime.reads() as session:
        sources = SourceRepository(session).list_all()
        feeds = [OpmlFeed(s.url, s.name, s.kind, dict(s.options)) for s in sources]
    return render_opml(feeds)
