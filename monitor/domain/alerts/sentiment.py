"""Sentiment shifts: a window far more negative than the brand usually is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts.detection import Detection, Figures
from monitor.domain.alerts.points import (
    NEGATIVE,
    SENTIMENT_LABELS,
    MentionPoint,
    compute_has_history,
    compute_in_window,
)
from monitor.domain.alerts.settings import AlertSettings, Severity
from monitor.domain.alerts.stats import compute_binomial_tail
from monitor.domain.alerts.wording import compute_shift_summary


@dataclass(frozen=True, slots=True)
class ShareCount:
    """Negative mentions among scored mentions."""

    negative: int
    total: int

    @property
    def share(self) -> float:
        return self.negative / self.total if self.total else 0.0


def compute_share_count(points: Sequence[MentionPoint]) -> ShareCount:
    """Count negatives among the points that carry a sentiment label."""
    scored = [p for p in points if p.label in SENTIMENT_LABELS]
    return ShareCount(sum(p.label == NEGATIVE for p in scored), len(scored))


def compute_baseline_share(history: ShareCount, settings: AlertSettings) -> float:
    """The brand's usual negative share, pulled towards the prior when history is thin."""
    prior = settings.sentiment_prior_share * settings.sentiment_prior_weight
    return (history.negative + prior) / (history.total + settings.sentiment_prior_weight)


def decide_sentiment_severity(window: ShareCount, expected: float,
                              settings: AlertSettings) -> Severity:
    """Critical when most of a large window is negative; warning when well past the threshold."""
    if window.share >= 0.6 and window.negative >= 2 * settings.sentiment_min_negative:
        return "critical"
    if window.share - expected >= 1.5 * settings.sentiment_min_delta:
        return "warning"
    return "info"


def decide_sentiment_shift(
    points: Sequence[MentionPoint], *, now: datetime, tracked_since: datetime,
    settings: AlertSettings, brand_id: int | None = None,
) -> Detection | None:
    """A jump in the negative share of one brand's mentions, or None.

    The window is ``settings.sentiment_window`` ending at ``now``; the baseline is the
    tracked history before it (up to ``baseline_period``). Requires enough negatives, a large
    enough jump in share and a binomial test below ``alpha``.
    """
    if not compute_has_history(now, tracked_since, settings.min_history):
        return None
    start = now - settings.sentiment_window
    live = [p for p in compute_in_window(points, start, now) if not p.backfill]
    if not any(p.discovered_at > now - settings.window for p in live):
        return None
    window = compute_share_count(live)
    if window.total < settings.sentiment_min_mentions:
        return None
    if window.negative < settings.sentiment_min_negative:
        return None
    earliest = max(tracked_since, start - settings.baseline_period)
    expected = compute_baseline_share(
        compute_share_count(compute_in_window(points, earliest, start)), settings)
    if window.share - expected < settings.sentiment_min_delta:
        return None
    p_value = compute_binomial_tail(window.negative, window.total, expected)
    if p_value > settings.alpha:
        return None
    figures = Figures(unit="negative_share", observed=window.share, expected=expected,
                      window_start=start, window_end=now, baseline_method="flat",
                      p_value=p_value, window_mentions=window.total)
    return Detection(kind="sentiment_shift",
                     severity=decide_sentiment_severity(window, expected, settings),
                     detected_at=now,
                     summary=compute_shift_summary(window.negative, window.total, expected,
                                                   start, now, now=now),
                     figures=figures, brand_id=brand_id)

