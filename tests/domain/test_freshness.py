"""News or history: what a first crawl finds inside the detection window is news."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.alerts import AlertSettings, MentionPoint, compute_tracked_since
from monitor.domain.freshness import (
    FIRST_CRAWL_NEWS_WINDOW,
    compute_news_window,
    decide_backfill,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


def test_a_first_crawl_keeps_old_posts_as_history_and_recent_ones_as_news() -> None:
    recent = NOW - timedelta(minutes=30)
    old = NOW - timedelta(days=3)
    assert decide_backfill(first_fetch=True, published_at=recent, now=NOW) is False
    assert decide_backfill(first_fetch=True, published_at=old, now=NOW) is True
    assert decide_backfill(first_fetch=True, published_at=NOW - FIRST_CRAWL_NEWS_WINDOW,
                           now=NOW) is False
    assert decide_backfill(first_fetch=True, published_at=NOW - FIRST_CRAWL_NEWS_WINDOW
                           - timedelta(seconds=1), now=NOW) is True


def test_the_news_window_is_the_configured_window_plus_the_lag() -> None:
    assert FIRST_CRAWL_NEWS_WINDOW.total_seconds() == 4 * 3600
    wide = compute_news_window(AlertSettings(window=timedelta(hours=6)))
    assert wide == timedelta(hours=9)
    four_and_a_half = NOW - timedelta(hours=4, minutes=30)
    assert decide_backfill(first_fetch=True, published_at=four_and_a_half, now=NOW) is True
    assert decide_backfill(first_fetch=True, published_at=four_and_a_half, now=NOW,
                           news_window=wide) is False


def test_an_undated_item_of_a_first_crawl_is_history() -> None:
    assert decide_backfill(first_fetch=True, published_at=None, now=NOW) is True
    assert decide_backfill(first_fetch=False, published_at=None, now=NOW) is False


def test_an_old_post_found_late_is_history_whatever_the_crawl() -> None:
    late = NOW - timedelta(days=5)
    assert decide_backfill(first_fetch=False, published_at=late, now=NOW) is True
    assert decide_backfill(first_fetch=True, published_at=late, now=NOW,
                           news_window=timedelta(days=30)) is True
    assert decide_backfill(first_fetch=False, published_at=NOW - timedelta(hours=5),
                           now=NOW) is False


def test_a_brand_is_tracked_since_its_earliest_known_mention() -> None:
    added = NOW - timedelta(minutes=5)
    points = [MentionPoint(NOW - timedelta(days=d), NOW, backfill=True) for d in (3, 14, 1)]
    assert compute_tracked_since(added, points) == NOW - timedelta(days=14)
    assert compute_tracked_since(added, []) == added
    assert compute_tracked_since(NOW - timedelta(days=30), points) == NOW - timedelta(days=30)
