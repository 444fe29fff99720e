"""Trend maths: time buckets, sentiment tallies per bucket, shares. Pure; times are UTC."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

Interval = Literal["hour", "day", "week"]
STEPS: dict[str, timedelta] = {
    "hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1),
}
DEFAULT_SPANS: dict[str, timedelta] = {
    "hour": timedelta(hours=48), "day": timedelta(days=30), "week": timedelta(weeks=12),
}
MAX_BUCKETS = 2000
LABELS = ("positive", "negative", "neutral", "unscored")


@dataclass(frozen=True, slots=True)
class Bucket:
    start: datetime
    mentions: int
    positive: int
    negative: int
    neutral: int
    unscored: int
    avg_sentiment: float | None  # mean score of the scored mentions; None when there are none


@dataclass(frozen=True, slots=True)
class Share:
    name: str
    mentions: int
    share: float  # 0…1 of all mentions counted


@dataclass(frozen=True, slots=True)
class Point:
    """One mention as the trend sees it: when, which label people see, its score."""

    at: datetime
    label: str
    score: float


def compute_bucket_start(moment: datetime, interval: Interval) -> datetime:
    """The start of the bucket holding ``moment``: the hour, the UTC day, or Monday 00:00 UTC."""
    moment = moment.astimezone(UTC)
    if interval == "hour":
        return moment.replace(minute=0, second=0, microsecond=0)
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    return day if interval == "day" else day - timedelta(days=day.weekday())


def compute_window(interval: Interval, since: datetime | None, until: datetime | None,
                   now: datetime) -> tuple[datetime, datetime]:
    """The [since, until) window asked for, filling gaps with a default span ending now."""
    until = until or now
    since = since or compute_bucket_start(until - DEFAULT_SPANS[interval], interval)
    if since >= until:
        raise ValueError("since must be earlier than until")
    if (until - since) / STEPS[interval] > MAX_BUCKETS:
        raise ValueError(f"that window holds more than {MAX_BUCKETS} {interval}s: "
                         "shorten it or choose a longer interval")
    return since, until


def compute_previous_window(since: datetime, until: datetime) -> tuple[datetime, datetime]:
    """The window of the same length just before [since, until)."""
    return since - (until - since), since


def compute_bucket_starts(since: datetime, until: datetime, interval: Interval) -> list[datetime]:
    """Every bucket start from the one holding ``since`` up to (not including) ``until``."""
    starts: list[datetime] = []
    start = compute_bucket_start(since, interval)
    while start < until and len(starts) <= MAX_BUCKETS:
        starts.append(start)
        start = start + STEPS[interval]
    return starts


def compute_buckets(points: Iterable[Point], since: datetime, until: datetime,
                    interval: Interval) -> list[Bucket]:
    """Tally ``points`` inside [since, until) per bucket, oldest first, empty buckets included."""
    tallies: dict[datetime, Counter[str]] = {
        start: Counter() for start in compute_bucket_starts(since, until, interval)
    }
    scores: dict[datetime, list[float]] = {start: [] for start in tallies}
    for point in points:
        if not since <= point.at < until:
            continue
        start = compute_bucket_start(point.at, interval)
        tallies[start][point.label] += 1
        if point.label != "unscored":
            scores[start].append(point.score)
    return [_bucket(start, tallies[start], scores[start]) for start in tallies]


def _bucket(start: datetime, tally: Counter[str], scores: list[float]) -> Bucket:
    average = round(sum(scores) / len(scores), 4) if scores else None
    return Bucket(start=start, mentions=sum(tally.values()), positive=tally["positive"],
                  negative=tally["negative"], neutral=tally["neutral"],
                  unscored=tally["unscored"], avg_sentiment=average)


def compute_shares(counts: Mapping[str, int], *, top: int | None = None) -> list[Share]:
    """Each name's count and share of the total, largest first (ties by name)."""
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [Share(name, count, round(count / total, 4) if total else 0.0)
            for name, count in ranked]
