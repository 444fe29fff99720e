"""A source's health in one word, from its scheduling state."""

from __future__ import annotations

from datetime import datetime


def compute_source_health(
    enabled: bool, last_fetched_at: datetime | None, error_count: int
) -> str:
    """ok, failing (the last fetch failed), pending (never fetched) or disabled."""
    if not enabled:
        return "disabled"
    if last_fetched_at is None:
        return "pending"
    return "failing" if error_count else "ok"


def is_backing_off(enabled: bool, error_count: int, next_check_at: datetime, now: datetime
                   ) -> bool:
    """A failing source waiting for its next attempt (skipped until then)."""
    return enabled and error_count > 0 and next_check_at > now
