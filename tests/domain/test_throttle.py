"""The back-off after failed logins: free attempts, then doubling waits up to a cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.throttle import BackoffPolicy, Strikes, compute_strikes, compute_wait

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
POLICY = BackoffPolicy(free=3, base=timedelta(seconds=1), cap=timedelta(minutes=15),
                       forget_after=timedelta(hours=1))


def _after(failures: int) -> Strikes:
    strikes = None
    for _ in range(failures):
        strikes = compute_strikes(strikes, NOW, POLICY)
    assert strikes is not None
    return strikes


def test_the_first_failures_cost_nothing() -> None:
    assert compute_wait(None, NOW, POLICY) == timedelta(0)
    assert compute_wait(_after(2), NOW, POLICY) == timedelta(0)


def test_each_further_failure_doubles_the_wait_up_to_the_cap() -> None:
    waits = [compute_wait(_after(n), NOW, POLICY) for n in (3, 4, 5, 6)]
    assert waits == [timedelta(seconds=s) for s in (1, 2, 4, 8)]
    assert compute_wait(_after(40), NOW, POLICY) == timedelta(minutes=15)


def test_the_wait_runs_from_the_last_failure_and_old_failures_are_forgotten() -> None:
    strikes = _after(5)
    assert compute_wait(strikes, NOW + timedelta(seconds=3), POLICY) == timedelta(seconds=1)
    assert compute_wait(strikes, NOW + timedelta(seconds=5), POLICY) == timedelta(0)
    later = compute_strikes(strikes, NOW + timedelta(hours=2), POLICY)
    assert later.failures == 1
