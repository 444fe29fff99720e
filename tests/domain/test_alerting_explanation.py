"""Explanations and the statistics under the detectors."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.alerts import (
    Detection,
    Figures,
    MentionRow,
    compute_explanation,
    compute_explanation_from_record,
    compute_explanation_record,
)
from monitor.domain.alerts.stats import (
    compute_binomial_tail,
    compute_negative_binomial_tail,
    compute_robust_mean,
)

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def spike() -> Detection:
    figures = Figures(unit="mentions", observed=60, expected=4.5, window_start=NOW - timedelta(
        hours=1), window_end=NOW, baseline_method="hour_of_week", p_value=1e-12,
                      window_mentions=60)
    return Detection(kind="volume_spike", severity="critical", detected_at=NOW,
                     summary="60 mentions in the last hour; usually about 5 an hour; 33% negative",
                     figures=figures,
                     brand_id=1)


def row(i: int, *, label: str = "neutral", score: float = 0.0, text: str = "",
        thread: int | None = None, source: str = "Acme forum") -> MentionRow:
    return MentionRow(
        mention_id=i, url=f"https://forum.example/t/{i}", title=f"Post {i}",
        text=text or f"Acme battery swelling after update number {i}", source_name=source,
        published_at=NOW - timedelta(minutes=i), discovered_at=NOW - timedelta(minutes=i - 1),
        label=label, score=score, author=f"user{i}",
        thread_url=None if thread is None else f"https://forum.example/t/thread-{thread}",
        thread_title=None if thread is None else f"Thread {thread}", topics=("battery",))


def test_explanation_collects_split_terms_threads_sources_and_samples() -> None:
    rows = [row(i, label="negative" if i % 3 == 0 else "neutral", score=-i / 100,
                thread=i % 2, source="Acme forum" if i < 40 else "r/acme") for i in range(1, 61)]
    explanation = compute_explanation(spike(), rows, exclude_terms=["Acme"])
    assert explanation.summary == spike().summary
    assert explanation.figures == spike().figures
    assert (explanation.sentiment.negative, explanation.sentiment.neutral) == (20, 40)
    assert explanation.top_terms[0].term == "battery swelling"
    assert explanation.top_terms[0].count == 60
    assert all(t.term != "acme" for t in explanation.top_terms)
    assert explanation.top_topics[0].term == "battery"
    assert explanation.top_topics[0].count == 60
    assert [s.term for s in explanation.top_sources] == ["Acme forum", "r/acme"]
    assert [t.mentions for t in explanation.top_threads] == [30, 30]
    assert len(explanation.samples) == 5
    # Most negative first: the negatives with the lowest scores.
    assert [s.mention_id for s in explanation.samples] == [60, 57, 54, 51, 48]
    assert all(s.label == "negative" for s in explanation.samples)


def test_snippets_are_cut_on_a_word_boundary() -> None:
    long_text = "word " * 2000
    explanation = compute_explanation(spike(), [row(1, text=long_text)])
    snippet = explanation.samples[0].snippet
    assert len(snippet) <= 280
    assert snippet.endswith("word…")


def test_terms_skip_links_stop_words_and_count_once_per_mention() -> None:
    rows = [row(1, text="Refund refund refund https://spam.example/refund now!"),
            row(2, text="They're ignoring the refund request"), row(3, text="Ignoring me")]
    terms = {t.term: t.count for t in compute_explanation(spike(), rows).top_terms}
    assert terms["refund"] == 2
    assert terms["ignoring"] == 2
    assert "they're" not in terms
    assert "https" not in terms


def test_explanation_record_round_trips_through_json() -> None:
    rows = [row(i, label="negative", thread=1) for i in range(1, 8)]
    explanation = compute_explanation(spike(), rows, exclude_terms=["Acme"])
    record = json.loads(json.dumps(compute_explanation_record(explanation)))
    assert compute_explanation_from_record(record) == explanation


def test_empty_rows_give_an_empty_but_valid_explanation() -> None:
    explanation = compute_explanation(spike(), [])
    assert explanation.sentiment.total == 0
    assert explanation.samples == ()


def direct_poisson_tail(k: int, lam: float) -> float:
    """Sum of the upper terms, each computed on its own (no cancellation)."""
    return math.fsum(math.exp(-lam + j * math.log(lam) - math.lgamma(j + 1))
                     for j in range(k, k + 2000))


@pytest.mark.parametrize(("k", "lam"), [(0, 3.0), (1, 0.5), (3, 3.0), (10, 3.0), (2, 9.0),
                                        (25, 0.04), (40, 35.0)])
def test_well_supported_baselines_give_the_poisson_tail(k: int, lam: float) -> None:
    assert compute_negative_binomial_tail(k, lam, 1e7) == pytest.approx(
        direct_poisson_tail(k, lam), rel=1e-4, abs=1e-12)


@given(st.integers(0, 300), st.floats(0.01, 200.0))
def test_tails_are_probabilities_and_fall_with_the_count(k: int, lam: float) -> None:
    for weight in (1.0, 3.0, 300.0):
        at_k, after = (compute_negative_binomial_tail(n, lam, weight) for n in (k, k + 1))
        assert 0.0 <= after <= at_k <= 1.0


@given(st.floats(0.05, 50.0), st.integers(1, 60))
def test_thin_baselines_give_wider_upper_tails(lam: float, extra: int) -> None:
    k = math.ceil(2 * lam) + extra
    assert compute_negative_binomial_tail(k, lam, 2.0) >= direct_poisson_tail(k, lam)


def test_binomial_tail_matches_the_direct_sum() -> None:
    n, p = 30, 0.2
    direct = sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(18, n + 1))
    assert compute_binomial_tail(18, n, p) == pytest.approx(direct, rel=1e-9)
    assert compute_binomial_tail(0, n, p) == 1.0
    assert compute_binomial_tail(31, n, p) == 0.0


def test_robust_mean_ignores_a_past_spike_but_keeps_sparse_ones() -> None:
    assert compute_robust_mean([5.0] * 99 + [500.0]) < 5.3
    assert compute_robust_mean([0.0] * 90 + [1.0] * 10) == pytest.approx(0.1)
    assert compute_robust_mean([]) == 0.0
