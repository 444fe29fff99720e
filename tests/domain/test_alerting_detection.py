"""Detection on synthetic mention series: steady, seasonal, spikes, slow rises, first crawls."""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.domain.alerts import (
    PRESETS,
    AlertSettings,
    MentionPoint,
    RuleMatch,
    RuleQuery,
    SourceHealth,
    compute_alert_settings,
    decide_brand_silence,
    decide_rule_alert,
    decide_sentiment_shift,
    decide_source_silence,
    decide_volume_spike,
)

# A Monday noon; weekdays and hours below are relative to it.
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
MEDIUM = PRESETS["medium"]
SEEDS = (1, 2, 3)

Rate = Callable[[datetime], float]


def draw_poisson(rng: random.Random, rate: float) -> int:
    """Knuth's method; fine for the small rates used here."""
    limit, count, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def make_series(
    rng: random.Random, rate: Rate, *, start: datetime, end: datetime = NOW,
    negative_share: float = 0.2, lag_minutes: float = 30.0,
) -> list[MentionPoint]:
    """Poisson arrivals hour by hour; each is discovered up to ``lag_minutes`` later."""
    points: list[MentionPoint] = []
    hour = start
    while hour < end:
        for _ in range(draw_poisson(rng, rate(hour))):
            published = hour + rng.random() * HOUR
            discovered = published + timedelta(minutes=rng.random() * lag_minutes)
            if published < end and discovered <= end:
                label = "negative" if rng.random() < negative_share else "neutral"
                points.append(MentionPoint(published, discovered, label))
        hour += HOUR
    return points


def burst(count: int, *, end: datetime, length: timedelta, label: str = "negative",
          lag: timedelta = timedelta(minutes=5)) -> list[MentionPoint]:
    """``count`` mentions spread evenly over ``length`` ending at ``end``."""
    step = length / count
    return [MentionPoint(end - length + step * (i + 0.5), min(end, end - length + step * (i + 0.5)
                                                               + lag), label)
            for i in range(count)]


def flat(rate_per_hour: float) -> Rate:
    return lambda _hour: rate_per_hour


def business_hours(busy: float, quiet: float) -> Rate:
    """Busy 9:00-17:00 UTC on weekdays, quiet otherwise."""
    return lambda hour: busy if hour.weekday() < 5 and 9 <= hour.hour < 17 else quiet


def evaluation_times(hours: int, end: datetime = NOW) -> list[datetime]:
    return [end - k * HOUR for k in range(hours)]


def no_alert_anywhere(points: list[MentionPoint], tracked: datetime, hours: int,
                      settings: AlertSettings = MEDIUM) -> list[datetime]:
    """Evaluation times at which a volume or sentiment alert would fire."""
    fired = []
    for now in evaluation_times(hours):
        visible = [p for p in points if p.discovered_at <= now]
        if (decide_volume_spike(visible, now=now, tracked_since=tracked, settings=settings)
                or decide_sentiment_shift(visible, now=now, tracked_since=tracked,
                                          settings=settings)):
            fired.append(now)
    return fired


@pytest.mark.parametrize("seed", SEEDS)
def test_steady_brand_never_alerts(seed: int) -> None:
    start = NOW - timedelta(days=21)
    points = make_series(random.Random(seed), flat(6.0), start=start)
    assert no_alert_anywhere(points, start, hours=48) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_steady_handful_a_day_never_alerts(seed: int) -> None:
    start = NOW - timedelta(days=21)
    points = make_series(random.Random(seed), flat(5 / 24), start=start, negative_share=0.3)
    assert no_alert_anywhere(points, start, hours=72) == []


@pytest.mark.parametrize("seed", SEEDS)
def test_weekly_seasonality_is_not_a_spike(seed: int) -> None:
    start = NOW - timedelta(days=28)
    points = make_series(random.Random(seed), business_hours(25.0, 1.5), start=start)
    # A whole week of hourly evaluations, including every Monday-morning ramp-up.
    assert no_alert_anywhere(points, start, hours=7 * 24) == []


def test_seasonal_baseline_still_catches_a_night_time_burst() -> None:
    start = NOW - timedelta(days=28)
    night = NOW - timedelta(hours=9)  # Monday 03:00, a quiet hour
    points = make_series(random.Random(7), business_hours(25.0, 1.5), start=start, end=night)
    points += burst(25, end=night, length=HOUR, label="neutral")
    detection = decide_volume_spike(points, now=night, tracked_since=start, settings=MEDIUM)
    assert detection is not None
    assert detection.figures.baseline_method == "hour_of_week"
    assert detection.figures.expected < 5


@pytest.mark.parametrize("seed", SEEDS)
def test_real_spike_alerts_with_figures(seed: int) -> None:
    start = NOW - timedelta(days=21)
    points = make_series(random.Random(seed), flat(6.0), start=start)
    points += burst(60, end=NOW, length=HOUR, label="neutral")
    detection = decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM,
                                    brand_id=4)
    assert detection is not None
    assert detection.kind == "volume_spike"
    assert detection.brand_id == 4
    assert detection.figures.observed >= 60
    assert 4.0 < detection.figures.expected < 8.0
    assert detection.figures.p_value is not None
    assert detection.figures.p_value < MEDIUM.alpha
    assert detection.severity in ("warning", "critical")
    assert "mentions in the last hour; usually about " in detection.summary


@pytest.mark.parametrize("seed", SEEDS)
def test_slow_rise_is_not_a_spike(seed: int) -> None:
    start = NOW - timedelta(days=21)
    days = (NOW - start) / timedelta(days=1)

    def rising(hour: datetime) -> float:
        return 2.0 + 6.0 * ((hour - start) / timedelta(days=1)) / days

    points = make_series(random.Random(seed), rising, start=start)
    assert no_alert_anywhere(points, start, hours=48) == []


def test_quiet_brand_with_25_angry_comments_in_two_hours_alerts() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(11), flat(1 / 24), start=start)
    points += burst(25, end=NOW, length=2 * HOUR)
    spike = decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM)
    shift = decide_sentiment_shift(points, now=NOW, tracked_since=start, settings=MEDIUM)
    assert spike is not None
    assert spike.severity == "critical"
    assert shift is not None
    assert shift.kind == "sentiment_shift"
    assert shift.figures.observed == 1.0


def test_first_crawl_of_a_new_brand_never_alerts() -> None:
    rng = random.Random(5)
    # Years of archive found in one go, plus a few undated items.
    points = [MentionPoint(NOW - timedelta(days=rng.uniform(0, 900)), NOW, "negative",
                           backfill=True) for _ in range(500)]
    points += [MentionPoint(None, NOW, "negative", backfill=True) for _ in range(40)]
    assert decide_volume_spike(points, now=NOW, tracked_since=NOW, settings=MEDIUM) is None
    assert decide_sentiment_shift(points, now=NOW, tracked_since=NOW, settings=MEDIUM) is None


def test_first_crawl_of_a_new_source_on_a_tracked_brand_never_alerts() -> None:
    start = NOW - timedelta(days=20)
    rng = random.Random(6)
    points = make_series(rng, flat(2.0), start=start)
    # The new source's archive: old dated posts, undated pages, all discovered right now.
    points += [MentionPoint(NOW - timedelta(days=rng.uniform(0.5, 60)), NOW, "negative",
                            backfill=True) for _ in range(300)]
    points += [MentionPoint(None, NOW, "negative", backfill=True) for _ in range(40)]
    # Old posts found late by an ordinary crawl are not news either.
    points += [MentionPoint(NOW - timedelta(days=3), NOW, "negative") for _ in range(50)]
    assert decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM) is None
    assert decide_sentiment_shift(points, now=NOW, tracked_since=start, settings=MEDIUM) is None


def test_too_little_history_does_not_alert() -> None:
    start = NOW - timedelta(days=1)
    points = make_series(random.Random(8), flat(2.0), start=start) + burst(80, end=NOW,
                                                                          length=HOUR)
    assert decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM) is None
    later = replace(MEDIUM, min_history=timedelta(hours=12))
    assert decide_volume_spike(points, now=NOW, tracked_since=start, settings=later) is not None


def test_late_crawl_puts_the_spike_in_its_published_hour() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(9), flat(1.0), start=start)
    published_end = NOW - 2 * HOUR
    # A thread crawled two hours late: published 10:00-11:00, discovered at noon.
    points += [MentionPoint(p.published_at, NOW, p.label)
               for p in burst(30, end=published_end, length=HOUR)]
    detection = decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM)
    assert detection is not None
    assert detection.figures.window_end <= published_end + HOUR / 2
    assert detection.figures.observed >= 25


def test_future_published_times_are_bounded_by_discovery() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(10), flat(1.0), start=start)
    points += [MentionPoint(NOW + timedelta(hours=5), NOW - timedelta(minutes=10), "neutral")
               for _ in range(30)]
    detection = decide_volume_spike(points, now=NOW, tracked_since=start, settings=MEDIUM)
    assert detection is not None
    assert detection.figures.observed >= 30


@pytest.mark.parametrize(("sensitivity", "fires"), [("low", False), ("medium", True),
                                                    ("high", True)])
def test_sensitivity_presets_move_the_threshold(sensitivity: str, fires: bool) -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(12), flat(1.0), start=start)
    points += burst(14, end=NOW, length=HOUR, label="neutral")
    settings = compute_alert_settings(sensitivity)
    detection = decide_volume_spike(points, now=NOW, tracked_since=start, settings=settings)
    assert (detection is not None) is fires


def test_unknown_sensitivity_is_rejected_with_the_choices() -> None:
    with pytest.raises(ValueError, match="low, medium, high"):
        compute_alert_settings("paranoid")


def test_naive_times_are_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        MentionPoint(None, datetime(2026, 1, 1), "neutral")


def test_sentiment_shift_against_the_usual_share() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(13), flat(4.0), start=start, end=NOW - 6 * HOUR,
                         negative_share=0.2)
    points += make_series(random.Random(14), flat(4.0), start=NOW - 6 * HOUR,
                          negative_share=0.75)
    detection = decide_sentiment_shift(points, now=NOW, tracked_since=start, settings=MEDIUM)
    assert detection is not None
    assert detection.figures.unit == "negative_share"
    assert 0.15 < detection.figures.expected < 0.25
    assert detection.figures.observed > 0.55
    assert "mentions in the last 6 hours negative" in detection.summary


def test_usual_share_of_negatives_is_no_shift() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(15), flat(4.0), start=start, negative_share=0.45)
    assert decide_sentiment_shift(points, now=NOW, tracked_since=start, settings=MEDIUM) is None


def test_rule_alert_groups_fresh_matches_and_ignores_old_ones() -> None:
    query = RuleQuery(query_id=7, name="recall OR lawsuit", severity="critical", brand_id=2)
    matches = [
        RuleMatch(101, NOW - timedelta(minutes=20), NOW - timedelta(minutes=10)),
        RuleMatch(102, None, NOW - timedelta(minutes=5)),
        RuleMatch(103, NOW - timedelta(days=5), NOW - timedelta(minutes=5)),
        RuleMatch(104, NOW - timedelta(minutes=2), NOW, backfill=True),
        RuleMatch(105, NOW - timedelta(hours=3), NOW - timedelta(hours=2)),
    ]
    detection = decide_rule_alert(query, matches, now=NOW, settings=MEDIUM)
    assert detection is not None
    assert detection.mention_ids == (101, 102)
    assert detection.severity == "critical"
    assert (detection.brand_id, detection.subject_id) == (2, 7)
    assert "recall OR lawsuit" in detection.summary


def test_rule_alert_waits_for_min_matches() -> None:
    query = RuleQuery(query_id=7, name="outage", severity="warning", min_matches=3)
    matches = [RuleMatch(i, None, NOW - timedelta(minutes=i)) for i in range(2)]
    assert decide_rule_alert(query, matches, now=NOW, settings=MEDIUM) is None
    matches.append(RuleMatch(9, None, NOW))
    assert decide_rule_alert(query, matches, now=NOW, settings=MEDIUM) is not None


@pytest.mark.parametrize(("failures", "severity"), [(4, None), (5, "warning"), (14, "warning"),
                                                    (15, "critical")])
def test_source_silence_after_n_failed_cycles(failures: int, severity: str | None) -> None:
    source = SourceHealth(source_id=3, name="Acme forum", consecutive_failures=failures,
                          last_success_at=NOW - timedelta(hours=5), last_error="HTTP 503")
    detection = decide_source_silence(source, now=NOW, settings=MEDIUM)
    assert (detection.severity if detection else None) == severity
    if detection is not None:
        assert detection.subject_id == 3
        assert "HTTP 503" in detection.summary


def test_busy_brand_going_silent_alerts() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(16), flat(5.0), start=start, end=NOW - 7 * HOUR)
    detection = decide_brand_silence(points, now=NOW, tracked_since=start, settings=MEDIUM,
                                     brand_id=1)
    assert detection is not None
    assert detection.kind == "brand_silence"
    assert detection.figures.expected > 20


def test_quiet_brand_going_silent_does_not_alert() -> None:
    start = NOW - timedelta(days=14)
    points = make_series(random.Random(17), flat(5 / 24), start=start, end=NOW - 7 * HOUR)
    assert decide_brand_silence(points, now=NOW, tracked_since=start, settings=MEDIUM) is None


def test_night_silence_of_a_daytime_brand_does_not_alert() -> None:
    start = NOW - timedelta(days=21)
    night_end = NOW - timedelta(hours=6)  # Monday 06:00, after a quiet night
    points = make_series(random.Random(18), business_hours(20.0, 0.0), start=start,
                         end=night_end)
    assert decide_brand_silence(points, now=night_end, tracked_since=start,
                                settings=MEDIUM) is None


def test_settings_reject_nonsense_with_a_clear_message() -> None:
    with pytest.raises(ValueError, match="alpha"):
        AlertSettings(alpha=0.0)
    with pytest.raises(ValueError, match="window"):
        AlertSettings(window=timedelta(0))
