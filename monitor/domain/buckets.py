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
    """One mention as the trend sees it: when, which label people see, its score. A counted
    point stands for ``count`` mentions of one label at one bucket start, ``score`` their sum."""

    at: datetime
    label: str
    score: float
    count: int = 1


@dataclass(frozen=True, slots=True)
class CountPlan:
    """Where the counts of a [since, until) window come from: whole UTC days and whole hours
    from the pre-aggregated counts, the fractions of an hour at either end from the mentions."""

    days: list[tuple[datetime, datetime]]
    hours: list[tuple[datetime, datetime]]
    exact: list[tuple[datetime, datetime]]


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
    sums: dict[datetime, float] = dict.fromkeys(tallies, 0.0)
    scored: Counter[datetime] = Counter()
    for point in points:
        if not since <= point.at < until:
            continue
        start = compute_bucket_start(point.at, interval)
        tallies[start][point.label] += point.count
        if point.label != "unscored":
            sums[start] += point.score
            scored[start] += point.count
    return [_bucket(start, tallies[start], sums[start], scored[start]) for start in tallies]


def _bucket(start: datetime, tally: Counter[str], score_sum: float, scored: int) -> Bucket:
    average = round(score_sum / scored, 4) if scored else None
    return Bucket(start=start, mentions=sum(tally.values()), positive=tally["positive"],
                  negative=tally["negative"], neutral=tally["neutral"],
                  unscored=tally["unscored"], avg_sentiment=average)


def compute_shares(counts: Mapping[str, int], *, top: int | None = None) -> list[Share]:
    """Each name's count and share of the total, largest first (ties by name)."""
    total = sum(counts.values())
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]
    return [Share(name, count, round(count / total, 4) if total else 0.0)
            for name, count in ranked]


def compute_count_plan(since: datetime, until: datetime, interval: Interval) -> CountPlan:
    """Split [since, until) into what hourly and daily counts can answer and what they cannot.

    Daily counts serve day and week buckets only (a day cannot be split into hours); what is
    left at either end, short of a whole hour, is counted from the mentions themselves.
    """
    first_hour, last_hour = _ceil(since, timedelta(hours=1)), _floor(until, timedelta(hours=1))
    if first_hour >= last_hour:
        return CountPlan([], [], [(since, until)])
    exact = [(a, b) for a, b in ((since, first_hour), (last_hour, until)) if a < b]
    first_day, last_day = _ceil(first_hour, timedelta(days=1)), _floor(last_hour, timedelta(days=1))
    if interval == "hour" or first_day >= last_day:
        return CountPlan([], [(first_hour, last_hour)], exact)
    hours = [(a, b) for a, b in ((first_hour, first_day), (last_day, last_hour)) if a < b]
    return CountPlan([(first_day, last_day)], hours, exact)


def _floor(moment: datetime, step: timedelta) -> datetime:
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + (moment.astimezone(UTC) - epoch) // step * step


def _ceil(moment: datetime, step: timedelta) -> datetime:
    floor = _floor(moment, step)
    return floor if floor == moment else floor + step
