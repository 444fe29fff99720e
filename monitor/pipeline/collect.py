"""One collection cycle: claim due sources, fetch them in parallel, analyse and store each.

Only the fetching runs concurrently; each source's documents, mentions and fetch state are
written in one transaction, so a crash never leaves a document without its mentions and a
re-run stores nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from collectors.dispatch import collect_source
from collectors.document import CollectResult, FetchState, SourceSpec
from collectors.errors import CollectorError, RateLimited
from collectors.fetching import Fetcher
from collectors.http import FetchOptions, build_fetcher
from monitor.config import CollectorSettings
from monitor.db.engine import unit_of_work
from monitor.db.models import Source
from monitor.db.repositories import SourceRepository
from monitor.domain.analysis import Analyser
from monitor.domain.schedule import decide_next_check
from monitor.pipeline.analyser import load_analyser
from monitor.pipeline.store import StoreReport, as_source_kind, save_documents
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
CLAIM_LEASE = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SourceJob:
    """A claimed source, detached from the session that claimed it."""

    id: int
    name: str
    url: str
    kind: str | None
    options: dict[str, str]
    interval: timedelta
    etag: str | None
    last_modified: str | None
    error_count: int


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source_id: int
    name: str
    status: str  # "ok", "not_modified" or "error"
    new_documents: int = 0
    new_mentions: int = 0
    error: str | None = None


@dataclass(slots=True)
class CycleReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.status == "error"]

    @property
    def new_documents(self) -> int:
        return sum(o.new_documents for o in self.outcomes)

    @property
    def new_mentions(self) -> int:
        return sum(o.new_mentions for o in self.outcomes)


def fetch_options(settings: CollectorSettings) -> FetchOptions:
    return FetchOptions(
        user_agent=settings.user_agent,
        allow_private_networks=settings.allow_private_networks,
        timeout_s=settings.timeout.total_seconds(),
        deadline_s=settings.deadline.total_seconds(),
        max_bytes=settings.max_bytes,
        max_redirects=settings.max_redirects,
        global_concurrency=settings.concurrency,
        per_host_concurrency=settings.per_host_concurrency,
        obey_robots=settings.obey_robots,
    )


async def run_collect_cycle(
    runtime: Runtime, *, include_all: bool = False, now: datetime | None = None,
    on_claimed: Callable[[int], None] | None = None,
    on_progress: Callable[[SourceOutcome], None] | None = None,
) -> CycleReport:
    """Fetch every due source (or all with ``include_all``) once, storing what is new."""
    now = now or datetime.now(UTC)
    jobs = await asyncio.to_thread(_claim, runtime, now, include_all)
    if on_claimed:
        on_claimed(len(jobs))
    report = CycleReport()
    if not jobs:
        return report
    analyser = await asyncio.to_thread(load_analyser, runtime)
    async with build_fetcher(fetch_options(runtime.settings.collector)) as fetcher:
        tasks = [_fetch(fetcher, job) for job in jobs]
        for next_done in asyncio.as_completed(tasks):
            job, result = await next_done
            outcome = await asyncio.to_thread(_record, runtime, analyser, job, result)
            report.outcomes.append(outcome)
            if on_progress:
                on_progress(outcome)
    return report


def _claim(runtime: Runtime, now: datetime, include_all: bool) -> list[SourceJob]:
    settings = runtime.settings.collector
    with unit_of_work(runtime.sessions) as session:
        sources = SourceRepository(session).claim_due(
            now, limit=settings.batch_size, per_host=settings.per_host_concurrency,
            lease=CLAIM_LEASE, include_all=include_all,
        )
        return [_job(s) for s in sources]


def _job(source: Source) -> SourceJob:
    return SourceJob(
        id=source.id, name=source.name, url=source.url, kind=source.kind,
        options=dict(source.options), interval=timedelta(seconds=source.interval_s),
        etag=source.etag, last_modified=source.last_modified, error_count=source.error_count,
    )


Fetched = tuple[SourceJob, CollectResult | BaseException]


async def _fetch(fetcher: Fetcher, job: SourceJob) -> Fetched:
    spec = SourceSpec(url=job.url, kind=as_source_kind(job.kind), options=job.options)
    state = FetchState(etag=job.etag, last_modified=job.last_modified)
    try:
        return job, await collect_source(fetcher, spec, state)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # noqa: BLE001 - one failing source must never stop the others
        return job, exc


def _record(
    runtime: Runtime, analyser: Analyser, job: SourceJob, result: CollectResult | BaseException
) -> SourceOutcome:
    now = datetime.now(UTC)
    if isinstance(result, BaseException):
        return _record_failure(runtime, job, result, now)
    with unit_of_work(runtime.sessions) as session:
        stored: StoreReport = save_documents(session, analyser, job.id, job.kind, result, now)
        SourceRepository(session).record_success(
            job.id, now=now, status=str(result.status), etag=result.state.etag,
            last_modified=result.state.last_modified, kind=stored.detected_kind,
            next_check_at=decide_next_check(now, job.interval, jitter_key=job.url),
        )
    log.info("source collected", extra={"source_id": job.id, "new": stored.new_documents})
    status = "not_modified" if result.not_modified else "ok"
    return SourceOutcome(job.id, job.name, status, stored.new_documents, stored.new_mentions)


def _record_failure(
    runtime: Runtime, job: SourceJob, error: BaseException, now: datetime
) -> SourceOutcome:
    message = describe_error(error)
    if not isinstance(error, CollectorError):
        log.warning("source failed unexpectedly", extra={"source_id": job.id}, exc_info=error)
    retry_after = None
    if isinstance(error, RateLimited) and error.retry_after_s is not None:
        retry_after = timedelta(seconds=error.retry_after_s)
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).record_failure(
            job.id, now=now, status="error", error=message,
            next_check_at=decide_next_check(
                now, job.interval, jitter_key=job.url, error_count=job.error_count + 1,
                retry_after=retry_after, max_backoff=runtime.settings.collector.max_backoff,
            ),
        )
    return SourceOutcome(job.id, job.name, "error", error=message)


def describe_error(error: BaseException) -> str:
    if isinstance(error, CollectorError):
        return f"{type(error).__name__}: {error}"
    return f"unexpected {type(error).__name__}: {error}"

