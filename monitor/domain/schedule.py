"""When is a source or a thread next due? Pure decisions over intervals, errors and hints."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

JITTER_FRACTION = 0.1


def decide_next_check(
    now: datetime, interval: timedelta, *, jitter_key: str, error_count: int = 0,
    retry_after: timedelta | None = None, max_backoff: timedelta = timedelta(hours=12),
) -> datetime:
    """The next time to fetch: the interval with jitter, doubled per consecutive error.

    Jitter is derived from ``jitter_key`` (the source URL) and the current time, so sources
    configured together spread out instead of hitting their hosts in the same second.
    ``error_count`` counts consecutive failures including the one just recorded.
    """
    delay = interval if error_count <= 0 else _backoff(interval, error_count, max_backoff)
    delay = delay * (1 + compute_jitter(jitter_key, now))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return now + delay


def _backoff(interval: timedelta, error_count: int, cap: timedelta) -> timedelta:
    exponent = min(error_count, 20)
    return min(interval * (1 << (exponent - 1)), max(cap, interval))


def compute_jitter(key: str, now: datetime) -> float:
    """A deterministic factor in [-JITTER_FRACTION, +JITTER_FRACTION]."""
    digest = hashlib.blake2b(f"{key}|{now.isoformat()}".encode(), digest_size=8).digest()
    unit = int.from_bytes(digest, "big") / 2**64
    return (unit * 2 - 1) * JITTER_FRACTION


THREAD_MIN_INTERVAL = timedelta(minutes=15)
THREAD_MAX_INTERVAL = timedelta(hours=12)
THREAD_COOLING_FACTOR = 4  # poll a thread every quarter of the time it has been quiet


def decide_thread_next_check(
    now: datetime, *, follow_until: datetime | None, quiet_since: datetime
) -> datetime | None:
    """When to look at a followed thread again, or None when following has ended.

    A thread that just had new comments is polled every few minutes; one that has been quiet
    for a day, every few hours: the interval is a quarter of the quiet time, within bounds.
    """
    if follow_until is None or now >= follow_until:
        return None
    interval = (now - quiet_since) / THREAD_COOLING_FACTOR
    interval = min(max(interval, THREAD_MIN_INTERVAL), THREAD_MAX_INTERVAL)
    return min(now + interval, follow_until)
