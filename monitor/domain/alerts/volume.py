"""Volume spikes: more mentions in a window than a brand's own history explains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.domain.alerts.baseline import Baseline, compute_baseline
from monitor.domain.alerts.detection import Detection, Figures
from monitor.domain.alerts.points import (
    NEGATIVE,
    SENTIMENT_LABELS,
    MentionPoint,
    Timeline,
    compute_has_history,
    compute_sorted_times,
    compute_timeline,
)
from monitor.domain.alerts.settings import (
    AlertSettings,
    Severity,
    compute_raised_severity,
)
from monitor.domain.alerts.stats import compute_negative_binomial_tail
from monitor.domain.alerts.wording import compute_spike_summary


@dataclass(frozen=True, slots=True)
class SpikeWindow:
    """A candidate window that passed every test."""

    start: datetime
    end: datetime
    points: tuple[MentionPoint, ...]
    baseline: Baseline
    p_value: float


def compute_candidate_ends(now: datetime, settings: AlertSettings) -> list[datetime]:
    """Ends of the windows worth testing: ``now`` and every half window back to ``now - lag``."""
    step = settings.window / 2
    ends = [now]
    while now - ends[-1] + step <= settings.lag:
        ends.append(ends[-1] - step)
    return ends


def compute_negative_share(points: Sequence[MentionPoint]) -> float:
    """Share of negative mentions among the scored ones (0 when none are scored)."""
    scored = [p for p in points if p.label in SENTIMENT_LABELS]
    if not scored:
        return 0.0
    return sum(p.label == NEGATIVE for p in scored) / len(scored)


def decide_spike_severity(count: int, expected: float, negative_share: float,
                          settings: AlertSettings) -> Severity:
    """Tier by how far past the thresholds the window went; a mostly negative burst goes up one."""
    ratio = count / expected
    severity: Severity = "info"
    if ratio >= 2 * settings.volume_min_ratio or count >= 3 * settings.volume_min_count:
        severity = "warning"
    if ratio >= 4 * settings.volume_min_ratio and count >= 3 * settings.volume_min_count:
        severity = "critical"
    return compute_raised_severity(severity) if negative_share >= 0.5 else severity


def decide_spike_window(
    live: Timeline, history: Sequence[datetime], *, end: datetime, now: datetime,
    tracked_since: datetime, settings: AlertSettings, tests: int,
) -> SpikeWindow | None:
    """Test one window; ``tests`` is the number of windows tried (Bonferroni correction)."""
    start = end - settings.window
    points = live.between(start, end)
    # A window with nothing newly discovered was judged by an earlier cycle already.
    if not any(p.discovered_at > now - settings.window for p in points):
        return None
    if len(points) < settings.volume_min_count:
        return None
    baseline = compute_baseline(history, window_end=end, length=settings.window,
                                tracked_since=tracked_since, settings=settings)
    if len(points) < settings.volume_min_ratio * baseline.expected:
        return None
    tail = compute_negative_binomial_tail(len(points), baseline.expected, baseline.weight)
    p_value = min(1.0, tail * tests)
    if p_value > settings.alpha:
        return None
    return SpikeWindow(start, end, points, baseline, p_value)


def decide_volume_spike(
    points: Sequence[MentionPoint], *, now: datetime, tracked_since: datetime,
    settings: AlertSettings, brand_id: int | None = None,
) -> Detection | None:
    """A volume spike for one brand, or None.

    ``points`` are the brand's mentions over at least ``settings.baseline_period`` plus
    ``settings.lag``; ``tracked_since`` is when monitoring of the brand began. Windows are
    placed by event time (published, else discovered) so late crawls land where they belong;
    backfilled mentions only feed the baseline.
    """
    if not compute_has_history(now, tracked_since, settings.min_history):
        return None
    history = compute_sorted_times(points)
    live = compute_timeline(p for p in points if not p.backfill)
    ends = compute_candidate_ends(now, settings)
    windows = (decide_spike_window(live, history, end=end, now=now, tracked_since=tracked_since,
                                   settings=settings, tests=len(ends)) for end in ends)
    found = [w for w in windows if w is not None]
    if not found:
        return None
    best = min(found, key=lambda w: (w.p_value, -len(w.points) / w.baseline.expected,
                                     now - w.end))
    return compute_spike_detection(best, now=now, settings=settings, brand_id=brand_id)


def compute_spike_detection(window: SpikeWindow, *, now: datetime, settings: AlertSettings,
                            brand_id: int | None) -> Detection:
    """The Detection for a spike window that passed."""
    count, expected = len(window.points), window.baseline.expected
    severity = decide_spike_severity(count, expected, compute_negative_share(window.points),
                                     settings)
    figures = Figures(unit="mentions", observed=float(count), expected=expected,
                      window_start=window.start, window_end=window.end,
                      baseline_method=window.baseline.method, p_value=window.p_value,
                      window_mentions=count)
    scored = any(p.label in SENTIMENT_LABELS for p in window.points)
    summary = compute_spike_summary(
        count, expected, window.start, window.end, now=now,
        negative_share=compute_negative_share(window.points) if scored else None)
    return Detection(kind="volume_spike", severity=severity, detected_at=now, summary=summary,
                     figures=figures, brand_id=brand_id)
