"""Failed logins and API-key failures, remembered per account and per client address.

Kept in the process's memory, bounded in size: enough to make guessing slow on one server; a
fleet behind a load balancer throttles per process (each doubles its own waits).
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from monitor.domain.throttle import BackoffPolicy, Strikes, compute_strikes, compute_wait

MAX_TRACKED = 10_000
audit = logging.getLogger("monitor.audit")


class Throttled(Exception):
    """Too many failures from this account or address: try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"too many failed attempts: try again in {retry_seconds(retry_after)}s")
        self.retry_after = retry_after


def retry_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


class AuthThrottle:
    """Strikes per subject (``account:<name>``, ``address:<ip>``), each with its own policy."""

    def __init__(self, account: BackoffPolicy, address: BackoffPolicy) -> None:
        self.policies = {"account": account, "address": address}
        self._strikes: OrderedDict[str, Strikes] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, subjects: list[str], now: datetime) -> None:
        """Raise Throttled when any subject must still wait."""
        with self._lock:
            waits = [compute_wait(self._strikes.get(s), now, self._policy(s)) for s in subjects]
        longest = max(waits, default=timedelta(0))
        if longest > timedelta(0):
            raise Throttled(longest)

    def fail(self, subjects: list[str], now: datetime, what: str, **details: str) -> None:
        """Count a failure against every subject, with an audit line."""
        with self._lock:
            for subject in subjects:
                self._strikes[subject] = compute_strikes(self._strikes.get(subject), now,
                                                         self._policy(subject))
                self._strikes.move_to_end(subject)
            while len(self._strikes) > MAX_TRACKED:
                self._strikes.popitem(last=False)
            failures = max(self._strikes[s].failures for s in subjects)
        audit.warning(f"{what} failed", extra={**details, "failures": failures})

    def succeed(self, subjects: list[str]) -> None:
        with self._lock:
            for subject in subjects:
                self._strikes.pop(subject, None)

    def _policy(self, subject: str) -> BackoffPolicy:
        return self.policies[subject.split(":", 1)[0]]
