"""ISO weeks in a local time zone, as the weekly digest counts them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def compute_week_start_day(week: str) -> date:
    """The Monday of an ISO week written ``2026-W47``."""
    match = _WEEK.fullmatch(week.strip())
    if match is None:
        raise ValueError(f"ISO week must look like 2026-W47, got {week!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        return date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no ISO week {number}") from None


def compute_week_bounds(week: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the ISO week: local Monday 00:00 to the next local Monday 00:00.

    A week crossing a daylight-saving change is 167 or 169 hours long.
    """
    monday = compute_week_start_day(week)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def compute_week_label(moment: datetime, tz: tzinfo) -> str:
    """The ISO week (``2026-W47``) that ``moment`` falls in, in local time."""
    year, number, _ = moment.astimezone(tz).date().isocalendar()
    return f"{year}-W{number:02d}"


def compute_previous_week(week: str) -> str:
    """The ISO week before ``week``."""
    year, number, _ = (compute_week_start_day(week) - timedelta(days=7)).isocalendar()
    return f"{year}-W{number:02d}"


def compute_week_days(week: str) -> tuple[date, ...]:
    """The seven local dates of the week, Monday first."""
    monday = compute_week_start_day(week)
    return tuple(monday + timedelta(days=i) for i in range(7))
