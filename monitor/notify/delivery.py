"""Delivery outcomes and the pure decisions about them: classify a response, schedule a retry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Literal

DeliveryStatus = Literal["sent", "retry", "failed"]

RESPONSE_EXCERPT_CHARS = 500
# Statuses that mean "try again later" rather than "this request is wrong".
_RETRYABLE_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True, slots=True)
class DeliveryOutcome:
    """One delivery attempt, as recorded on the outbox row.

    ``reason`` is short and machine-friendly (``ok``, ``rate_limited``, ``server_error``,
    ``network_error``, or the receiver's own error such as ``invalid_blocks``); ``status_code``
    is the HTTP status or the SMTP reply code;
    ``response_text`` is the receiver's answer cut to ``RESPONSE_EXCERPT_CHARS``.
    """

    status: DeliveryStatus
    reason: str
    status_code: int | None = None
    response_text: str = ""
    retry_after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff: ``base_delay * 2**(attempt-1)`` up to ``max_delay``, +/- jitter."""

    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    max_attempts: int = 8
    jitter_ratio: float = 0.2
    max_retry_after: timedelta = timedelta(hours=6)


DEFAULT_RETRY_POLICY = RetryPolicy()


def compute_response_excerpt(text: str, limit: int = RESPONSE_EXCERPT_CHARS) -> str:
    """The stored part of a response: at most ``limit`` characters, marked when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def compute_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Parse a ``Retry-After`` header (delay in seconds or an HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return timedelta(seconds=int(text))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(moment - now, timedelta(0))


def compute_error_reason(status_code: int, body: str) -> str:
    """The receiver's error word (Slack answers ``invalid_blocks``), else ``http_<status>``."""
    first_line = body.strip().splitlines()[0].strip() if body.strip() else ""
    if first_line and len(first_line) <= 80 and " " not in first_line:
        return first_line
    return f"http_{status_code}"


def decide_http_outcome(status_code: int, body: str,
                        retry_after: timedelta | None = None) -> DeliveryOutcome:
    """Classify an HTTP answer: 2xx sent; 429/408/425/5xx retry; anything else failed."""
    excerpt = compute_response_excerpt(body)
    if 200 <= status_code < 300:
        return DeliveryOutcome("sent", "ok", status_code, excerpt)
    if status_code == 429:
        return DeliveryOutcome("retry", "rate_limited", status_code, excerpt, retry_after)
    if status_code >= 500 or status_code in _RETRYABLE_4XX:
        return DeliveryOutcome("retry", "server_error", status_code, excerpt, retry_after)
    if 300 <= status_code < 400:
        return DeliveryOutcome("failed", "unexpected_redirect", status_code, excerpt)
    return DeliveryOutcome("failed", compute_error_reason(status_code, body), status_code,
                           excerpt)


def decide_next_attempt(
    outcome: DeliveryOutcome, attempts: int, now: datetime, *,
    policy: RetryPolicy = DEFAULT_RETRY_POLICY, jitter: float = 0.5,
) -> datetime | None:
    """When to try again after ``attempts`` attempts, or None (sent, failed or given up).

    A receiver's ``Retry-After`` wins (capped at ``policy.max_retry_after``); otherwise the
    delay doubles per attempt. ``jitter`` is a number in [0, 1) the caller draws
    (``random.random()``) so many deliveries failing together do not retry together; 0.5 means
    no jitter.
    """
    if outcome.status != "retry" or attempts >= policy.max_attempts:
        return None
    if outcome.retry_after is not None:
        return now + min(max(outcome.retry_after, timedelta(seconds=1)), policy.max_retry_after)
    doublings = min(max(attempts - 1, 0), 30)
    delay = min(policy.base_delay * (1 << doublings), policy.max_delay)
    spread = 1.0 + policy.jitter_ratio * (2.0 * min(max(jitter, 0.0), 1.0) - 1.0)
    return now + delay * spread
