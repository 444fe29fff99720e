"""Rising and top terms."""

from __future__ import annotations

import math

from monitor.domain.terms import (
    STOPWORDS,
    RisingTerm,
    TermCount,
    compute_rising_terms,
    compute_top_terms,
)


def test_new_terms_rise_and_steady_ones_do_not() -> None:
    previous = ["Acme screen is great", "Acme screen is nice", "the screen of Acme", "Acme ok"]
    current = [
        "Acme battery drains fast",
        "battery drains overnight on my Acme",
        "Screen fine but the battery drains",
        "acme screen",
    ]
    rising = compute_rising_terms(current, previous, min_count=2, exclude=["Acme"])
    assert rising == [RisingTerm("battery drains", 3, 0, 3.0)]


def test_growth_is_measured_against_the_size_of_each_window() -> None:
    previous = ["refund"] * 10 + ["other"] * 90
    same_rate = ["refund"] * 2 + ["other"] * 18
    assert compute_rising_terms(same_rate, previous, min_count=1) == []
    higher_rate = ["refund"] * 10 + ["other"] * 10
    (term,) = compute_rising_terms(higher_rate, previous, min_count=1)
    assert term.term == "refund"
    assert term.current_count == 10
    assert term.previous_count == 10
    assert term.score == round((10 - 2) / math.sqrt(2 + 1), 4)


def test_terms_are_counted_once_per_text() -> None:
    rising = compute_rising_terms(["spam spam spam spam"], [], min_count=2)
    assert rising == []
    assert compute_rising_terms(["spam"] * 3, [], min_count=3) == [RisingTerm("spam", 3, 0, 3.0)]


def test_stopwords_numbers_short_words_and_brand_words_are_left_out() -> None:
    texts = ["The 2024 Acme-Corp x of it is what it is", "The 2024 Acme Corp x of it is"] * 3
    assert compute_rising_terms(texts, [], min_count=1, exclude=["Acme Corp"]) == []
    assert {"the", "it", "is", "don", "https", "com"} <= STOPWORDS


def test_bigrams_do_not_cross_punctuation_or_skipped_words() -> None:
    texts = ["Great camera. Battery weak", "great camera; battery-weak", "camera of battery"]
    terms = {t.term for t in compute_top_terms(texts, min_count=1, top=50)}
    assert "great camera" in terms
    assert "battery weak" in terms
    assert "camera battery" not in terms


def test_top_terms_by_number_of_texts() -> None:
    texts = ["fast shipping", "fast shipping again", "slow app", "app crashed", "app crashed again"]
    assert compute_top_terms(texts, min_count=2) == [
        TermCount("app", 3),
        TermCount("app crashed", 2),
        TermCount("fast shipping", 2),
    ]


def test_top_limits_and_order_is_stable() -> None:
    current = [f"word{i} word{i}x" for i in range(20)] * 3
    rising = compute_rising_terms(current, [], top=5)
    assert len(rising) == 5
    assert rising == sorted(rising, key=lambda r: (-r.score, -r.current_count, r.term))
