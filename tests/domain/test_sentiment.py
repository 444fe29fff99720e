from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.domain.sentiment import (
    MAX_DOCUMENT_CHARS,
    MAX_DOCUMENT_UNITS,
    MAX_MENTION_UNITS,
    MAX_UNIT_CHARS,
    UNSCORED,
    SentimentScore,
    compute_clause_bounds,
    compute_document_units,
    compute_label,
    compute_mention_units,
    compute_sentence_bounds,
    score_document,
    score_mention,
    score_text,
)
from monitor.domain.sentiment_lexicon import LEXICON_ADDITIONS, compute_vader_input
from monitor.domain.spans import Span

PLAIN = SentimentIntensityAnalyzer()


def spans_of(brand: str, text: str, field: str = "text") -> list[Span]:
    pattern = rf"(?<!\w){re.escape(brand)}(?!\w)"
    return [
        Span(field, m.start(), m.end())  # type: ignore[arg-type]
        for m in re.finditer(pattern, text, re.IGNORECASE)
    ]


def mention(brand: str, text: str) -> SentimentScore:
    return score_mention("", text, spans_of(brand, text))


def plain_compound(text: str) -> float:
    return float(PLAIN.polarity_scores(text)["compound"])


# --- labels and the score type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0.05, "positive"),
        (0.0499, "neutral"),
        (0.0, "neutral"),
        (-0.0499, "neutral"),
        (-0.05, "negative"),
        (0.9, "positive"),
    ],
)
def test_labels_use_vader_thresholds(score: float, label: str) -> None:
    assert compute_label(score) == label


def test_score_is_frozen_and_bounded() -> None:
    result = score_text("The staff were lovely and the room was spotless!")
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 0.0  # type: ignore[misc]
    assert result.label == "positive"
    assert 0.0 < result.score <= 1.0
    assert 0.0 < result.confidence <= 1.0


@pytest.mark.parametrize(
    "sentence",
    [
        "The book was good.",
        "VADER is VERY SMART, handsome, and FUNNY!!!",
        "The plot was good, but the characters are uncompelling and the dialog is not great.",
        "At least it isn't a horrible book.",
    ],
)
def test_single_sentence_matches_vader(sentence: str) -> None:
    assert score_text(sentence).score == pytest.approx(plain_compound(sentence), abs=2e-3)


WORDS = st.sampled_from(
    [
        "Acme",
        "great",
        "awful",
        "not",
        "no issues",
        "but",
        "than",
        "!",
        "?",
        ".",
        ";",
        "\n",
        "never replied",
        "GREAT",
        "while",
        "refund denied",
        "the",
        "service",
        ":)",
        "🙂",
        " ",
    ]
)


@settings(max_examples=200, deadline=None)
@given(words=st.lists(WORDS, max_size=60), cut=st.integers(min_value=0, max_value=400))
def test_any_text_gets_a_consistent_score(words: list[str], cut: int) -> None:
    text = " ".join(words)
    spans = [Span("text", cut, cut + 4), *spans_of("Acme", text)]
    for result in (score_text(text), score_mention("Acme", text, spans)):
        assert -1.0 <= result.score <= 1.0
        assert 0.0 <= result.confidence <= 1.0
        if result.label != "unscored":
            assert result.label == compute_label(result.score)


def test_analyzer_is_built_once_per_process() -> None:
    from monitor.domain import sentiment

    score_text("warm up")
    assert sentiment._analyzer() is sentiment._analyzer()
    assert sentiment._analyzer.cache_info().currsize == 1


# --- mention targeting: clauses and contrasts ---------------------------------------------


def test_mention_is_scored_on_its_own_clause() -> None:
    text = "Starbucks was great; the place next door was terrible."
    assert mention("Starbucks", text).label == "positive"
    assert score_document("", text).score < mention("Starbucks", text).score


def test_two_brands_in_one_comment_get_their_own_sentiment() -> None:
    text = "Acme was great but Globex was a nightmare to deal with."
    assert mention("Acme", text).label == "positive"
    assert mention("Globex", text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Acme is excellent but Globex is awful.",
        "Acme is excellent, while Globex is awful.",
        "Acme is excellent, though Globex is awful.",
        "Acme is excellent; however, Globex is awful.",
        "Acme is excellent, whereas Globex is awful.",
        "Acme is excellent, although Globex is awful.",
        "Acme is excellent, yet Globex is awful.",
        "While Globex is awful, Acme is excellent.",
        "Although Globex is awful, Acme is excellent.",
    ],
)
def test_contrast_words_separate_the_brands(text: str) -> None:
    assert mention("Acme", text).label == "positive"
    assert mention("Globex", text).label == "negative"


@pytest.mark.parametrize(
    ("text", "clauses"),
    [
        ("I've used Acme for a while and love it.", 1),
        ("Acme is not only fast but also cheap.", 1),
        ("I have not yet heard from Acme.", 1),
        ("Nothing but praise for Acme.", 1),
        ("Acme is fast, but Globex is cheap.", 2),
    ],
)
def test_contrast_words_that_do_not_start_a_clause(text: str, clauses: int) -> None:
    assert len(compute_clause_bounds(text, (0, len(text)))) == clauses


def test_clause_bounds_leave_out_the_conjunction() -> None:
    text = "Acme was great, but Globex was slow."
    assert [text[a:b] for a, b in compute_clause_bounds(text, (0, len(text)))] == [
        "Acme was great",
        "Globex was slow.",
    ]


def test_point_of_comparison_gets_the_opposite_sentiment() -> None:
    text = "Globex is way better than Acme for gaming."
    assert mention("Globex", text).label == "positive"
    assert mention("Acme", text).label == "negative"
    assert mention("Acme", "Nobody does it better than Acme.").label == "positive"
    assert mention("Globex", "Unlike Globex, Acme is reliable and friendly.").label == "negative"


def test_neutral_mention_falls_back_to_the_next_sentence() -> None:
    text = "I called Acme yesterday. They kept me on hold for two hours."
    result = mention("Acme", text)
    assert result.label == "negative"
    direct = mention("Acme", "Acme kept me on hold for two hours.")
    assert result.confidence < direct.confidence


def test_fallback_stays_in_the_paragraph_and_away_from_other_names() -> None:
    assert mention("Acme", "I called Acme yesterday.\n\nThe hotel was a nightmare.").label == (
        "neutral"
    )
    assert mention("Acme", "I called Acme, but Globex was a nightmare.").label == "neutral"
    assert mention("Acme", "Acme is not the cheapest, but I have no complaints.").label == (
        "positive"
    )


def test_brand_named_only_in_the_title_takes_the_text() -> None:
    title = "My week with Acme"
    text = "Worst customer service I have ever had. Nobody answers the phone."
    result = score_mention(title, text, spans_of("Acme", title, "title"))
    assert result.label == "negative"


def test_mention_without_spans_is_the_document_score() -> None:
    text = "Lovely staff. Terrible food. Great view!"
    assert score_mention("", text, []) == score_document("", text)


def test_spans_outside_the_text_are_ignored() -> None:
    assert compute_mention_units("", "short", [Span("text", 50, 54)]) == []
    assert score_mention("", "Great stuff.", [Span("text", 50, 54)]).label == "positive"


def test_spans_in_blank_text_are_harmless() -> None:
    blank = "\n \n" * 5_000
    spans = [Span("text", i, i + 1) for i in range(0, len(blank) - 1, 3)]
    assert compute_mention_units("", blank, spans) == []
    assert score_mention("", blank, spans) == UNSCORED


# --- negations and domain lexicon ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "No issues with Acme so far.",
        "Zero complaints about Acme.",
        "Never had any issues with Acme.",
        "I couldn't be happier with Acme.",
        "Acme has never been better.",
        "Nothing but praise for Acme.",
        "Hassle-free setup with Acme.",
    ],
)
def test_negations_vader_gets_wrong_are_positive(text: str) -> None:
    assert plain_compound(text) < 0.05
    assert mention("Acme", text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "No problems with Acme.",
        "Acme is not bad at all.",
        "Never disappointed by Acme.",
        "I can't complain about Acme.",
    ],
)
def test_negations_vader_gets_right_stay_positive(text: str) -> None:
    assert mention("Acme", text).label == "positive"


@pytest.mark.parametrize(
    "text",
    [
        "Acme double-charged me for one order.",
        "What a rip-off Acme is.",
        "I was on hold with Acme for two hours.",
        "Acme never replied to my ticket.",
        "Still waiting for my Acme refund.",
        "Acme's order never arrived.",
        "Acme hung up on me.",
    ],
)
def test_customer_service_complaints_vader_misses_are_negative(text: str) -> None:
    assert plain_compound(text) > -0.05
    assert mention("Acme", text).label == "negative"


@pytest.mark.parametrize(
    "text",
    [
        "Acme charged me twice this month.",
        "Refund denied by Acme.",
        "Acme could not be worse.",
    ],
)
def test_customer_service_complaints_are_negative(text: str) -> None:
    assert mention("Acme", text).label == "negative"


@pytest.mark.parametrize(
    ("text", "token"),
    [
        ("double charged", "double_charged"),
        ("Double-Charged!", "double_charged!"),
        ("can’t complain", "cant_complain"),
        ("cant complain", "cant_complain"),
        ("on hold for 45 minutes", "on_hold_for_ages"),
        ("on hold for two hours", "on_hold_for_ages"),
        ("I can't recommend Stark Mobile enough", "I cant_recommend_enough"),
        ("rip off", "rip_off"),
    ],
)
def test_phrases_become_single_tokens(text: str, token: str) -> None:
    assert compute_vader_input(text) == token


def test_phrase_tokens_do_not_change_ordinary_words() -> None:
    assert LEXICON_ADDITIONS["late_by"] < 0
    assert "late" not in LEXICON_ADDITIONS
    assert compute_vader_input("the flight was 3 hours late") == "the flight was late_by"
    assert compute_vader_input("the late senator") == "the late senator"
    assert score_text("The late senator spoke on Tuesday.").label == "neutral"


def test_support_as_a_department_is_not_praise() -> None:
    assert plain_compound("Acme support replied on Monday.") > 0.05
    assert score_text("Acme support replied on Monday.").label == "neutral"
    assert score_text("Thanks for the support!").label == "positive"


# --- long texts ---------------------------------------------------------------------------

HOSTILE = " ".join(["the delivery was late and the support was useless but whatever"] * 350)


def test_hostile_comment_is_scored_within_the_caps() -> None:
    assert len(HOSTILE) > 22_000
    units = compute_document_units("", HOSTILE)
    assert sum(len(unit) for unit in units) <= MAX_DOCUMENT_CHARS
    assert all(len(unit) <= MAX_UNIT_CHARS for unit in units)
    assert score_document("", HOSTILE).label == "negative"


def test_text_without_spaces_or_stops_is_chunked() -> None:
    blob = "a" * 22_000
    bounds = compute_sentence_bounds(blob)
    assert all(end - start <= MAX_UNIT_CHARS for start, end in bounds)
    assert bounds[0][0] == 0
    assert bounds[-1][1] == len(blob)
    assert sum(len(unit) for unit in compute_document_units(blob, blob)) <= MAX_DOCUMENT_CHARS


def test_many_sentences_are_capped() -> None:
    text = "Great service. " * 2_000 + "!" * 5_000
    units = compute_document_units("Acme", text)
    assert len(units) <= MAX_DOCUMENT_UNITS


def test_mention_deep_in_a_hostile_comment_is_scored_on_its_own_chunk() -> None:
    text = HOSTILE + " Acme is brilliant. " + HOSTILE
    units = compute_mention_units("", text, spans_of("Acme", text))
    assert len(units) <= 2 * MAX_MENTION_UNITS
    assert all(len(unit.text) <= MAX_UNIT_CHARS for unit in units)
    assert mention("Acme", text).label == "positive"


def test_many_mentions_are_capped() -> None:
    text = "Acme again. " * 1_000
    assert len(compute_mention_units("", text, spans_of("Acme", text))) <= 2 * MAX_MENTION_UNITS


def test_long_mixed_post_does_not_saturate() -> None:
    post = " ".join(["The breakfast was great.", "The service was terrible."] * 25)
    assert abs(plain_compound(post)) > 0.95
    result = score_document("", post)
    assert abs(result.score) < 0.5
    shorter = " ".join(["The breakfast was great.", "The service was terrible."] * 10)
    assert score_document("", shorter).score == pytest.approx(result.score)
    assert result.confidence < score_document("", "The room is on the third floor.").confidence


def test_long_positive_post_stays_positive_below_saturation() -> None:
    post = " ".join(["The staff were wonderful and the food was excellent."] * 30)
    assert plain_compound(post) > 0.99
    result = score_document("", post)
    assert result.label == "positive"
    assert 0.5 < result.score < 0.99


def test_one_complaint_in_a_long_neutral_article_is_diluted() -> None:
    article = " ".join(["The plant opened in 1998 and employs 300 people."] * 20)
    result = score_document("", article + " The food in the canteen is terrible.")
    assert -0.5 < result.score < 0.0
    assert score_text("The food in the canteen is terrible.").score < result.score


# --- sentences ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith called Acme. It went well.", ["Mr. Smith called Acme.", "It went well."]),
        ("Prices rose 3.5 percent. Fine.", ["Prices rose 3.5 percent.", "Fine."]),
        ("It was e.g. fine. Then bad!", ["It was e.g. fine.", "Then bad!"]),
        ("great stuff\nterrible delivery", ["great stuff", "terrible delivery"]),
        ("What?! No way... Really.", ["What?!", "No way...", "Really."]),
        ("  ", []),
    ],
)
def test_sentence_bounds(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in compute_sentence_bounds(text)] == expected


# --- languages ----------------------------------------------------------------------------


def test_languages_without_a_lexicon_are_unscored() -> None:
    text = "Il servizio clienti di Acme è pessimo."
    assert score_document("", text, language="it") == UNSCORED
    assert score_mention("", text, spans_of("Acme", text), language="nl") == UNSCORED
    assert UNSCORED.label == "unscored"
    assert UNSCORED.confidence == 0.0


def test_english_and_undetected_languages_are_scored() -> None:
    assert score_document("", "Awful service.", language="en").label == "negative"
    assert score_document("", "Awful service.", language="EN").label == "negative"
    assert score_document("", "Awful service.", language=None).label == "negative"


def test_empty_document_is_unscored() -> None:
    assert score_document("", "   ") == UNSCORED
    assert score_text("") == UNSCORED
