"""Trend maths: bucket boundaries, tallies, windows and shares."""

from __future__ import annotations

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
