"""Turn the date notations found in feeds and pages into timezone-aware UTC datetimes."""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime

# Comment timestamps printed by blog themes ("May 7, 2024 at 9:15 am"), tried in order.
LOOSE_FORMATS = (
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y %I:%M %p",
    "%d %B %Y %H:%M",
    "%d %B %Y %I:%M %p",
    "%d/%m/%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%B %d, %Y",
    "%d %B %Y",
)


def to_utc(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive datetime is taken to already be UTC (nothing better known)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def from_struct_time(value: time.struct_time | None) -> datetime | None:
    """feedparser's ``*_parsed`` values are UTC struct_times."""
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def parse_iso(text: str | None) -> datetime | None:
    """An ISO 8601 / RFC 3339 timestamp (``Z`` suffix allowed), or None."""
    if not text:
        return None
    cleaned = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return to_utc(datetime.fromisoformat(cleaned))
    except ValueError:
        return None


def parse_loose(text: str | None) -> datetime | None:
    """ISO first, then the human formats of common blog themes; None when nothing fits."""
    found = parse_iso(text)
    if found is not None or not text:
        return found
    cleaned = re.sub(r"\s+", " ", re.sub(r"\b(at|um|à|a las)\b|,\s*$", " ", text)).strip()
    cleaned = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", cleaned)
    for pattern in LOOSE_FORMATS:
        try:
            return to_utc(datetime.strptime(cleaned, pattern))
        except ValueError:
            continue
    return None
