"""The mention's scope and the cue rules: what a community manager reads as for or against."""

from __future__ import annotations

import re

import pytest

from monitor.domain.sentiment import compute_mention_scope, score_mention
from monitor.domain.sentiment_context import (
    compute_irony,
    compute_own_words,
    is_complaint_question,
    is_criticised,
    names_someone_else,
)
from monitor.domain.spans import Span


def spans_of(term: str, text: str) -> list[Span]:
    return [Span("text", m.start(), m.end()) for m in re.finditer(re.escape(term), text)]


def label(term: str, text: str) -> str:
    return score_mention("", text, spans_of(term, text)).label


# --- scope --------------------------------------------------------------------------------


def test_the_next_sentences_carry_the_brand_through_pronouns() -> None:
    text = "We switched the office to Acme in May. They replaced a faulty unit the next day."
    assert label("Acme", text) == "positive"
    assert len(compute_mention_scope("", text, spans_of("Acme", text))) == 2


def test_carry_over_ends_where_another_brand_takes_over() -> None:
    text = "Acme answered within minutes. Globex kept us waiting for a week, awful."
    assert label("Acme", text) == "positive"
    assert label("Globex", text) == "negative"


def test_carry_over_ends_at_a_paragraph_break() -> None:
    assert label("Acme", "I phoned Acme on Monday.\n\nThe hotel breakfast was dreadful.") == (
        "neutral"
    )


def test_the_sentence_before_counts_at_half_weight() -> None:
    assert label("Acme", "Honestly impressed. Acme sent the spare part in a day.") == "positive"


def test_places_and_brand_suffixes_are_not_someone_else() -> None:
    text = "Flew Acme Air to Madrid. Friendly crew and great legroom."
    own = compute_own_words(text, spans_of("Acme", text))
    assert not names_someone_else(text, (0, 24), 0, own)
    assert label("Acme", text) == "positive"


def test_a_capitalised_first_word_names_someone_only_as_a_subject() -> None:
    own = frozenset({"acme"})
    assert names_someone_else("Globex fixed it.", (0, 16), 0, own)
    assert names_someone_else("Globex, by contrast, did not.", (0, 29), 0, own)
    assert not names_someone_else("Tracking hasn't moved.", (0, 22), 0, own)
    assert not names_someone_else("Shipping was slow.", (0, 18), 0, own)


def test_german_nouns_are_not_names() -> None:
    text = "Der Kundenservice ist eine Katastrophe und das Internet fällt aus."
    assert not names_someone_else(text, (0, len(text)), 0, frozenset({"acme"}), "de")
    assert names_someone_else("Globex hat nie geantwortet.", (0, 27), 0, frozenset(), "de")


# --- comparison ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Acme should really do better with refunds.",
        "Acme needs to hire people who read tickets.",
        "I wish Acme would answer its email.",
        "Acme could take notes from every other courier.",
        "Acme ought to be ashamed of that update.",
    ],
)
def test_what_the_brand_should_do_is_criticism(text: str) -> None:
    assert is_criticised(text, spans_of("Acme", text)[0])
    assert label("Acme", text) == "negative"


def test_recommending_the_brand_is_not_criticism() -> None:
    text = "You should try Acme, the grinder is great."
    assert not is_criticised(text, spans_of("Acme", text)[0])
    assert label("Acme", text) == "positive"


def test_the_other_hand_takes_the_opposite_side() -> None:
    text = "Globex refunded me the same afternoon, brilliant. Acme, on the other hand, did not."
    assert label("Globex", text) == "positive"
    assert label("Acme", text) == "negative"


def test_unlike_marks_the_foil() -> None:
    text = "Unlike Globex, Acme has been reliable for years."
    assert label("Acme", text) == "positive"
    assert label("Globex", text) == "negative"


# --- sarcasm, questions, litotes ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Oh wonderful, Acme moved the settings menu again.",
        "Acme's so-called express delivery took eleven days.",
        "Thanks Acme for the 'free' upgrade that wiped my presets.",
        "Love how Acme charges extra for a charger now 🙄",
        "Acme's support is amazing /s",
    ],
)
def test_sarcasm_turns_praise_into_a_complaint(text: str) -> None:
    assert label("Acme", text) == "negative"


def test_genuine_thanks_stay_praise() -> None:
    assert label("Acme", "Thanks Acme, the replacement arrived this morning and works great!") == (
        "positive"
    )
    assert not compute_irony("Thanks for the quick help!", has_complaint=False)
    assert compute_irony("Thanks for nothing.", has_complaint=True)


@pytest.mark.parametrize(
    "text",
    [
        "Why does Acme need my phone number to sell me a kettle?",
        "Is it just me or is Acme's app slower every week?",
        "Does Acme ever answer its phone at all?",
    ],
)
def test_complaint_questions_are_negative(text: str) -> None:
    assert is_complaint_question(text)
    assert label("Acme", text) == "negative"


def test_plain_questions_are_not_complaints() -> None:
    text = "Does Acme ship to Norway?"
    assert not is_complaint_question(text)
    assert label("Acme", text) == "neutral"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme's new blender is not half bad.", "positive"),
        ("Can't fault Acme on delivery.", "positive"),
        ("Acme did not disappoint, not one bit.", "positive"),
        ("Acme isn't the worst bank I've had, I suppose.", "negative"),
        ("Acme's billing is not without its problems.", "negative"),
    ],
)
def test_litotes_and_faint_praise(text: str, expected: str) -> None:
    assert label("Acme", text) == expected


def test_brands_leading_neighbouring_sentences_are_compared() -> None:
    text = "Globex replaced the router within a day, brilliant. Acme sent a form letter."
    assert label("Acme", text) == "negative"


def test_outlived_makes_the_object_the_foil() -> None:
    text = "My Acme toaster has outlived three Globex ones."
    assert label("Acme", text) == "positive"
    assert label("Globex", text) == "negative"


def test_technical_names_do_not_end_carry_over() -> None:
    text = "Acme's agent bundles an old PostgreSQL driver. It crashes every night."
    assert label("Acme", text) == "negative"


# --- informal cues, switching, turns between sentences ---------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        'acme\'s "unlimited" plan stops at 2 GB lol',
        "Acme's so helpful, 3 hours on hold 😡",
        "yeah right, acme cares about privacy",
        "thanks a lot acme, my order is lost again",
        "Wow, Acme billed me twice for one month. Amazing service, really.",
        'Acme, where "next-day delivery" means next week if you are lucky.',
    ],
)
def test_informal_sarcasm_is_a_complaint(text: str) -> None:
    assert label("acme" if text.startswith(("acme", "yeah", "thanks")) else "Acme", text) == (
        "negative"
    )


def test_a_capitalised_quoted_title_is_not_sarcasm() -> None:
    assert label("Acme", 'Acme\'s "Getting Started" guide is excellent.') == "positive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("acme 👍 would buy again", "positive"), ("acme update again 👎", "negative")],
)
def test_emoji_carry_their_valence(text: str, expected: str) -> None:
    assert label("acme", text) == expected


def test_leaving_a_brand_speaks_against_it_and_for_the_one_chosen() -> None:
    text = "Migrated from Globex to Acme last quarter. The storage bill halved."
    assert label("Globex", text) == "negative"
    assert label("Acme", text) == "positive"
    assert label("Globex", "We left Globex because builds queued for 20 minutes.") == "negative"


def test_a_turning_sentence_outweighs_the_praise_before_it() -> None:
    text = "Acme's thermostat looked great in the ads. In practice it can't hold a temperature."
    assert label("Acme", text) == "negative"


def test_a_brand_beside_one_told_to_take_notes_is_praised() -> None:
    text = "Acme's branch staff know your name. Globex could learn from that."
    assert label("Acme", text) == "positive"


def test_the_brand_name_itself_is_no_opinion() -> None:
    assert label("Best Buy", "Went to Best Buy for a cable.") == "neutral"
    assert label("Best Buy", "Best Buy lost my order. Again.") == "negative"
