"""Failed authentication attempts per subject, counted in one place for every API process."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitor.db.models_desk import AuthStrike
from monitor.domain.throttle import BackoffPolicy, Strikes


class AuthStrikeRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def load(self, subjects: Iterable[str]) -> dict[str, Strikes]:
        rows = self.session.execute(select(
            AuthStrike.subject, AuthStrike.failures, AuthStrike.last_failure_at)
            .where(AuthStrike.subject.in_(sorted(set(subjects)))))
        return {subject: Strikes(failures, at) for subject, failures, at in rows}

    def record_failure(self, subject: str, now: datetime, policy: BackoffPolicy) -> Strikes:
        """One more failure, counted atomically whichever process records it at the same
        time; the same rule as ``compute_strikes`` (stale records start again at one)."""
        insert = (postgresql.insert if self.session.get_bind().dialect.name == "postgresql"
                  else sqlite.insert)
        stale = AuthStrike.last_failure_at < now - policy.forget_after
        upsert = insert(AuthStrike).values(subject=subject, failures=1, last_failure_at=now)
        statement = upsert.on_conflict_do_update(
            index_elements=[AuthStrike.subject],
            set_={"failures": case((stale, 1), else_=AuthStrike.failures + 1),
                  "last_failure_at": now},
        ).returning(AuthStrike.failures, AuthStrike.last_failure_at)
        failures, at = self.session.execute(statement).one()
        return Strikes(failures, at)

    def clear(self, subjects: Iterable[str]) -> None:
        chosen = sorted(set(subjects))
        self.session.execute(delete(AuthStrike).where(AuthStrike.subject.in_(chosen)))

    def forget_before(self, moment: datetime) -> int:
        """Drop records whose last failure is older than ``moment``; returns how many."""
        done = self.session.execute(delete(AuthStrike).where(AuthStrike.last_failure_at < moment))
        return int(getattr(done, "rowcount", 0) or 0)
