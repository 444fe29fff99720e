"""How long a caller who keeps failing to authenticate must wait before the next attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class BackoffPolicy:
    """``free`` failures cost nothing; each one after doubles the wait, from ``base`` up to
    ``cap``; failures older than ``forget_after`` no longer count."""

    free: int = 5
    base: timedelta = timedelta(seconds=1)
    cap: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Strikes:
    failures: int
    last_failure_at: datetime


def compute_strikes(previous: Strikes | None, now: datetime, policy: BackoffPolicy) -> Strikes:
    """The record after one more failure at ``now``."""
    if previous is None or now - previous.last_failure_at > policy.forget_after:
        return Strikes(1, now)
    return Strikes(previous.failures + 1, now)


def compute_wait(strikes: Strikes | None, now: datetime, policy: BackoffPolicy) -> timedelta:
    """How long from ``now`` until another attempt is heard (zero: at once)."""
    if strikes is None or strikes.failures < policy.free:
        return timedelta(0)
    if now - strikes.last_failure_at > policy.forget_after:
        return timedelta(0)
    doublings = min(strikes.failures - policy.free, 30)
    wait: timedelta = min(policy.base * (2 ** doublings), policy.cap)
    return max(timedelta(0), strikes.last_failure_at + wait - now)
