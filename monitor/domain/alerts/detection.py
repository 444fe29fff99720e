"""What a detector found: the kind, how bad, and the figures that justify it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from monitor.domain.alerts.settings import Severity

AlertKind = Literal[
    "volume_spike", "sentiment_shift", "rule_match", "source_silence", "brand_silence"
]
FigureUnit = Literal["mentions", "negative_share", "matches", "failed_cycles"]
BaselineMethod = Literal["hour_of_week", "hour_of_day", "flat", "threshold"]


@dataclass(frozen=True, slots=True)
class Figures:
    """Window and baseline numbers behind a detection.

    ``observed``/``expected`` are in ``unit``: counts of mentions or matches, a share of negative
    mentions (0..1), or failed crawl cycles against the configured limit.
    """

    unit: FigureUnit
    observed: float
    expected: float
    window_start: datetime
    window_end: datetime
    baseline_method: BaselineMethod
    p_value: float | None = None
    window_mentions: int = 0

    @property
    def ratio(self) -> float | None:
        """How many times the expectation the window saw (None when nothing was expected)."""
        return self.observed / self.expected if self.expected > 0 else None


@dataclass(frozen=True, slots=True)
class Detection:
    """One detector's verdict at ``detected_at``.

    ``subject_id`` narrows the episode key below the brand: the query id of a rule match, the
    source id of a source silence. ``mention_ids`` lists the mentions a rule matched.
    """

    kind: AlertKind
    severity: Severity
    detected_at: datetime
    summary: str
    figures: Figures
    brand_id: int | None = None
    subject_id: int | None = None
    mention_ids: tuple[int, ...] = ()


def compute_duration_label(duration: timedelta) -> str:
    """``1 h``, ``30 min``, ``2 d``: the shortest exact unit for a window length."""
    seconds = int(duration.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def compute_ratio_label(observed: float, expected: float) -> str:
    """``4.2×`` with fewer decimals as it grows; ``new`` when nothing was expected."""
    if expected <= 0:
        return "new"
    ratio = observed / expected
    return f"{ratio:.1f}×" if ratio < 100 else f"{ratio:.0f}×"
