"""Silence: a source that keeps failing, or a brand that went quiet when it should not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts.baseline import compute_baseline
from monitor.domain.alerts.detection import Detection, Figures
from monitor.domain.alerts.points import (
    MentionPoint,
    compute_event_time,
    compute_has_history,
    compute_sorted_times,
)
from monitor.domain.alerts.settings import AlertSettings, Severity
from monitor.domain.alerts.stats import compute_negative_binomial_tail
from monitor.domain.alerts.wording import compute_silence_summary


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """A source's crawl record as kept on its row."""

    source_id: int
    name: str
    consecutive_failures: int
    last_success_at: datetime | None = None
    last_error: str | None = None
    brand_id: int | None = None


def decide_source_severity(failures: int, settings: AlertSettings) -> Severity:
    """Warning at the limit; critical once it has failed three times as long."""
    return "critical" if failures >= 3 * settings.source_failures else "warning"


def decide_source_silence(
    source: SourceHealth, *, now: datetime, settings: AlertSettings
) -> Detection | None:
    """An alert once a source failed ``settings.source_failures`` cycles in a row, or None."""
    failures = source.consecutive_failures
    if failures < settings.source_failures:
        return None
    since = source.last_success_at or now
    figures = Figures(unit="failed_cycles", observed=float(failures),
                      expected=float(settings.source_failures), window_start=min(since, now),
                      window_end=now, baseline_method="threshold")
    reason = f": {source.last_error}" if source.last_error else ""
    return Detection(kind="source_silence", severity=decide_source_severity(failures, settings),
                     detected_at=now,
                     summary=f"{source.name} failed {failures} crawl cycles in a row{reason}",
                     figures=figures, brand_id=source.brand_id, subject_id=source.source_id)


def decide_brand_silence(
    points: Sequence[MentionPoint], *, now: datetime, tracked_since: datetime,
    settings: AlertSettings, brand_id: int | None = None,
) -> Detection | None:
    """An alert when nothing was published or discovered for ``settings.silence_window`` while
    the brand's baseline expects at least ``silence_min_expected`` mentions and the chance of
    such a silence is below ``alpha``."""
    if not compute_has_history(now, tracked_since, settings.min_history):
        return None
    start = now - settings.silence_window
    if any(start < compute_event_time(p) <= now or start < p.discovered_at <= now
           for p in points):
        return None
    baseline = compute_baseline(compute_sorted_times(points), window_end=now,
                                length=settings.silence_window, tracked_since=tracked_since,
                                settings=settings)
    chance = 1.0 - compute_negative_binomial_tail(1, baseline.expected, baseline.weight)
    if baseline.expected < settings.silence_min_expected or chance > settings.alpha:
        return None
    figures = Figures(unit="mentions", observed=0.0, expected=baseline.expected,
                      window_start=start, window_end=now, baseline_method=baseline.method,
                      p_value=chance)
    return Detection(kind="brand_silence", severity="warning", detected_at=now,
                     summary=compute_silence_summary(baseline.expected, start, now, now=now),
                     figures=figures, brand_id=brand_id)
