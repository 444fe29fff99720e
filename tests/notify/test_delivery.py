"""Pure delivery decisions: classification, Retry-After, backoff and jitter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.notify import DeliveryOutcome, RetryPolicy, decide_http_outcome, decide_next_attempt
from monitor.notify.delivery import compute_response_excerpt, compute_retry_after

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
RETRY = DeliveryOutcome("retry", "server_error", 500)


@pytest.mark.parametrize(("status", "body", "expected"), [
    (200, "ok", ("sent", "ok")), (204, "", ("sent", "ok")),
    (429, "rate_limited", ("retry", "rate_limited")), (408, "", ("retry", "server_error")),
    (500, "boom", ("retry", "server_error")), (503, "", ("retry", "server_error")),
    (301, "", ("failed", "unexpected_redirect")), (400, "invalid_blocks\n", ("failed",
                                                                             "invalid_blocks")),
    (400, "a long sentence of an error", ("failed", "http_400")), (404, "", ("failed",
                                                                           "http_404")),
])
def test_http_statuses_are_classified(status: int, body: str,
                                      expected: tuple[str, str]) -> None:
    outcome = decide_http_outcome(status, body)
    assert (outcome.status, outcome.reason) == expected
    assert outcome.status_code == status


def test_retry_after_in_seconds_or_http_date() -> None:
    assert compute_retry_after("30", NOW) == timedelta(seconds=30)
    assert compute_retry_after("Mon, 16 Nov 2026 12:02:00 GMT", NOW) == timedelta(minutes=2)
    assert compute_retry_after("Mon, 16 Nov 2026 11:00:00 GMT", NOW) == timedelta(0)
    assert compute_retry_after("soon", NOW) is None
    assert compute_retry_after(None, NOW) is None


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy(base_delay=timedelta(seconds=10), max_delay=timedelta(minutes=5),
                         max_attempts=10, jitter_ratio=0.0)
    delays = [decide_next_attempt(RETRY, n, NOW, policy=policy) for n in range(1, 11)]
    assert [d - NOW for d in delays[:6] if d] == [timedelta(seconds=s) for s in
                                                   (10, 20, 40, 80, 160, 300)]
    assert delays[-1] is None


def test_jitter_spreads_retries_within_the_ratio() -> None:
    low = decide_next_attempt(RETRY, 2, NOW, jitter=0.0)
    high = decide_next_attempt(RETRY, 2, NOW, jitter=0.999)
    assert low == NOW + timedelta(seconds=48)
    assert high is not None
    assert NOW + timedelta(seconds=71) < high <= NOW + timedelta(seconds=72)


def test_retry_after_wins_but_is_capped() -> None:
    told = DeliveryOutcome("retry", "rate_limited", 429, retry_after=timedelta(seconds=3))
    assert decide_next_attempt(told, 5, NOW) == NOW + timedelta(seconds=3)
    greedy = DeliveryOutcome("retry", "rate_limited", 429, retry_after=timedelta(days=3))
    assert decide_next_attempt(greedy, 1, NOW) == NOW + timedelta(hours=6)


def test_sent_and_failed_are_final() -> None:
    assert decide_next_attempt(DeliveryOutcome("sent", "ok", 200), 1, NOW) is None
    assert decide_next_attempt(DeliveryOutcome("failed", "no_service", 404), 1, NOW) is None


def test_response_excerpt_is_cut() -> None:
    assert compute_response_excerpt("x" * 1000) == "x" * 499 + "…"
    assert compute_response_excerpt("short") == "short"
