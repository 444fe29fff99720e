"""Local days in a time zone, as the daily digest counts them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def parse_day(text: str) -> date:
    """A day written ``2026-12-04``."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"a day must look like 2026-12-04, got {text!r}") from None


def compute_day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the local day: midnight to the next midnight.

    A day with a daylight-saving change is 23 or 25 hours long.
    """
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def compute_previous_day(moment: datetime, tz: tzinfo) -> date:
    """The local day before the one ``moment`` falls in (the digest sent in the morning covers
    yesterday)."""
    return moment.astimezone(tz).date() - timedelta(days=1)
