"""Mentions reduced to what the detectors count: when they happened and how they felt."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

NEGATIVE = "negative"
SENTIMENT_LABELS = frozenset({"positive", "neutral", "negative"})


@dataclass(frozen=True, slots=True)
class MentionPoint:
    """One mention as the detectors see it.

    ``label`` is the sentiment label (``positive``/``neutral``/``negative``; anything else means
    unscored). ``backfill`` marks history (``monitor.domain.freshness.decide_backfill``): old
    posts of a source's first crawl and posts found long after publication feed baselines but
    never a current window.
    """

    published_at: datetime | None
    discovered_at: datetime
    label: str = "neutral"
    backfill: bool = False
    # Derived once: detectors read it many times per evaluation.
    event_at: datetime = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        moments = (self.discovered_at, self.published_at)
        if any(m is not None and m.utcoffset() is None for m in moments):
            raise ValueError("MentionPoint times must be timezone-aware (UTC)")
        object.__setattr__(self, "event_at", compute_happened_at(self.published_at,
                                                                 self.discovered_at))


def compute_happened_at(published_at: datetime | None, discovered_at: datetime) -> datetime:
    """When a mention happened: published time, else discovery; never after discovery.

    A published time later than discovery comes from a wrong time zone on the page, so
    discovery bounds it.
    """
    if published_at is None:
        return discovered_at
    return min(published_at, discovered_at)


def compute_event_time(point: MentionPoint) -> datetime:
    """The point's ``event_at`` (see ``compute_happened_at``)."""
    return point.event_at


def compute_sorted_times(points: Iterable[MentionPoint]) -> list[datetime]:
    """Event times of the points, sorted for window counting."""
    return sorted(p.event_at for p in points)


def compute_window_count(times: Sequence[datetime], start: datetime, end: datetime) -> int:
    """How many of the sorted ``times`` fall in the half-open window ``(start, end]``."""
    return bisect_right(times, end) - bisect_right(times, start)


@dataclass(frozen=True, slots=True)
class Timeline:
    """Points sorted by event time, for slicing many windows cheaply."""

    points: tuple[MentionPoint, ...]
    times: tuple[datetime, ...]

    def between(self, start: datetime, end: datetime) -> tuple[MentionPoint, ...]:
        """Points whose event time falls in ``(start, end]``."""
        return self.points[bisect_right(self.times, start): bisect_right(self.times, end)]


def compute_timeline(points: Iterable[MentionPoint]) -> Timeline:
    """Sort points by event time once."""
    ordered = sorted(points, key=compute_event_time)
    return Timeline(tuple(ordered), tuple(p.event_at for p in ordered))


def compute_in_window(
    points: Iterable[MentionPoint], start: datetime, end: datetime
) -> list[MentionPoint]:
    """Points whose event time falls in ``(start, end]``."""
    return [p for p in points if start < p.event_at <= end]


def compute_tracked_since(added_at: datetime, points: Iterable[MentionPoint]) -> datetime:
    """Since when a brand's history is known: when it was added, or its earliest mention.

    A first crawl brings the brand's published history with it; that history is what the
    baseline is made of, so a brand added an hour ago with two weeks of mentions already
    has a baseline, and a crisis running when monitoring starts can be told from it.
    """
    return min([added_at, *(p.event_at for p in points)])


def compute_has_history(now: datetime, tracked_since: datetime, minimum: timedelta) -> bool:
    """True once a brand has been watched long enough for its baseline to mean something."""
    return now - tracked_since >= minimum
