"""Alert thresholds: sensitivity presets and the knobs behind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, get_args

Severity = Literal["info", "warning", "critical"]
Sensitivity = Literal["low", "medium", "high"]

SEVERITIES: tuple[Severity, ...] = get_args(Severity)


def compute_severity_rank(severity: Severity) -> int:
    """0 for info, 1 for warning, 2 for critical."""
    return SEVERITIES.index(severity)


def compute_raised_severity(severity: Severity, steps: int = 1) -> Severity:
    """The severity ``steps`` tiers up, capped at critical."""
    rank = min(compute_severity_rank(severity) + steps, len(SEVERITIES) - 1)
    return SEVERITIES[rank]


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Every threshold the detectors use; the defaults are the "medium" preset.

    ``window`` is the length of the volume window; candidate windows end at ``now`` and
    every half window back to ``now - lag``, so mentions crawled late still count in the
    hour they were published. ``alpha`` is the false-alarm probability a detection must beat.
    A brand's baseline negative share is pulled towards ``sentiment_prior_share`` with the weight
    of ``sentiment_prior_weight`` mentions, so quiet brands can still shift.
    """

    window: timedelta = timedelta(hours=1)
    lag: timedelta = timedelta(hours=3)
    baseline_period: timedelta = timedelta(days=14)
    min_history: timedelta = timedelta(days=3)
    min_expected_per_hour: float = 0.02
    alpha: float = 1e-4
    volume_min_count: int = 10
    volume_min_ratio: float = 3.0
    sentiment_window: timedelta = timedelta(hours=6)
    sentiment_min_mentions: int = 12
    sentiment_min_negative: int = 8
    sentiment_prior_share: float = 0.25
    sentiment_prior_weight: float = 30.0
    sentiment_min_delta: float = 0.25
    silence_window: timedelta = timedelta(hours=6)
    silence_min_expected: float = 10.0
    source_failures: int = 5
    rule_max_age: timedelta = timedelta(hours=48)
    cooldown: timedelta = timedelta(hours=6)
    episode_gap: timedelta = timedelta(hours=2)

    def __post_init__(self) -> None:
        for name in ("window", "baseline_period", "sentiment_window", "silence_window"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"alert setting {name} must be a positive duration")
        for name in ("lag", "min_history", "rule_max_age", "cooldown", "episode_gap"):
            if getattr(self, name) < timedelta(0):
                raise ValueError(f"alert setting {name} must not be negative")
        if not 0.0 < self.alpha < 1.0:
            raise ValueError(f"alert setting alpha must lie in (0, 1), got {self.alpha}")
        if self.volume_min_ratio < 1.0:
            raise ValueError("alert setting volume_min_ratio must be at least 1.0")
        if not 0.0 < self.sentiment_prior_share < 1.0:
            raise ValueError("alert setting sentiment_prior_share must lie in (0, 1)")
        if self.source_failures < 1:
            raise ValueError("alert setting source_failures must be at least 1")


PRESETS: dict[Sensitivity, AlertSettings] = {
    "low": AlertSettings(
        alpha=1e-6,
        volume_min_count=20,
        volume_min_ratio=4.0,
        sentiment_min_mentions=20,
        sentiment_min_negative=12,
        sentiment_min_delta=0.3,
        silence_min_expected=15.0,
        source_failures=10,
    ),
    "medium": AlertSettings(),
    "high": AlertSettings(
        alpha=1e-3,
        volume_min_count=5,
        volume_min_ratio=2.0,
        sentiment_min_mentions=8,
        sentiment_min_negative=5,
        sentiment_min_delta=0.15,
        silence_min_expected=6.0,
        source_failures=3,
    ),
}


def compute_alert_settings(sensitivity: str) -> AlertSettings:
    """The preset for a sensitivity name; tweak it further with ``dataclasses.replace``."""
    for name, preset in PRESETS.items():
        if name == sensitivity:
            return preset
    choices = ", ".join(PRESETS)
    raise ValueError(f"unknown alert sensitivity {sensitivity!r}; choose one of {choices}")
