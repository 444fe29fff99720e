"""The lock every transaction takes before it changes what the trigger-kept counts count."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.db.repositories.claims import lock_until_transaction_ends

COUNTED_WRITES_LOCK_KEY = 0x626D7772  # "bmwr"


def lock_counted_writes(session: Session) -> None:
    """Until the transaction ends, no other transaction adds, hides or re-labels mentions
    (Postgres; on SQLite the write lock already serialises). Take it before the first such
    write.

    The counts kept by trigger have rows every brand shares (brand 0, one per hour, day and
    sentiment). Two transactions changing mentions lock such rows in the order of their
    mentions, and would wait for each other anyway; storing batches from several workers
    deadlocked (three collectors on one database: nine deadlocks in one cycle, each failing a
    source until its retry). Taken first, this lock orders them instead.
    """
    lock_until_transaction_ends(session, COUNTED_WRITES_LOCK_KEY)
