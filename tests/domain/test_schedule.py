"""When sources and threads are next due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.domain.duration import parse_duration, render_duration
from monitor.domain.schedule import (
    JITTER_FRACTION,
    THREAD_MAX_INTERVAL,
    THREAD_MIN_INTERVAL,
    compute_jitter,
    decide_next_check,
    decide_thread_next_check,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_success_waits_the_interval_within_jitter() -> None:
    due = decide_next_check(NOW, HOUR, jitter_key="https://a.example/feed")
    assert HOUR * (1 - JITTER_FRACTION) <= due - NOW <= HOUR * (1 + JITTER_FRACTION)


def test_jitter_spreads_sources_configured_together() -> None:
    factors = {compute_jitter(f"https://site{i}.example/feed", NOW) for i in range(50)}
    assert len(factors) == 50
    assert all(-JITTER_FRACTION <= f <= JITTER_FRACTION for f in factors)
    assert min(factors) < -JITTER_FRACTION / 2
    assert max(factors) > JITTER_FRACTION / 2


@pytest.mark.parametrize(("errors", "base"), [(1, 1), (2, 2), (3, 4), (4, 8)])
def test_errors_back_off_exponentially(errors: int, base: int) -> None:
    due = decide_next_check(NOW, HOUR, jitter_key="k", error_count=errors)
    assert HOUR * base * 0.9 <= due - NOW <= HOUR * base * 1.1


def test_backoff_is_capped() -> None:
    due = decide_next_check(NOW, HOUR, jitter_key="k", error_count=40,
                            max_backoff=timedelta(hours=12))
    assert due - NOW <= timedelta(hours=12) * 1.1


def test_retry_after_is_honoured_when_longer() -> None:
    due = decide_next_check(NOW, timedelta(minutes=5), jitter_key="k", error_count=1,
                            retry_after=timedelta(hours=3))
    assert due - NOW == timedelta(hours=3)


def test_a_busy_thread_is_polled_often_and_a_quiet_one_rarely() -> None:
    until = NOW + timedelta(days=14)
    busy = decide_thread_next_check(NOW, follow_until=until, quiet_since=NOW)
    quiet = decide_thread_next_check(NOW, follow_until=until, quiet_since=NOW - timedelta(days=1))
    cold = decide_thread_next_check(NOW, follow_until=until, quiet_since=NOW - timedelta(days=9))
    assert busy == NOW + THREAD_MIN_INTERVAL
    assert quiet == NOW + timedelta(hours=6)
    assert cold == NOW + THREAD_MAX_INTERVAL


def test_following_ends() -> None:
    assert decide_thread_next_check(NOW, follow_until=None, quiet_since=NOW) is None
    assert decide_thread_next_check(NOW, follow_until=NOW, quiet_since=NOW) is None
    soon = NOW + timedelta(minutes=5)
    assert decide_thread_next_check(NOW, follow_until=soon, quiet_since=NOW - HOUR) == soon


@pytest.mark.parametrize(("text", "seconds"), [
    ("30m", 1800), ("1h30m", 5400), ("14d", 14 * 86400), ("90s", 90), ("2w", 14 * 86400),
    (45, 45), ("1.5h", 5400),
])
def test_durations(text: str | int, seconds: int) -> None:
    parsed = parse_duration(text)
    assert parsed == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "soon", "5 parsecs", "m30", "10"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_durations_render_back() -> None:
    assert render_duration(timedelta(seconds=5400)) == "1h30m"
    assert render_duration(timedelta(0)) == "0s"
