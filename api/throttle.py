"""Failed logins and API-key failures, remembered per account and per client address.

Each process keeps the counts in memory (bounded in size), which answers every request
without a query. Every failure is also counted in the database (``SharedStrikes``), and the
process takes the shared count back, so API workers and machines throttle on the sum of the
failures all of them saw. A login attempt reads the shared count before it is checked, so
spreading password guesses over processes gains nothing; an API request reads none (that would
be a query per request), so a key guesser gains at most one attempt per other process before
each has learnt the sum from a failure of its own. When the database cannot record a failure
(down, or SQLite's lock busy) the process's own count still applies.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.db.engine import unit_of_work
from monitor.db.repositories.auth_strikes import AuthStrikeRepository
from monitor.domain.throttle import BackoffPolicy, Strikes, compute_strikes, compute_wait

MAX_TRACKED = 10_000
audit = logging.getLogger("monitor.audit")
log = logging.getLogger(__name__)


class Throttled(Exception):
    """Too many failures from this account or address: try again after ``retry_after``."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__(f"too many failed attempts: try again in {retry_seconds(retry_after)}s")
        self.retry_after = retry_after


def retry_seconds(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds()))


class SharedStrikes:
    """The database's counts, written in short transactions of their own. Any database error
    is logged and answered as "unknown": throttling then rests on the process's counts."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def record(self, subjects: list[str], now: datetime,
               policy_of: Callable[[str], BackoffPolicy]) -> dict[str, Strikes]:
        keep = max(policy_of(s).forget_after for s in subjects)
        try:
            with unit_of_work(self.sessions) as session:
                repository = AuthStrikeRepository(session)
                counted = {s: repository.record_failure(s, now, policy_of(s)) for s in subjects}
                repository.forget_before(now - keep)
                return counted
        except SQLAlchemyError as exc:
            log.warning("failed attempt not shared", extra={"error": type(exc).__name__})
            return {}

    def load(self, subjects: list[str]) -> dict[str, Strikes]:
        try:
            with unit_of_work(self.sessions) as session:
                return AuthStrikeRepository(session).load(subjects)
        except SQLAlchemyError as exc:
            log.warning("shared failed attempts not read", extra={"error": type(exc).__name__})
            return {}

    def clear(self, subjects: list[str]) -> None:
        try:
            with unit_of_work(self.sessions) as session:
                AuthStrikeRepository(session).clear(subjects)
        except SQLAlchemyError as exc:
            log.warning("shared failed attempts not cleared", extra={"error": type(exc).__name__})


class AuthThrottle:
    """Strikes per subject (``account:<name>``, ``address:<ip>``), each with its own policy;
    with ``shared``, counted across processes too."""

    def __init__(self, account: BackoffPolicy, address: BackoffPolicy,
                 shared: SharedStrikes | None = None) -> None:
        self.policies = {"account": account, "address": address}
        self.shared = shared
        self._strikes: OrderedDict[str, Strikes] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, subjects: list[str], now: datetime, *, read_shared: bool = False) -> None:
        """Raise Throttled when any subject must still wait. ``read_shared`` first takes in
        what the other processes counted (a query: for logins, not for every API request)."""
        if read_shared and self.shared is not None:
            self._take(self.shared.load(subjects))
        with self._lock:
            waits = [compute_wait(self._strikes.get(s), now, self._policy(s)) for s in subjects]
        longest = max(waits, default=timedelta(0))
        if longest > timedelta(0):
            raise Throttled(longest)

    def fail(self, subjects: list[str], now: datetime, what: str, **details: str) -> None:
        """Count a failure against every subject, with an audit line."""
        self._take({s: compute_strikes(self._strikes.get(s), now, self._policy(s))
                    for s in subjects})
        if self.shared is not None:
            self._take(self.shared.record(subjects, now, self._policy))
        with self._lock:
            failures = max((self._strikes[s].failures for s in subjects if s in self._strikes),
                           default=1)
        audit.warning(f"{what} failed", extra={**details, "failures": failures})

    def succeed(self, subjects: list[str], session: Session | None = None) -> None:
        """Forget the subjects' failures; in ``session``'s transaction when given (a login
        that has just written its session row holds SQLite's lock)."""
        with self._lock:
            for subject in subjects:
                self._strikes.pop(subject, None)
        if session is not None:
            AuthStrikeRepository(session).clear(subjects)
        elif self.shared is not None:
            self.shared.clear(subjects)

    def _take(self, counted: dict[str, Strikes]) -> None:
        """Keep, per subject, whichever record counts more failures (the shared one includes
        this process's own), newest last for the size bound."""
        with self._lock:
            for subject, strikes in counted.items():
                mine = self._strikes.get(subject)
                if mine is None or strikes.failures >= mine.failures:
                    self._strikes[subject] = strikes
            for subject in counted:
                self._strikes.move_to_end(subject)
            while len(self._strikes) > MAX_TRACKED:
                self._strikes.popitem(last=False)

    def _policy(self, subject: str) -> BackoffPolicy:
        return self.policies[subject.split(":", 1)[0]]
