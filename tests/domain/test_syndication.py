"""The original of a syndicated text is the copy published first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.domain.syndication import CopyTimes, decide_canonical

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
OLD = datetime(2013, 11, 18, 9, 0, tzinfo=UTC)


def test_the_earliest_published_copy_wins_whatever_was_found_first() -> None:
    repost = CopyTimes(1, NOW - timedelta(days=2), NOW - timedelta(seconds=1))
    original = CopyTimes(2, OLD, NOW)
    assert decide_canonical([repost, original]) == 2
    assert decide_canonical([original, repost]) == 2


def test_discovery_breaks_ties_and_stands_in_for_a_missing_date() -> None:
    first_found = CopyTimes(7, OLD, NOW - timedelta(hours=1))
    later_found = CopyTimes(3, OLD, NOW)
    assert decide_canonical([later_found, first_found]) == 7
    undated = CopyTimes(4, None, NOW - timedelta(days=1))
    dated = CopyTimes(5, NOW - timedelta(hours=2), NOW)
    assert decide_canonical([dated, undated]) == 4


def test_a_date_after_discovery_counts_as_the_discovery() -> None:
    skewed = CopyTimes(1, NOW + timedelta(days=1), NOW - timedelta(hours=3))
    dated = CopyTimes(2, NOW - timedelta(hours=2), NOW)
    assert decide_canonical([dated, skewed]) == 1


def test_a_group_needs_a_copy() -> None:
    with pytest.raises(ValueError, match="empty"):
        decide_canonical([])
