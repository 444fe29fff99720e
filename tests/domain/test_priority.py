"""The priority score: each signal's points and label, and the order they produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.domain.priority import (
    PrioritySignals,
    compute_signals,
    compute_thread_growth,
    compute_velocity,
    decide_needs_reply,
    merge_engagement,
    score_priority,
    shown_sentiment,
)

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
QUIET = PrioritySignals(needs_reply=False, sentiment=0.0, engagement=0, velocity=0.0,
                        thread_growth=0, reach=None)


def _with(**changes: object) -> PrioritySignals:
    values = {f: getattr(QUIET, f) for f in PrioritySignals.__slots__}
    values.update(changes)
    return PrioritySignals(**values)  # type: ignore[arg-type]


def test_a_quiet_item_scores_zero_with_no_reasons() -> None:
    assert score_priority(QUIET).score == 0
    assert score_priority(QUIET).reasons == ()


def test_needs_reply_adds_forty_points_and_its_label() -> None:
    assert score_priority(_with(needs_reply=True)).score == 40
    assert score_priority(_with(needs_reply=True)).reasons == ("needs reply",)


def test_negativity_scales_with_intensity_and_labels_its_strength() -> None:
    mild, strong = score_priority(_with(sentiment=-0.3)), score_priority(_with(sentiment=-0.9))
    assert (mild.score, mild.reasons) == (9, ("negative",))
    assert (strong.score, strong.reasons) == (27, ("very negative",))
    assert score_priority(_with(sentiment=-0.1)).score == 0
    assert score_priority(_with(sentiment=0.8)).score == 0


def test_engagement_counts_on_a_log_scale_with_a_cap() -> None:
    small, big, huge = (score_priority(_with(engagement=e)) for e in (3, 150, 1_000_000))
    assert small.score == 5
    assert small.reasons == ()
    assert big.score == 18
    assert big.reasons == ("high engagement",)
    assert huge.score == 20


def test_velocity_labels_rising_engagement() -> None:
    rising = score_priority(_with(velocity=40.0))
    assert rising.score == 15
    assert rising.reasons == ("engagement rising",)
    assert score_priority(_with(velocity=2.0)).reasons == ()


def test_thread_growth_labels_a_growing_thread() -> None:
    growing = score_priority(_with(thread_growth=12))
    assert growing.score == 11
    assert growing.reasons == ("thread growing",)
    assert score_priority(_with(thread_growth=3)).reasons == ()


def test_reach_counts_only_where_the_source_gives_it() -> None:
    wide = score_priority(_with(reach=5000))
    assert wide.score == 10
    assert wide.reasons == ("wide reach",)
    assert score_priority(_with(reach=None)).score == 0


def test_reasons_are_listed_strongest_first() -> None:
    both = score_priority(_with(needs_reply=True, sentiment=-0.9, engagement=500))
    assert both.reasons == ("needs reply", "very negative", "high engagement")
    assert both.score == 40 + 27 + 20


def test_a_complaint_outranks_popular_praise_and_praise_outranks_silence() -> None:
    complaint = score_priority(_with(needs_reply=True, sentiment=-0.6))
    popular = score_priority(_with(engagement=5000, velocity=100.0, thread_growth=40))
    silent = score_priority(QUIET)
    assert complaint.score > popular.score > silent.score


def test_triage_overrides_the_detector() -> None:
    assert decide_needs_reply("", "needs_reply") is True
    assert decide_needs_reply("question", "replied") is False
    assert decide_needs_reply("complaint", "ignored") is False
    assert decide_needs_reply("question", "new") is True
    assert decide_needs_reply("", "seen") is False


def test_a_sentiment_override_moves_the_score_to_its_side() -> None:
    assert shown_sentiment(0.2, "negative") == -0.5
    assert shown_sentiment(-0.9, "negative") == -0.9
    assert shown_sentiment(-0.9, "neutral") == 0.0
    assert shown_sentiment(-0.4, None) == -0.4


def test_velocity_is_the_rate_when_read_and_zero_for_old_history() -> None:
    assert compute_velocity(100, T0, T0 + timedelta(hours=4)) == 25.0
    assert compute_velocity(100, T0, T0 + timedelta(minutes=5)) == 100.0  # at least an hour
    assert compute_velocity(100, T0, T0 + timedelta(days=3)) == 0.0
    assert compute_velocity(100, None, T0) == 0.0


def test_thread_growth_counts_the_day_after_the_item_only() -> None:
    times = [T0 - timedelta(hours=1), T0, T0 + timedelta(hours=2), T0 + timedelta(hours=23),
             T0 + timedelta(hours=25)]
    assert compute_thread_growth(T0, times) == 2


def test_compute_signals_assembles_them_from_stored_fields() -> None:
    signals = compute_signals(
        reply_reason="question", triage_state="new",
        sentiments=[(0.4, None), (-0.3, None), (0.1, "negative")],
        counts={"score": 90, "comments": 30, "reblogs": 7, "bogus": "x"},
        published_at=T0, read_at=T0 + timedelta(hours=2),
        thread_times=[T0 + timedelta(hours=1)] * 11)
    assert signals == PrioritySignals(needs_reply=True, sentiment=-0.5, engagement=120,
                                      velocity=60.0, thread_growth=11, reach=7)
    assert score_priority(signals).reasons == (
        "needs reply", "high engagement", "very negative", "engagement rising",
        "thread growing")


def test_a_new_reading_replaces_the_figures_it_gives_and_keeps_the_others() -> None:
    stored = {"points": 12, "comments": 4}
    assert merge_engagement(stored, {"points": 30}) == {"points": 30, "comments": 4}
    assert merge_engagement(stored, {"points": 12}) is None
    assert merge_engagement(stored, {"comments": 2}) == {"points": 12, "comments": 2}
    assert merge_engagement({}, {"score": 5}) == {"score": 5}
