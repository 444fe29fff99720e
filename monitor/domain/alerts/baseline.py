"""What a brand's own history says a window should hold."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.domain.alerts.detection import BaselineMethod
from monitor.domain.alerts.points import compute_window_count
from monitor.domain.alerts.settings import AlertSettings
from monitor.domain.alerts.stats import compute_robust_mean

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)

# Seasonal profiles, most specific first, with the same-slot samples each needs before it is
# trusted over the flat rate.
_SEASONS: tuple[tuple[BaselineMethod, timedelta, int], ...] = (
    ("hour_of_week", WEEK, 2),
    ("hour_of_day", DAY, 3),
)
# A trend may lift the expectation up to this factor, never lower it.
MAX_LEVEL = 3.0


@dataclass(frozen=True, slots=True)
class Baseline:
    """The expected count for one window and how it was estimated.

    ``weight`` is how many windows of evidence stand behind ``expected`` (its uncertainty);
    ``level`` is the trend correction: how much busier the last day was than the profile says.
    """

    expected: float
    method: BaselineMethod
    weight: float
    level: float = 1.0


@dataclass(frozen=True, slots=True)
class Profile:
    """Expected counts per window position: a flat rate refined by seasonal periods.

    ``periods`` run from coarse to fine (a day, then a week); each refines the estimate of the
    one before, so two weeks of Monday-noon samples are weighed against all noons, and those
    against the flat rate.
    """

    times: Sequence[datetime]
    length: timedelta
    earliest: datetime
    flat: float
    flat_windows: int
    periods: tuple[timedelta, ...]

    def samples(self, window_end: datetime, period: timedelta) -> list[int]:
        """Counts of the same slot in earlier periods."""
        return compute_history_windows(self.times, window_end=window_end, length=self.length,
                                       step=period, earliest=self.earliest)

    def expected(self, window_end: datetime) -> float:
        """The expected count for the window ending at ``window_end``."""
        return self.estimate(window_end)[0]

    def estimate(self, window_end: datetime) -> tuple[float, float]:
        """Expected count and how many windows of evidence stand behind it.

        Each period's robust slot mean is shrunk towards the coarser estimate, which counts as
        one more sample.
        """
        estimate, weight = self.flat, float(self.flat_windows)
        for period in self.periods:
            slots = self.samples(window_end, period)
            if slots:
                estimate = (len(slots) * compute_robust_mean(slots) + estimate) / (len(slots) + 1)
                weight = len(slots) + 1.0
        return estimate, weight


def compute_history_windows(
    times: Sequence[datetime], *, window_end: datetime, length: timedelta, step: timedelta,
    earliest: datetime,
) -> list[int]:
    """Counts of the windows of ``length`` ending ``step``, ``2*step``… before ``window_end``.

    Only windows that start at or after ``earliest`` count: earlier ones predate tracking or
    the baseline period and would read as silence.
    """
    counts: list[int] = []
    end = window_end - step
    while end - length >= earliest:
        counts.append(compute_window_count(times, end - length, end))
        end -= step
    return counts


def compute_profile(
    times: Sequence[datetime], *, window_end: datetime, length: timedelta,
    tracked_since: datetime, settings: AlertSettings,
) -> tuple[Profile, BaselineMethod]:
    """The profile for windows like ``(window_end - length, window_end]``.

    Hour of the week once two weeks of history exist, hour of the day after three days, else
    flat. The flat rate is a robust mean of all preceding windows.
    """
    earliest = max(tracked_since, window_end - length - settings.baseline_period)
    windows = compute_history_windows(times, window_end=window_end, length=length, step=length,
                                      earliest=earliest)
    flat = compute_robust_mean(windows)
    usable = tuple(p for p in (DAY, WEEK) if not p % length)
    profile = Profile(times, length, earliest, flat, len(windows), usable)
    for method, period, needed in _SEASONS:
        if period in usable and len(profile.samples(window_end, period)) >= needed:
            return Profile(times, length, earliest, flat, len(windows),
                           tuple(p for p in usable if p <= period)), method
    return Profile(times, length, earliest, flat, len(windows), ()), "flat"


def compute_level(profile: Profile, window_end: datetime) -> float:
    """Trend correction from the day before the window: observed over expected, in [1, 3].

    Each recent window is clipped a few Poisson deviations above its expectation so a spike
    that is still going on does not raise the bar for itself.
    """
    observed = expected = 0.0
    for k in range(1, max(1, DAY // profile.length) + 1):
        end = window_end - k * profile.length
        if end - profile.length < profile.earliest:
            break
        usual = profile.expected(end)
        count = compute_window_count(profile.times, end - profile.length, end)
        observed += min(count, usual + 3.0 * math.sqrt(usual) + 1.0)
        expected += usual
    if expected <= 0.0:
        return 1.0
    return min(max(observed / expected, 1.0), MAX_LEVEL)


def compute_baseline(
    times: Sequence[datetime], *, window_end: datetime, length: timedelta,
    tracked_since: datetime, settings: AlertSettings,
) -> Baseline:
    """Expected count in ``(window_end - length, window_end]`` from the sorted event ``times``.

    Seasonal profile (see ``compute_profile``) times the trend level of the last day, floored
    at ``settings.min_expected_per_hour`` so an empty history still gives a finite bar.
    """
    profile, method = compute_profile(times, window_end=window_end, length=length,
                                      tracked_since=tracked_since, settings=settings)
    level = compute_level(profile, window_end)
    floor = settings.min_expected_per_hour * (length / HOUR)
    expected, weight = profile.estimate(window_end)
    return Baseline(expected=max(expected * level, floor), method=method,
                    weight=max(weight, 1.0), level=level)
