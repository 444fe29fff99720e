"""Rising and top terms."""

from __future__ import annotations

import math

from bench.terms_eval import frequency_terms, keyness_terms, load_example
from monitor.domain.terms import (
    BOILERPLATE,
    STOPWORDS,
    RisingTerm,
    TermCount,
    compute_brand_words,
    compute_rising_terms,
    compute_top_terms,
    score_keyness,
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
    assert rising == [RisingTerm("battery drains", 3, 0, round(score_keyness(3, 4, 0, 4), 4))]


def test_growth_is_measured_against_the_size_of_each_window() -> None:
    previous = ["refund"] * 10 + ["other"] * 90
    same_rate = ["refund"] * 2 + ["other"] * 18
    assert compute_rising_terms(same_rate, previous, min_count=1) == []
    higher_rate = ["refund"] * 10 + ["other"] * 10
    (term,) = compute_rising_terms(higher_rate, previous, min_count=1)
    assert term.term == "refund"
    assert term.current_count == 10
    assert term.previous_count == 10
    assert term.score == round(score_keyness(10, 20, 10, 100), 4)


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


def test_keyness_is_dunnings_log_likelihood_of_the_two_by_two_table() -> None:
    # 10 of 20 texts here, 10 of 100 before: G² = 2 Σ O ln(O / E) over the four cells.
    cells = [(10, 20 * 20 / 120), (10, 20 * 100 / 120), (10, 100 * 20 / 120),
             (90, 100 * 100 / 120)]
    expected = 2 * sum(o * math.log(o / e) for o, e in cells)
    assert math.isclose(score_keyness(10, 20, 10, 100), expected)
    assert score_keyness(2, 20, 10, 100) == 0.0  # the same rate: nothing stands out
    assert score_keyness(1, 20, 10, 100) == 0.0  # rarer here: not a key term
    assert score_keyness(4, 10, 0, 0) == 4.0  # no background: the count ranks


def test_a_frequent_word_that_is_frequent_everywhere_ranks_below_a_rarer_new_one() -> None:
    background = ["Acme kettle and toasters"] * 30 + ["kettle review"] * 10
    texts = ["kettle leaking badly"] * 6 + ["kettle"] * 14 + ["kettle and toasters"] * 20
    terms = [t.term for t in compute_top_terms(texts, background=background, min_count=2)]
    assert terms == ["kettle leaking", "leaking badly"]  # "kettle" is in every text, before too
    assert compute_top_terms(texts, min_count=2)[0] == TermCount("kettle", 40)


def test_boilerplate_and_every_word_of_the_brand_are_left_out() -> None:
    texts = ["Acme told reporters the battery recall is voluntary",
             "Acme Corp announced a battery recall on Monday",
             "According to ACME the battery recall covers 2 models"] * 2
    own = compute_brand_words("Acme", '"Acme Corp" OR acmecorp OR (ACME NOT "acme thread")')
    assert own == ("acme", "corp", "acmecorp")
    terms = [t.term for t in compute_top_terms(texts, exclude=own)]
    assert terms[0] == "battery recall"
    assert not {"acme", "told", "acme told", "announced", "according", "monday"} & set(terms)
    assert {"told", "announced", "according"} <= BOILERPLATE


def test_a_broken_query_still_gives_the_brand_name() -> None:
    assert compute_brand_words("Acme Corp", "(acme") == ("acme", "corp")


def test_the_recall_example_ranks_what_happened_not_how_it_was_reported() -> None:
    example = load_example()
    before = [term for term, _ in frequency_terms(example)[:5]]
    after = [term for term, _ in keyness_terms(example)[:5]]
    assert "told" in before  # plain frequency: news copy reaches an alert's five terms
    assert after[0] == "battery recall"
    assert {"overheating", "refund"} <= set(after)
    assert not {"told", "announced", "according", "acme", "corp"} & set(after)
