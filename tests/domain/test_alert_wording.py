"""Alert figures in words a person reads once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.domain.alerts import Figures
from monitor.domain.alerts.wording import (
    compute_chance_phrase,
    compute_figure_line,
    compute_figures_from_record,
    compute_rate_phrase,
    compute_shift_summary,
    compute_silence_summary,
    compute_spike_summary,
    compute_window_phrase,
)

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_spike_reads_as_counts_a_usual_rate_and_a_sentiment_share() -> None:
    summary = compute_spike_summary(25, 2 / 24, NOW - 2 * HOUR, NOW, now=NOW,
                                    negative_share=0.92)
    assert summary == "25 mentions in the last 2 hours; usually about 1 a day; 92% negative"
    assert compute_spike_summary(12, 3.0, NOW - 2 * HOUR, NOW - HOUR, now=NOW,
                                 negative_share=None) == (
        "12 mentions in the hour to 11:00 UTC; usually about 3 an hour")


@pytest.mark.parametrize(
    ("expected", "length", "words"),
    [
        (3.0, HOUR, "about 3 an hour"),
        (0.04, HOUR, "about 1 a day"),
        (0.02, HOUR, "about 3 a week"),
        (0.001, HOUR, "less than 1 a week"),
        (1512.0, timedelta(days=1), "about 63 an hour"),
        (0.5, HOUR, "about 12 a day"),
    ],
)
def test_usual_rates_use_a_unit_that_gives_whole_numbers(
    expected: float, length: timedelta, words: str
) -> None:
    assert compute_rate_phrase(expected, length) == words


def test_windows_name_their_period_and_when_they_ended() -> None:
    assert compute_window_phrase(NOW - HOUR, NOW, NOW) == "in the last hour"
    assert compute_window_phrase(NOW - 6 * HOUR, NOW, NOW) == "in the last 6 hours"
    assert compute_window_phrase(NOW - timedelta(minutes=30), NOW, NOW) == (
        "in the last 30 minutes")
    yesterday = NOW - timedelta(days=1)
    assert compute_window_phrase(yesterday - HOUR, yesterday, NOW) == (
        "in the hour to 12:00 UTC on 03 Dec")


def test_shifts_silences_and_chances_in_words() -> None:
    assert compute_shift_summary(18, 25, 0.25, NOW - 6 * HOUR, NOW, now=NOW) == (
        "18 of 25 mentions in the last 6 hours negative (72%); usually 25%")
    assert compute_silence_summary(24.0, NOW - 6 * HOUR, NOW, now=NOW) == (
        "No mentions in the last 6 hours; usually about 4 an hour")
    assert compute_chance_phrase(None) is None
    assert compute_chance_phrase(1e-9) == "less than one in a million by chance"
    assert compute_chance_phrase(0.0001) == "about one in 10,000 by chance"


def test_every_figure_unit_reads_as_one_line() -> None:
    def figures(unit: str, observed: float, expected: float) -> Figures:
        return Figures(unit=unit, observed=observed, expected=expected,  # type: ignore[arg-type]
                       window_start=NOW - HOUR, window_end=NOW, baseline_method="threshold",
                       window_mentions=20)

    assert compute_figure_line(figures("mentions", 25, 0.04)) == (
        "Mentions", "25 in an hour; usually about 1 a day (625×)")
    assert compute_figure_line(figures("negative_share", 0.8, 0.25)) == (
        "Negative", "80% of 20 mentions; usually 25%")
    assert compute_figure_line(figures("matches", 1, 1)) == (
        "Matches", "1 new in an hour (alerts at 1)")
    assert compute_figure_line(figures("failed_cycles", 6, 5)) == (
        "Failed crawl cycles", "6 in a row (alerts at 5)")


def test_unreadable_stored_figures_give_nothing_rather_than_an_error() -> None:
    assert compute_figures_from_record({}) is None
    assert compute_figures_from_record({"unit": "mentions", "observed": "x"}) is None
