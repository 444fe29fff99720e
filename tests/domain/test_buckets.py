"""Trend maths: bucket boundaries, tallies, windows and shares."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.buckets import (
    MAX_BUCKETS,
    Point,
    compute_bucket_start,
    compute_bucket_starts,
    compute_buckets,
    compute_count_plan,
    compute_previous_window,
    compute_shares,
    compute_window,
)

T = datetime(2026, 11, 18, 15, 42, 7, tzinfo=UTC)  # a Wednesday


def test_bucket_starts_are_the_hour_the_utc_day_and_monday() -> None:
    assert compute_bucket_start(T, "hour") == datetime(2026, 11, 18, 15, tzinfo=UTC)
    assert compute_bucket_start(T, "day") == datetime(2026, 11, 18, tzinfo=UTC)
    assert compute_bucket_start(T, "week") == datetime(2026, 11, 16, tzinfo=UTC)
    local = T.astimezone(timezone(timedelta(hours=-10)))  # still the 18th in UTC
    assert compute_bucket_start(local, "day") == datetime(2026, 11, 18, tzinfo=UTC)


def test_buckets_are_oldest_first_with_empty_ones_and_respect_the_window() -> None:
    since, until = T - timedelta(days=2), T
    points = [Point(T - timedelta(days=2, minutes=1), "positive", 0.9),  # before since
              Point(T - timedelta(days=2), "positive", 0.5),
              Point(T - timedelta(hours=1), "negative", -0.5),
              Point(T - timedelta(hours=1), "unscored", 0.0),
              Point(T, "neutral", 0.0)]  # until is exclusive
    buckets = compute_buckets(points, since, until, "day")
    assert [b.start.day for b in buckets] == [16, 17, 18]
    assert [(b.mentions, b.positive, b.negative, b.unscored) for b in buckets] == [
        (1, 1, 0, 0), (0, 0, 0, 0), (2, 0, 1, 1)]
    assert [b.avg_sentiment for b in buckets] == [0.5, None, -0.5]


@given(st.lists(st.integers(min_value=0, max_value=30 * 24 * 3600), max_size=60),
       st.sampled_from(["hour", "day", "week"]))
def test_every_point_in_the_window_is_counted_once(offsets: list[int], interval: str) -> None:
    since = datetime(2026, 10, 1, 7, 30, tzinfo=UTC)
    until = since + timedelta(days=30)
    points = [Point(since + timedelta(seconds=s), "neutral", 0.0) for s in offsets]
    buckets = compute_buckets(points, since, until, interval)  # type: ignore[arg-type]
    inside = [p for p in points if p.at < until]
    assert sum(b.mentions for b in buckets) == len(inside)
    starts = [b.start for b in buckets]
    assert starts == sorted(set(starts))
    assert starts[0] <= since < starts[0] + (starts[1] - starts[0] if len(starts) > 1 else
                                            timedelta(weeks=1))


def test_windows_default_and_refuse_nonsense() -> None:
    since, until = compute_window("hour", None, None, T)
    assert until == T
    assert since == datetime(2026, 11, 16, 15, tzinfo=UTC)
    assert compute_window("day", T - timedelta(days=1), T, T) == (T - timedelta(days=1), T)
    with pytest.raises(ValueError, match="earlier"):
        compute_window("day", T, T, T)
    with pytest.raises(ValueError, match=str(MAX_BUCKETS)):
        compute_window("hour", T - timedelta(days=365), T, T)
    assert compute_previous_window(T - timedelta(days=7), T) == (T - timedelta(days=14),
                                                                 T - timedelta(days=7))
    assert len(compute_bucket_starts(T - timedelta(weeks=3), T, "week")) == 4


def test_shares_rank_and_sum_to_one() -> None:
    shares = compute_shares({"Globex": 1, "Acme": 3, "Initech": 1})
    assert [(s.name, s.mentions, s.share) for s in shares] == [
        ("Acme", 3, 0.6), ("Globex", 1, 0.2), ("Initech", 1, 0.2)]
    assert compute_shares({}) == []
    assert compute_shares({"Acme": 0})[0].share == 0.0
    assert len(compute_shares({"a": 1, "b": 2, "c": 3}, top=2)) == 2


def test_count_plan_takes_whole_days_and_hours_and_leaves_the_ends_to_the_mentions() -> None:
    since, until = datetime(2026, 11, 1, 22, 30, tzinfo=UTC), T  # T is 15:42:07
    plan = compute_count_plan(since, until, "day")
    hour = lambda d, h: datetime(2026, 11, d, h, tzinfo=UTC)  # noqa: E731
    assert plan.days == [(hour(2, 0), hour(18, 0))]
    assert plan.hours == [(hour(1, 23), hour(2, 0)), (hour(18, 0), hour(18, 15))]
    assert plan.exact == [(since, hour(1, 23)), (hour(18, 15), until)]
    hourly = compute_count_plan(since, until, "hour")
    assert (hourly.days, hourly.hours) == ([], [(hour(1, 23), hour(18, 15))])
    inside_an_hour = compute_count_plan(T, T + timedelta(minutes=5), "day")
    assert (inside_an_hour.days, inside_an_hour.hours) == ([], [])
    assert inside_an_hour.exact == [(T, T + timedelta(minutes=5))]


@given(st.integers(0, 400 * 24 * 60), st.integers(1, 40 * 24 * 60),
       st.sampled_from(["hour", "day", "week"]))
def test_count_plan_covers_the_window_once(start: int, length: int, interval: str) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=start, seconds=start % 59)
    until = since + timedelta(minutes=length)
    plan = compute_count_plan(since, until, interval)  # type: ignore[arg-type]
    ranges = sorted(plan.days + plan.hours + plan.exact)
    assert ranges[0][0] == since
    assert ranges[-1][1] == until
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
    assert all(a < b for a, b in ranges)
    hour = timedelta(hours=1)
    # What is read from the mentions holds no whole clock hour.
    assert all(compute_bucket_start(a - timedelta(microseconds=1), "hour") + 2 * hour > b
               for a, b in plan.exact)
    assert all(a.minute == a.second == 0 and b.minute == b.second == 0 for a, b in plan.hours)
    assert all(a.hour == 0 and b.hour == 0 for a, b in plan.days)
