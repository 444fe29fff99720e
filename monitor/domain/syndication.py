"""Which copy of a syndicated text is the original: the one published first.

Discovery time only breaks ties, or stands in for a missing publication date; the document id
breaks what is left, so the decision is the same whatever order the copies were crawled in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts.points import compute_happened_at


@dataclass(frozen=True, slots=True)
class CopyTimes:
    """When one copy of a text was published (if known) and found."""

    document_id: int
    published_at: datetime | None
    discovered_at: datetime


def compute_copy_order(copy: CopyTimes) -> tuple[datetime, datetime, int]:
    """Sort key: earliest first. A published time after discovery is a wrong time zone on the
    page, so discovery bounds it (as for alert windows)."""
    return (compute_happened_at(copy.published_at, copy.discovered_at), copy.discovered_at,
            copy.document_id)


def decide_canonical(copies: Sequence[CopyTimes]) -> int:
    """The document id of the copy the others link to."""
    if not copies:
        raise ValueError("a group of copies cannot be empty")
    return min(copies, key=compute_copy_order).document_id
