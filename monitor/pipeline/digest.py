"""The digests: gather each brand's week (or day) from the store, render it, send it once.

A digest is a delivery keyed by its period (the ISO week, or the local day of the daily
digest), so a period's digest is never sent twice, whether the scheduler fires twice or
someone runs `monitor digest --send` again.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from monitor.db.engine import unit_of_work
from monitor.db.models import Brand
from monitor.db.models_alerts import Alert
from monitor.db.repositories import BrandRepository
from monitor.db.repositories.alerts import AlertRepository, DigestRepository, DigestRow
from monitor.domain.alerts import TermCount
from monitor.domain.alerts.explanation import compute_sentiment_split
from monitor.domain.terms import compute_brand_words, compute_rising_terms
from monitor.notify.days import compute_day_bounds
from monitor.notify.digest import render_digest
from monitor.notify.digest_data import (
    BrandDigest,
    DayVolume,
    DigestAlert,
    DigestData,
    DigestThread,
    RisingTerm,
)
from monitor.notify.weeks import (
    compute_previous_week,
    compute_week_bounds,
    compute_week_days,
    compute_week_label,
)
from monitor.pipeline.deliver import send_due_deliveries
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
TOP = 5


Cadence = Literal["weekly", "daily"]


@dataclass(frozen=True, slots=True)
class DigestPeriod:
    """What one digest covers: ``[start, end)`` compared with ``[previous_start, start)``.

    ``label`` is the ISO week (``2026-W47``) or the day (``2026-12-04``); ``days`` are the
    local dates charted (none for a single day).
    """

    cadence: Cadence
    label: str
    start: datetime
    end: datetime
    previous_start: datetime
    days: tuple[date, ...] = ()

    @property
    def key(self) -> str:
        """The delivery key: one digest per period, ever."""
        if self.cadence == "weekly":
            return f"digest:{self.label}:email"  # the key weekly digests always had
        return f"digest:day:{self.label}:email"


def compute_week_period(week: str, zone: ZoneInfo) -> DigestPeriod:
    start, end = compute_week_bounds(week, zone)
    previous_start, _ = compute_week_bounds(compute_previous_week(week), zone)
    return DigestPeriod("weekly", week, start, end, previous_start, compute_week_days(week))


def compute_day_period(day: date, zone: ZoneInfo) -> DigestPeriod:
    start, end = compute_day_bounds(day, zone)
    previous_start, _ = compute_day_bounds(date.fromordinal(day.toordinal() - 1), zone)
    return DigestPeriod("daily", day.isoformat(), start, end, previous_start)


@dataclass(frozen=True, slots=True)
class RenderedDigest:
    week: str  # the period's label: the ISO week, or the day of a daily digest
    subject: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class DigestResult:
    digest: RenderedDigest
    status: str  # "sent", "already_sent", "retry", "failed"
    detail: str = ""


def compute_last_week(now: datetime, zone: ZoneInfo) -> str:
    """The ISO week that ended most recently (the digest on Monday covers the week before)."""
    return compute_previous_week(compute_week_label(now, zone))


def build_digest(runtime: Runtime, week: str, now: datetime | None = None) -> RenderedDigest:
    """The weekly digest of the ISO ``week``."""
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    return build_period_digest(runtime, compute_week_period(week, zone), now)


def build_daily_digest(runtime: Runtime, day: date, now: datetime | None = None
                       ) -> RenderedDigest:
    """The daily digest of the local ``day``."""
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    return build_period_digest(runtime, compute_day_period(day, zone), now)


def build_period_digest(runtime: Runtime, period: DigestPeriod, now: datetime | None = None
                        ) -> RenderedDigest:
    now = now or datetime.now(UTC)
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    start, end = period.start, period.end
    with runtime.reads() as session:
        repo = DigestRepository(session)
        brands = [
            _brand_digest(brand, period.days, zone, repo.mentions(brand.id, start, end),
                          repo.mentions(brand.id, period.previous_start, start),
                          repo.alerts(brand.id, start, end))
            for brand in BrandRepository(session).list_all(enabled_only=True)
        ]
        others = repo.alerts_outside([b.brand_id for b in brands], start, end)
    data = DigestData(week=period.label, start=start, end=end, timezone=zone.key,
                      generated_at=now, dashboard_url=runtime.settings.api.public_url,
                      brands=tuple(brands), other_alerts=tuple(_digest_alert(a) for a in others),
                      cadence=period.cadence)
    subject, html, text = render_digest(data)
    return RenderedDigest(period.label, subject, html, text)


def _brand_digest(brand: Brand, days: tuple[date, ...], zone: ZoneInfo, rows: list[DigestRow],
                  previous: list[DigestRow], alerts: Sequence[Alert]) -> BrandDigest:
    own_words = compute_brand_words(brand.name, brand.query)
    rising = compute_rising_terms([r.text for r in rows], [r.text for r in previous],
                                  exclude=own_words, top=TOP)
    return BrandDigest(
        brand_id=brand.id, name=brand.name, mentions=len(rows), previous_mentions=len(previous),
        sentiment=compute_sentiment_split(r.label for r in rows),
        previous_sentiment=compute_sentiment_split(r.label for r in previous),
        days=compute_days(rows, days, zone),
        top_topics=tuple(TermCount(t, n) for t, n in
                         Counter(t for r in rows for t in r.topics).most_common(TOP)),
        rising_terms=tuple(RisingTerm(t.term, t.current_count, t.previous_count)
                           for t in rising),
        alerts=tuple(_digest_alert(a) for a in alerts),
        top_threads=compute_threads(rows)[:TOP],
        unanswered_negative=tuple(t for t in compute_threads(rows, unanswered_negative=True)
                                  )[:TOP],
        unscored=compute_unscored_languages(rows),
    )


def _digest_alert(alert: Alert) -> DigestAlert:
    return DigestAlert(alert.id, alert.kind, alert.severity, alert.summary,  # type: ignore[arg-type]
                       alert.created_at, alert.subject)


def compute_unscored_languages(rows: Sequence[DigestRow]) -> tuple[TermCount, ...]:
    """Mentions left without a sentiment, counted per language, most first."""
    counts = Counter(r.language or "unknown" for r in rows if r.label == "unscored")
    return tuple(TermCount(language, n) for language, n in counts.most_common())


def compute_days(rows: Sequence[DigestRow], days: Sequence[date], zone: ZoneInfo
                 ) -> tuple[DayVolume, ...]:
    """Mentions and negative ones per local day of ``days`` (none charted when empty)."""
    totals: Counter[object] = Counter()
    negatives: Counter[object] = Counter()
    for row in rows:
        day = row.at.astimezone(zone).date()
        totals[day] += 1
        negatives[day] += row.label == "negative"
    return tuple(DayVolume(d, totals[d], negatives[d]) for d in days)


def compute_threads(rows: Sequence[DigestRow], *, unanswered_negative: bool = False
                    ) -> tuple[DigestThread, ...]:
    """Threads by how many of the brand's mentions they hold; optionally only those with a
    negative mention and none marked replied."""
    grouped: dict[str, list[DigestRow]] = defaultdict(list)
    for row in rows:
        grouped[row.thread_url].append(row)
    threads = []
    for url, members in grouped.items():
        negative = sum(r.label == "negative" for r in members)
        if unanswered_negative and (not negative or any(r.state == "replied" for r in members)):
            continue
        threads.append(DigestThread(members[0].thread_title, url, members[0].source_name,
                                    len(members), negative, max(r.at for r in members)))
    return tuple(sorted(threads, key=lambda t: (-t.mentions, t.url)))


async def send_digest(runtime: Runtime, week: str, now: datetime | None = None) -> DigestResult:
    """Send the week's digest by email unless it was sent already; a failed attempt stays
    queued and is retried with the other deliveries."""
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    return await send_period_digest(runtime, compute_week_period(week, zone), now)


async def send_daily_digest(runtime: Runtime, day: date, now: datetime | None = None
                            ) -> DigestResult:
    """Send the day's digest by email unless it was sent already (as ``send_digest``)."""
    zone = ZoneInfo(runtime.settings.notifications.timezone)
    return await send_period_digest(runtime, compute_day_period(day, zone), now)


async def send_period_digest(runtime: Runtime, period: DigestPeriod,
                             now: datetime | None = None) -> DigestResult:
    if runtime.settings.notifications.email is None:
        raise ValueError("no email settings: add notifications.email to the config")
    now = now or datetime.now(UTC)
    digest = await asyncio.to_thread(build_period_digest, runtime, period, now)
    key = period.key
    if not await asyncio.to_thread(_queue, runtime, key, digest, now):
        return DigestResult(digest, "already_sent")
    await send_due_deliveries(runtime, now=now)
    status, detail = await asyncio.to_thread(_delivery_status, runtime, key)
    return DigestResult(digest, "retry" if status == "pending" else status, detail)


def _delivery_status(runtime: Runtime, key: str) -> tuple[str, str]:
    with runtime.reads() as session:
        delivery = AlertRepository(session).delivery_by_key(key)
        if delivery is None:
            return "failed", "the digest was not queued"
        return delivery.status, delivery.last_response or ""


def _queue(runtime: Runtime, key: str, digest: RenderedDigest, now: datetime) -> bool:
    """Queue the period's digest; False when it was sent before."""
    with unit_of_work(runtime.sessions) as session:
        repo = AlertRepository(session)
        repo.enqueue([{
            "key": key, "alert_id": None, "channel": "email", "severity": "info",
            "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
            "payload": {"subject": digest.subject, "html": digest.html, "text": digest.text},
        }])
        delivery = repo.delivery_by_key(key)
        if delivery is None or delivery.status == "sent":
            return False
        if delivery.status == "failed":  # asked again by hand: try once more
            delivery.status, delivery.next_attempt_at = "pending", now
        return True
