"""What to read first: an item's priority score and the reasons behind it.

A pure decision over signals the store already holds. The score is a whole number of points
(an integer keeps cursors exact and the figure readable); each signal adds points on a capped
scale, so no single signal drowns the others, and a signal strong enough to matter on its own
adds a short reason label that the desk shows beside the item::

    needs reply      +40   a question put to the brand or a complaint to it (detect_needs_reply),
                           or triage marked it needs_reply; none once it is replied or ignored
    negativity       +round(30 * -s) when s <= -0.2, where s is the most negative sentiment
                           among its brands' mentions (a person's override counts: an override
                           to negative reads as at most -0.5, to neutral or positive as 0);
                           label "very negative" at s <= -0.5, else "negative"
    engagement       +min(20, round(2.5 * log2(1 + e))), e = votes + points + comments +
                           replies (the figure sort=engagement uses); "high engagement" at e >= 100
    velocity         +min(15, round(3 * log2(1 + v))), v = e per hour between publication and
                           when the figure was read (at least one hour), counted only when it was
                           read within 48 hours of publication; "engagement rising" at v >= 20
    thread growth    +min(15, round(3 * log2(1 + r))), r = posts and comments in its thread
                           published within 24 hours after it; "thread growing" at r >= 10
    reach            +min(10, round(1.5 * log2(1 + a))), a = the author's followers, or reblogs
                           and shares, where the source gives them; "wide reach" at a >= 1000

The time-dependent signals are fixed windows anchored on the item, never on "now", so a stored
score stays true: velocity is the rate at which it was read (history read long after
publication is not rising), thread growth counts only the 24 hours after the item, and both
change only when new data arrives (a new comment in the thread, a re-read engagement figure).
An item without a publication time has neither; thread entries without one do not count.
Reddit scores and Hacker News points count as engagement: those sources give no author audience.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

REPLY_POINTS = 40
NEGATIVE_FLOOR = -0.2
VERY_NEGATIVE = -0.5
VELOCITY_WINDOW = timedelta(hours=48)
GROWTH_WINDOW = timedelta(hours=24)
ENGAGEMENT_KEYS = ("score", "points", "comments", "replies")
REACH_KEYS = ("followers", "reblogs", "shares")
TRIAGE_NEEDS_REPLY = "needs_reply"
TRIAGE_ANSWERED = ("replied", "ignored")

NEEDS_REPLY = "needs reply"
LABEL_VERY_NEGATIVE = "very negative"
LABEL_NEGATIVE = "negative"
HIGH_ENGAGEMENT = "high engagement"
ENGAGEMENT_RISING = "engagement rising"
THREAD_GROWING = "thread growing"
WIDE_REACH = "wide reach"
REASONS = (NEEDS_REPLY, LABEL_VERY_NEGATIVE, LABEL_NEGATIVE, HIGH_ENGAGEMENT, ENGAGEMENT_RISING,
           THREAD_GROWING, WIDE_REACH)


@dataclass(frozen=True, slots=True)
class PrioritySignals:
    needs_reply: bool
    sentiment: float  # the most negative of its mentions, -1..1
    engagement: int
    velocity: float  # engagement per hour, 0 when read after VELOCITY_WINDOW
    thread_growth: int  # thread entries published within GROWTH_WINDOW after it
    reach: int | None  # None when the source gives no audience figure


@dataclass(frozen=True, slots=True)
class Priority:
    score: int
    reasons: tuple[str, ...]  # strongest first


def score_priority(signals: PrioritySignals) -> Priority:
    """Points and reason labels for one item (see the module docstring for the formula)."""
    parts = [
        (REPLY_POINTS, NEEDS_REPLY) if signals.needs_reply else (0, ""),
        _negativity(signals.sentiment),
        _scaled(signals.engagement, 2.5, 20, 100, HIGH_ENGAGEMENT),
        _scaled(signals.velocity, 3.0, 15, 20, ENGAGEMENT_RISING),
        _scaled(signals.thread_growth, 3.0, 15, 10, THREAD_GROWING),
        _scaled(signals.reach or 0, 1.5, 10, 1000, WIDE_REACH),
    ]
    ranked = sorted((p for p in parts if p[1]), key=lambda p: -p[0])
    return Priority(sum(p[0] for p in parts), tuple(label for _, label in ranked))


def _negativity(sentiment: float) -> tuple[int, str]:
    if sentiment > NEGATIVE_FLOOR:
        return 0, ""
    label = LABEL_VERY_NEGATIVE if sentiment <= VERY_NEGATIVE else LABEL_NEGATIVE
    return round(30 * min(1.0, -sentiment)), label


def _scaled(value: float, weight: float, cap: int, threshold: float, label: str
            ) -> tuple[int, str]:
    """Points on a log scale (doubling a count adds the same), capped; the label from
    ``threshold`` up. Points below the threshold still count, labelled ""."""
    points = min(cap, round(weight * math.log2(1 + max(0.0, value))))
    return points, label if value >= threshold else ""


def compute_signals(
    *, reply_reason: str, triage_state: str, sentiments: Sequence[tuple[float, str | None]],
    counts: Mapping[str, Any], published_at: datetime | None, read_at: datetime,
    thread_times: Sequence[datetime],
) -> PrioritySignals:
    """The signals of one item from what the store holds.

    ``reply_reason`` is detect_needs_reply's verdict on its text; ``sentiments`` are its
    mentions' (score, override); ``counts`` its engagement counters, read at ``read_at``;
    ``thread_times`` the publication times of the other entries in its thread.
    """
    engagement = compute_engagement_total(counts)
    return PrioritySignals(
        needs_reply=decide_needs_reply(reply_reason, triage_state),
        sentiment=min((shown_sentiment(s, o) for s, o in sentiments), default=0.0),
        engagement=engagement,
        velocity=compute_velocity(engagement, published_at, read_at),
        thread_growth=compute_thread_growth(published_at or read_at, thread_times),
        reach=compute_reach(counts),
    )


def decide_needs_reply(reply_reason: str, triage_state: str) -> bool:
    """Triage has the last word: needs_reply forces it, replied or ignored clears it."""
    if triage_state == TRIAGE_NEEDS_REPLY:
        return True
    return bool(reply_reason) and triage_state not in TRIAGE_ANSWERED


def shown_sentiment(score: float, override: str | None) -> float:
    """A mention's sentiment as people judged it: an override moves the score to its side."""
    if override == "negative":
        return min(score, VERY_NEGATIVE)
    if override in ("neutral", "positive"):
        return max(score, 0.0)
    return score


def compute_engagement_total(counts: Mapping[str, Any]) -> int:
    return sum(v for k, v in counts.items() if k in ENGAGEMENT_KEYS and type(v) is int)


def merge_engagement(stored: Mapping[str, Any], read: Mapping[str, int]
                     ) -> dict[str, Any] | None:
    """The figures to store after a re-fetch read ``read`` for an item holding ``stored``, or
    None when nothing changed. A figure the new reading lacks keeps its stored value: a
    thread page may give a score where the listing that found the item gave its comments too.
    """
    merged = {**stored, **read}
    return None if merged == dict(stored) else merged


def compute_velocity(engagement: int, published_at: datetime | None, read_at: datetime
                     ) -> float:
    """Engagement per hour when it was read; 0 for history read after the window."""
    if published_at is None:
        return 0.0
    age = read_at - published_at
    if age > VELOCITY_WINDOW:
        return 0.0
    return engagement / max(1.0, age.total_seconds() / 3600)


def compute_thread_growth(published_at: datetime, thread_times: Sequence[datetime]) -> int:
    end = published_at + GROWTH_WINDOW
    return sum(1 for t in thread_times if published_at < t <= end)


def compute_reach(counts: Mapping[str, Any]) -> int | None:
    found = [v for k, v in counts.items() if k in REACH_KEYS and type(v) is int]
    return max(found) if found else None
