"""Trends: volume by sentiment over time, share of voice, topics, rising terms, top threads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from api.deps import ReadDep, SessionDep
from api.routes.mentions import FiltersDep
from api.schemas import (
    ERROR_RESPONSES,
    RisingTermOut,
    ShareOut,
    SourceCountOut,
    ThreadCountOut,
    TopicCountOut,
    TrendBucketOut,
    TrendsOut,
)
from monitor.db.repositories.brands import BrandRepository
from monitor.db.repositories.mentions import MentionFilter
from monitor.db.repositories.trends import Spread, TrendRepository
from monitor.domain.buckets import (
    Bucket,
    Interval,
    compute_buckets,
    compute_previous_window,
    compute_shares,
    compute_window,
)
from monitor.domain.terms import compute_brand_words, compute_rising_terms
from monitor.errors import InvalidInputError

router = APIRouter(prefix="/api/v1", tags=["trends"], responses=ERROR_RESPONSES)
TOP = 10


@dataclass(frozen=True, slots=True)
class TrendRequest:
    filters: MentionFilter  # with the window's since and until filled in
    interval: Interval


def trend_request(filters: MentionFilter, interval: Interval, now: datetime) -> TrendRequest:
    try:
        since, until = compute_window(interval, filters.since, filters.until, now)
    except (ValueError, OverflowError) as exc:
        raise InvalidInputError(f"the time window is out of range: {exc}") from None
    return TrendRequest(replace(filters, since=since, until=until), interval)


@router.get("/trends", response_model=TrendsOut, summary="Trends over a time window")
def get_trends(
    session: SessionDep,
    _who: ReadDep,
    filters: FiltersDep,
    interval: Annotated[Literal["hour", "day", "week"], Query(description="bucket size")] = "day",
) -> TrendsOut:
    """Buckets run oldest first, empty ones included; a bucket's `start` is the hour, the UTC
    day or the Monday (UTC) it covers. The window defaults to 48 hours, 30 days or 12 weeks
    up to now. Counts are exactly those `/api/v1/mentions` returns for the same filters and
    window; `share_of_voice` lifts the brand filter to compare every brand, and a topic's or
    source's count is what the listing returns with that topic or source added.

    Rising terms are computed from a sample: at most about 150 mentions of each window (this
    one and the one of equal length before), drawn in proportion to each hour's and day's
    volume (with filters other than brand, sentiment and the window, evenly by id); a window
    with fewer is read whole. Top threads are counted exactly, but in a
    larger window they are ranked among the threads that sample finds most often, so a
    thread of few mentions each day may be missed.
    """
    return compute_trends(session, trend_request(filters, interval, datetime.now(UTC)))


def compute_trends(session: Session, request: TrendRequest) -> TrendsOut:
    repo, filters = TrendRepository(session), request.filters
    assert filters.since is not None
    assert filters.until is not None
    buckets = compute_buckets(repo.counted_points(filters, request.interval), filters.since,
                              filters.until, request.interval)
    shares = compute_shares(repo.brand_counts(filters))
    topics = sorted(repo.topic_counts(filters).items(), key=lambda tc: (-tc[1], tc[0]))[:TOP]
    sample = repo.sample(filters, _spread(buckets, filters.since, filters.until))
    return TrendsOut(
        brand=filters.brand, interval=request.interval, since=filters.since,
        until=filters.until,
        buckets=[TrendBucketOut(**_fields(b)) for b in buckets],
        share_of_voice=[ShareOut(brand=s.name, mentions=s.mentions, share=s.share)
                        for s in shares],
        top_topics=[TopicCountOut(topic=t, mentions=n) for t, n in topics],
        rising_terms=rising_terms(repo, filters,
                                  _brand_words(session, {share.name for share in shares}),
                                  sample.texts),
        top_threads=[ThreadCountOut(url=t.url, title=t.title, mentions=t.mentions, id=t.id)
                     for t in repo.top_threads(filters, TOP, sample)],
        top_sources=[SourceCountOut(id=s.id, name=s.name, mentions=s.mentions)
                     for s in repo.top_sources(filters, TOP)],
    )


def rising_terms(repo: TrendRepository, filters: MentionFilter, exclude: tuple[str, ...],
                 texts: list[str] | None = None) -> list[RisingTermOut]:
    """Words used more in this window than in the one before it (brands' own words left out),
    from a sample of each window's mentions (``TrendRepository.sample``); ``texts``: this
    window's, when already drawn."""
    assert filters.since is not None
    assert filters.until is not None
    before, _ = compute_previous_window(filters.since, filters.until)
    previous = replace(filters, since=before, until=filters.since)
    current = repo.texts(filters) if texts is None else texts
    terms = compute_rising_terms(current, repo.texts(previous), top=TOP,
                                 exclude=exclude)
    return [RisingTermOut(term=t.term, current=t.current_count, previous=t.previous_count,
                          score=t.score) for t in terms]


def _spread(buckets: list[Bucket], since: datetime, until: datetime) -> Spread:
    """How the window's mentions fall over time, from its buckets (clipped to the window)."""
    ends = [b.start for b in buckets[1:]] + [until]
    return [(max(b.start, since), min(end, until) - max(b.start, since), b.mentions)
            for b, end in zip(buckets, ends, strict=True) if b.mentions]


def _brand_words(session: Session, names: set[str]) -> tuple[str, ...]:
    """The names and query words of the brands in the window, which every text would rank."""
    return tuple(word for brand in BrandRepository(session).list_all() if brand.name in names
                 for word in _words_of(brand.name, brand.query))


@lru_cache(maxsize=1024)
def _words_of(name: str, query: str) -> tuple[str, ...]:
    # Parsing every brand's query took longer than counting a brand's topics.
    return compute_brand_words(name, query)


def _fields(bucket: object) -> dict[str, object]:
    return {name: getattr(bucket, name) for name in TrendBucketOut.model_fields}
