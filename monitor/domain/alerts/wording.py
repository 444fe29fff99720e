"""Alert figures in words a person reads once: "25 mentions in the last hour; usually about
1 a day; 92% negative" rather than observed and expected counts per window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from monitor.domain.alerts.detection import Figures, compute_ratio_label

_UNITS = (("day", timedelta(days=1)), ("hour", timedelta(hours=1)),
          ("minute", timedelta(minutes=1)))
_RATES = (("an hour", 1.0), ("a day", 24.0), ("a week", 168.0))
BASELINE_LABELS = {
    "hour_of_week": "same hour of the week",
    "hour_of_day": "same hour of the day",
    "flat": "recent average",
    "threshold": "configured threshold",
}


def compute_period_label(length: timedelta) -> str:
    """``hour``, ``2 hours``, ``30 minutes``, ``2 days``: the largest whole unit."""
    for unit, size in _UNITS:
        if length >= size and not length % size:
            count = length // size
            return unit if count == 1 else f"{count} {unit}s"
    seconds = int(length.total_seconds())
    return f"{seconds} seconds"


def compute_window_phrase(start: datetime, end: datetime, now: datetime) -> str:
    """``in the last hour`` for a window ending now, else ``in the hour to 10:30 UTC``."""
    period = compute_period_label(end - start)
    if end >= now:
        return f"in the last {period}"
    day = "" if end.date() == now.date() else f" on {end:%d %b}"
    return f"in the {period} to {end:%H:%M} UTC{day}"


def compute_rate_phrase(expected: float, length: timedelta) -> str:
    """An expected count per window as a rate with a natural unit: ``about 3 an hour``,
    ``about 1 a day``, ``about 2 a week``, ``less than 1 a week``."""
    per_hour = expected / (length / timedelta(hours=1))
    for unit, hours in _RATES:
        count = per_hour * hours
        if count >= 0.95:
            return f"about {round(count):,} {unit}"
    return "less than 1 a week"


def compute_chance_phrase(p_value: float | None) -> str | None:
    """How likely the window is by chance alone, or None when no test was made."""
    if p_value is None:
        return None
    if p_value < 1e-6:
        return "less than one in a million by chance"
    if p_value >= 0.5:
        return "about even odds by chance"
    return f"about one in {round(1 / p_value):,} by chance"


def compute_spike_summary(count: int, expected: float, start: datetime, end: datetime, *,
                          now: datetime, negative_share: float | None) -> str:
    """``25 mentions in the last hour; usually about 1 a day; 92% negative``."""
    parts = [f"{count} mentions {compute_window_phrase(start, end, now)}",
             f"usually {compute_rate_phrase(expected, end - start)}"]
    if negative_share is not None:
        parts.append(f"{negative_share:.0%} negative")
    return "; ".join(parts)


def compute_shift_summary(negative: int, total: int, expected: float, start: datetime,
                          end: datetime, *, now: datetime) -> str:
    """``18 of 25 mentions in the last 6 hours negative (72%); usually 25%``."""
    return (f"{negative} of {total} mentions {compute_window_phrase(start, end, now)} negative "
            f"({negative / total:.0%}); usually {expected:.0%}")


def compute_silence_summary(expected: float, start: datetime, end: datetime, *,
                            now: datetime) -> str:
    """``No mentions in the last 6 hours; usually about 4 an hour``."""
    return (f"No mentions {compute_window_phrase(start, end, now)}; "
            f"usually {compute_rate_phrase(expected, end - start)}")


def compute_span_label(length: timedelta) -> str:
    """``an hour``, ``2 hours``, ``a day``, ``30 minutes``."""
    period = compute_period_label(length)
    if period[0].isdigit():
        return period
    return f"an {period}" if period == "hour" else f"a {period}"


def compute_figure_line(figures: Figures) -> tuple[str, str]:
    """The main figure as a title and one line of words, by unit."""
    length = figures.window_end - figures.window_start
    observed, expected = figures.observed, figures.expected
    if figures.unit == "negative_share":
        return "Negative", (f"{observed:.0%} of {figures.window_mentions} mentions; "
                            f"usually {expected:.0%}")
    if figures.unit == "matches":
        return "Matches", f"{observed:.0f} new in {compute_span_label(length)} " \
                          f"(alerts at {expected:.0f})"
    if figures.unit == "failed_cycles":
        return "Failed crawl cycles", f"{observed:.0f} in a row (alerts at {expected:.0f})"
    ratio = f" ({compute_ratio_label(observed, expected)})" if expected > 0 else ""
    return "Mentions", (f"{observed:.0f} in {compute_span_label(length)}; "
                        f"usually {compute_rate_phrase(expected, length)}{ratio}")


def compute_baseline_phrase(figures: Figures) -> str:
    """``same hour of the week · less than one in a million by chance``."""
    label = BASELINE_LABELS.get(figures.baseline_method, figures.baseline_method)
    chance = compute_chance_phrase(figures.p_value)
    return label if chance is None else f"{label} · {chance}"


def compute_figures_from_record(record: Mapping[str, Any]) -> Figures | None:
    """Figures from a stored explanation's ``figures``; None when the record is unreadable."""
    try:
        return Figures(unit=record["unit"], observed=float(record["observed"]),
                       expected=float(record["expected"]),
                       window_start=datetime.fromisoformat(record["window_start"]),
                       window_end=datetime.fromisoformat(record["window_end"]),
                       baseline_method=record["baseline_method"], p_value=record.get("p_value"),
                       window_mentions=int(record.get("window_mentions", 0)))
    except (KeyError, TypeError, ValueError):
        return None
