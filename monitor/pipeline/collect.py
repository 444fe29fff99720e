"""One collection cycle: claim due sources, then due threads; fetch in parallel; store each.

Fetches run concurrently, and go on while finished ones are stored: the results that are
ready are written together, one transaction per batch with a savepoint per source (or
thread), so a crash never leaves a document without its mentions, one bad result fails
alone, and a re-run stores nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from collectors.document import CollectResult
from collectors.errors import CollectorError, RateLimited
from collectors.fetching import Fetcher
from collectors.http import FetchOptions, build_fetcher
from collectors.parsing import add_worker_preload, use_parse_workers
from collectors.robots import drop_expired
from monitor.config import CollectorSettings
from monitor.db.engine import unit_of_work
from monitor.db.repositories import BrandRepository, SourceRepository, ThreadRepository
from monitor.db.repositories.counted_writes import lock_counted_writes
from monitor.db.repositories.threads import ThreadPoll
from monitor.domain.analysis import Analyser
from monitor.domain.freshness import compute_news_window
from monitor.errors import MonitorError, NotFoundError
from monitor.pipeline.alerting import compute_settings
from monitor.pipeline.analyser import load_recipe
from monitor.pipeline.jobs import CollectJob, Fetched, SourceJob, ThreadJob
from monitor.pipeline.maintenance import refresh_outgrown_statistics
from monitor.pipeline.preanalysis import AnalyserRecipe, Analyses, build_from_recipe
from monitor.pipeline.store import PreparedDocuments, StoreReport
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
# Raised by our own code or a broken install, never by a site: such a failure is the program's,
# so it is reported once for the run and not recorded against each source.
PROGRAM_ERRORS: tuple[type[BaseException], ...] = (
    ImportError, AttributeError, NameError, TypeError, NotImplementedError, AssertionError,
)
# A fetch's result with its documents' analyses when the parse workers computed them.
_Ready = tuple[CollectJob, CollectResult | BaseException, Analyses | None]
# Imported once by the parse workers' server, so that a new worker starts ready to analyse.
WORKER_PRELOAD = ("monitor.pipeline.preanalysis",)
# Fetch results written in one transaction: fewer commits (each an fsync on SQLite) while the
# next fetches run.
STORE_BATCH = 20


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    source_id: int
    name: str
    status: str  # "ok", "not_modified", "error" or "program_error"
    new_documents: int = 0
    new_mentions: int = 0
    error: str | None = None
    is_thread: bool = False


@dataclass(slots=True)
class CycleReport:
    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def sources(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if not o.is_thread]

    @property
    def threads(self) -> list[SourceOutcome]:
        return [o for o in self.outcomes if o.is_thread]

    @property
    def failed(self) -> list[SourceOutcome]:
        return [o for o in self.sources if o.status == "error"]

    @property
    def program_errors(self) -> list[str]:
        """Each distinct failure of the program itself (not of a site), once."""
        return sorted({o.error or "" for o in self.outcomes if o.status == "program_error"})

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
    """Fetch every due source (or all with ``include_all``), then the threads due.

    Sources are claimed a batch at a time while any is due and the cycle is within
    ``collector.cycle_budget`` (``include_all`` has no budget: it fetches them all).
    Threads found by this cycle's sources are due at once, so one cycle collects posts and
    their comments.
    """
    now = now or datetime.now(UTC)
    settings = runtime.settings.collector
    deadline = None if include_all else time.monotonic() + settings.cycle_budget.total_seconds()
    report = CycleReport()
    add_worker_preload(WORKER_PRELOAD)
    use_parse_workers(settings.parse_workers, settings.nice)
    if include_all:
        await asyncio.to_thread(_make_all_due, runtime, now)
    recipe = await asyncio.to_thread(load_recipe, runtime)
    analyser = build_from_recipe(recipe)
    drop_expired(runtime.robots_rules)
    async with build_fetcher(fetch_options(settings), robots_rules=runtime.robots_rules
                             ) as fetcher:
        runner = _Runner(runtime, analyser, recipe, report, on_progress)
        await runner.drain(fetcher, lambda: _claim_sources(runtime, now), deadline, on_claimed)
        if settings.fetch_threads:
            await runner.drain(
                fetcher, lambda: _claim_threads(runtime, max(now, datetime.now(UTC))),
                deadline, None,
            )
    return report


@dataclass(slots=True)
class _Runner:
    runtime: Runtime
    analyser: Analyser
    recipe: AnalyserRecipe
    report: CycleReport
    on_progress: Callable[[SourceOutcome], None] | None

    async def drain(
        self, fetcher: Fetcher, claim: Callable[[], Sequence[CollectJob]],
        deadline: float | None, on_claimed: Callable[[int], None] | None,
    ) -> None:
        """Claim and run batches until nothing new is due or the deadline has passed."""
        seen: set[int] = set()
        while deadline is None or time.monotonic() < deadline:
            claimed = await asyncio.to_thread(claim)
            jobs = [job for job in claimed if job.id not in seen]
            if len(jobs) < len(claimed):
                # Due again within this cycle (a clock far ahead): leave it to the next cycle.
                await asyncio.to_thread(_release, self.runtime,
                                        [job for job in claimed if job.id in seen])
            if not jobs:
                return
            seen.update(job.id for job in jobs)
            if on_claimed:
                on_claimed(len(seen))
            await self.run(fetcher, jobs)

    async def run(self, fetcher: Fetcher, jobs: Sequence[CollectJob]) -> None:
        """Fetch the jobs concurrently; while results are stored (a batch per transaction,
        in a thread), the other fetches go on."""
        done: asyncio.Queue[_Ready] = asyncio.Queue()
        tasks = [asyncio.create_task(_fetch_into(job, fetcher, self.recipe, done))
                 for job in jobs]
        try:
            pending = len(tasks)
            while pending:
                batch = [await done.get()]
                while len(batch) < STORE_BATCH and not done.empty():
                    batch.append(done.get_nowait())
                pending -= len(batch)
                for outcome in await asyncio.to_thread(self._record_batch, batch):
                    self.report.outcomes.append(outcome)
                    if self.on_progress and not outcome.is_thread:
                        self.on_progress(outcome)
        finally:
            for task in tasks:
                task.cancel()

    def _record_batch(self, batch: list[_Ready]) -> list[SourceOutcome]:
        now = datetime.now(UTC)
        outcomes: list[SourceOutcome] = []
        ready: list[tuple[CollectJob, CollectResult, PreparedDocuments]] = []
        polls: list[tuple[CollectJob, CollectResult, ThreadPoll]] = []
        for job, result, ahead in batch:
            if isinstance(result, BaseException):
                outcomes.append(self._record_failure(job, result, now))
                continue
            if (poll := job.quiet_poll(result, now)) is not None:
                polls.append((job, result, poll))
                continue
            try:
                with self.runtime.reads() as reads:
                    prepared = job.prepare(reads, self.analyser, result, now, ahead)
                ready.append((job, result, prepared))
            except Exception as exc:
                outcomes.append(self._record_failure(job, exc, now))
        outcomes += self._save_all(ready, polls, now)
        if ready:  # quiet polls add no rows
            self._refresh_outgrown_statistics()
        return outcomes

    def _refresh_outgrown_statistics(self) -> None:
        """A young store doubles within minutes; what it stores next is planned for its new
        size, not for the empty tables the planner saw last."""
        try:
            tables = refresh_outgrown_statistics(self.runtime)
        except SQLAlchemyError:  # autovacuum catches up in the end; storing goes on
            log.warning("planner statistics not refreshed", exc_info=True)
            return
        if tables:
            log.info("planner statistics refreshed", extra={"tables": tables})

    def _save_all(
        self, ready: list[tuple[CollectJob, CollectResult, PreparedDocuments]],
        polls: list[tuple[CollectJob, CollectResult, ThreadPoll]], now: datetime,
    ) -> list[SourceOutcome]:
        """One transaction for the batch: the quiet polls in one statement, then a savepoint
        per other job, so that one bad result fails alone."""
        saved: list[tuple[CollectJob, CollectResult, StoreReport]] = []
        failed: list[tuple[CollectJob, Exception]] = []
        try:
            with unit_of_work(self.runtime.sessions) as session:
                if ready:
                    lock_counted_writes(session)
                gone = ThreadRepository(session).record_quiet_polls(
                    [poll for _, _, poll in polls], now)
                for job, result, poll in polls:
                    if poll.watch_id in gone:
                        failed.append((job, NotFoundError(f"no followed thread with id {job.id}")))
                    else:
                        saved.append((job, result, StoreReport(0, 0, None)))
                for job, result, prepared in ready:
                    try:
                        with session.begin_nested():
                            stored = job.save_result(session, self.runtime.settings.collector,
                                                     prepared, result, now)
                        saved.append((job, result, stored))
                    except Exception as exc:
                        failed.append((job, exc))
        except Exception:
            log.warning("batch store failed; storing its results one by one", exc_info=True)
            return [self._record((job, result)) for job, result, _ in [*polls, *ready]]
        return ([_stored_outcome(job, result, stored) for job, result, stored in saved]
                + [self._record_failure(job, exc, now) for job, exc in failed])

    def _record(self, fetched: Fetched) -> SourceOutcome:
        job, result = fetched
        now = datetime.now(UTC)
        if isinstance(result, BaseException):
            return self._record_failure(job, result, now)
        try:
            with self.runtime.reads() as reads:
                prepared = job.prepare(reads, self.analyser, result, now)
            with unit_of_work(self.runtime.sessions) as session:
                lock_counted_writes(session)
                stored = job.save_result(session, self.runtime.settings.collector, prepared,
                                         result, now)
        except Exception as exc:
            return self._record_failure(job, exc, now)
        return _stored_outcome(job, result, stored)

    def _record_failure(self, job: CollectJob, error: BaseException, now: datetime
                        ) -> SourceOutcome:
        message = describe_error(error)
        if is_program_error(error):
            # Said once for the whole run by the caller; the traceback is here for --debug.
            log.debug("program error while collecting", extra=job.log_ids(), exc_info=error)
            return SourceOutcome(job.id, job.name, "program_error", error=message,
                                 is_thread=job.is_thread)
        if not isinstance(error, CollectorError):
            log.warning("source failed unexpectedly", extra=job.log_ids(), exc_info=error)
        try:
            with unit_of_work(self.runtime.sessions) as session:
                job.save_failure(session, self.runtime.settings.collector, message,
                                 _retry_after(error), now)
        except MonitorError:
            log.warning("source vanished during the cycle", extra=job.log_ids())
        return SourceOutcome(job.id, job.name, "error", error=message, is_thread=job.is_thread)


async def _fetch_into(
    job: CollectJob, fetcher: Fetcher, recipe: AnalyserRecipe, done: asyncio.Queue[_Ready]
) -> None:
    """Fetch, then analyse the documents in the parse workers, while the collector's own
    process stores other results."""
    _, result = await job.fetch(fetcher)
    ahead: Analyses | None = None
    if not isinstance(result, BaseException) and result.documents:
        try:
            ahead = await job.analyse_ahead(recipe, result)
        except Exception:
            # Analysed where it is stored instead, where a failure is recorded as usual.
            log.debug("analysis in the parse workers failed", extra=job.log_ids(), exc_info=True)
    await done.put((job, result, ahead))


def _stored_outcome(job: CollectJob, result: CollectResult, stored: StoreReport
                    ) -> SourceOutcome:
    log.info("collected", extra={**job.log_ids(), "new": stored.new_documents})
    status = "not_modified" if result.not_modified else "ok"
    return SourceOutcome(job.id, job.name, status, stored.new_documents,
                         stored.new_mentions, is_thread=job.is_thread)


def _make_all_due(runtime: Runtime, now: datetime) -> None:
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).make_all_due(now)


def _claim_sources(runtime: Runtime, now: datetime) -> list[SourceJob]:
    settings = runtime.settings.collector
    with unit_of_work(runtime.sessions) as session:
        sources = SourceRepository(session).claim_due(
            now, limit=settings.batch_size, per_host=settings.per_host_batch,
            terms=runtime.claim_terms, include_all=False,
        )
        queries = [b.query for b in BrandRepository(session).list_all() if b.enabled]
        window = compute_configured_news_window(runtime)
        return [SourceJob.from_row(s, queries, news_window=window) for s in sources]


def compute_configured_news_window(runtime: Runtime) -> timedelta:
    """The first-crawl news window of the configured alert settings (``alerts.window``)."""
    return compute_news_window(compute_settings(runtime.settings.alerts))


def _release(runtime: Runtime, jobs: Sequence[CollectJob]) -> None:
    with unit_of_work(runtime.sessions) as session:
        for job in jobs:
            if job.is_thread:
                ThreadRepository(session).release(job.id)
            else:
                SourceRepository(session).release(job.id)


def _claim_threads(runtime: Runtime, now: datetime) -> list[ThreadJob]:
    with unit_of_work(runtime.sessions) as session:
        watches = ThreadRepository(session).claim_due(
            now, limit=runtime.settings.collector.batch_size * 4, terms=runtime.claim_terms
        )
        kinds = {s.id: s.kind for s in SourceRepository(session).list_all()}
        window = compute_configured_news_window(runtime)
        return [ThreadJob.from_row(w, kinds.get(w.source_id), news_window=window)
                for w in watches]


def _retry_after(error: BaseException) -> timedelta | None:
    if isinstance(error, RateLimited) and error.retry_after_s is not None:
        return timedelta(seconds=error.retry_after_s)
    return None


def is_program_error(error: BaseException) -> bool:
    return isinstance(error, PROGRAM_ERRORS) and not isinstance(error, CollectorError)


def describe_error(error: BaseException) -> str:
    if isinstance(error, CollectorError):
        return f"{type(error).__name__}: {error}"
    return f"unexpected {type(error).__name__}: {error}"
