"""Sentence splitting and mention snippets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.snippets import render_snippet, split_sentences
from monitor.domain.spans import Span


def sentences(text: str) -> list[str]:
    return [text[start:end] for start, end in split_sentences(text)]


class TestSplitSentences:
    def test_plain_sentences(self) -> None:
        assert sentences("One. Two!  Three?\tFour") == ["One.", "Two!", "Three?", "Four"]

    def test_abbreviations_do_not_end_sentences(self) -> None:
        text = "Mr. Smith met Dr. Jones, e.g. at noon, i.e. early. Acme Inc. announced it."
        assert sentences(text) == [
            "Mr. Smith met Dr. Jones, e.g. at noon, i.e. early.",
            "Acme Inc. announced it.",
        ]

    def test_an_abbreviation_before_a_capital_may_end_a_sentence(self) -> None:
        assert sentences("I work at Acme Inc. The pay is fine.") == [
            "I work at Acme Inc.",
            "The pay is fine.",
        ]
        assert sentences("Made in the U.S. The end.") == ["Made in the U.S.", "The end."]
        assert sentences("the U.S. economy grew") == ["the U.S. economy grew"]

    def test_initials_decimals_and_links_stay_whole(self) -> None:
        text = "J. R. R. Tolkien paid $4.99 at https://shop.acme.com/a.b?x=1.2 today. Next"
        assert sentences(text) == [
            "J. R. R. Tolkien paid $4.99 at https://shop.acme.com/a.b?x=1.2 today.",
            "Next",
        ]

    def test_a_link_can_end_a_sentence(self) -> None:
        assert sentences("See https://acme.com/x. Thanks") == ["See https://acme.com/x.", "Thanks"]

    def test_runs_of_marks_quotes_and_trailing_emoji_stay_with_their_sentence(self) -> None:
        text = 'Wow!!! 😍😍 Is it real?! He said "no." Then (quietly.) left'
        assert sentences(text) == [
            "Wow!!! 😍😍",
            "Is it real?!",
            'He said "no."',
            "Then (quietly.)",
            "left",
        ]

    def test_emoji_alone_end_a_sentence_before_a_capital(self) -> None:
        assert sentences("Love it 😍 Will buy again") == ["Love it 😍", "Will buy again"]
        assert sentences("I 😍 this phone") == ["I 😍 this phone"]

    def test_ellipsis(self) -> None:
        assert sentences("Wait... what? Hmm… Maybe") == ["Wait... what?", "Hmm…", "Maybe"]

    def test_line_breaks(self) -> None:
        text = (
            "Title line\nthis line was wrapped\nby the mail client\n\n"
            "new paragraph\n- bullet one\n- two"
        )
        assert sentences(text) == [
            "Title line\nthis line was wrapped\nby the mail client",
            "new paragraph",
            "- bullet one",
            "- two",
        ]

    def test_numbered_lists(self) -> None:
        assert sentences("Steps:\n1. Buy it\n2. Return it") == [
            "Steps:",
            "1. Buy it",
            "2. Return it",
        ]

    def test_lower_case_writing_still_splits_on_periods(self) -> None:
        assert sentences("great phone. terrible battery.") == ["great phone.", "terrible battery."]

    def test_empty_and_blank(self) -> None:
        assert split_sentences("") == []
        assert split_sentences(" \n\t ") == []

    @given(st.text())
    def test_sentences_are_ordered_trimmed_and_cover_every_visible_character(
        self, text: str
    ) -> None:
        bounds = split_sentences(text)
        covered: set[int] = set()
        previous_end = 0
        for start, end in bounds:
            assert previous_end <= start < end <= len(text)
            assert not text[start].isspace()
            assert not text[end - 1].isspace()
            covered.update(range(start, end))
            previous_end = end
        assert all(text[i].isspace() for i in range(len(text)) if i not in covered)


def span_of(text: str, word: str, field: str = "text") -> Span:
    start = text.index(word)
    return Span(field, start, start + len(word))  # type: ignore[arg-type]


class TestRenderSnippet:
    def test_the_sentence_with_the_match_not_the_first_characters(self) -> None:
        text = "Intro about the weather. Nothing else here. The Acme refund never came. Bye."
        snippet = render_snippet("T", text, [span_of(text, "Acme")], max_chars=40)
        assert snippet == "The Acme refund never came. Bye."

    def test_neighbouring_sentences_are_added_while_they_fit(self) -> None:
        text = "First one. Then Acme shipped late. After that nothing. End."
        assert render_snippet("", text, [span_of(text, "Acme")], max_chars=200) == text
        assert render_snippet("", text, [span_of(text, "Acme")], max_chars=50) == (
            "Then Acme shipped late. After that nothing. End."
        )

    def test_the_sentence_with_most_matches_wins(self) -> None:
        text = "Acme is fine. Acme support and Acme billing are bad. Done."
        spans = [Span("text", i, i + 4) for i in (0, 14, 31)]
        assert (
            render_snippet("", text, spans, max_chars=40)
            == "Acme support and Acme billing are bad."
        )

    def test_a_long_sentence_is_cut_on_word_boundaries_around_the_match(self) -> None:
        text = (
            " ".join(f"word{i}" for i in range(100))
            + " Acme "
            + " ".join(f"tail{i}" for i in range(100))
        )
        snippet = render_snippet("", text, [span_of(text, "Acme")], max_chars=80)
        assert len(snippet) <= 80
        assert snippet.startswith("…")
        assert snippet.endswith("…")
        assert "Acme" in snippet
        inner = snippet[1:-1].split(" ")
        assert all(w == "Acme" or w.startswith(("word", "tail")) for w in inner)
        assert all(w in text.split(" ") for w in inner)

    def test_a_long_sentence_starting_with_the_match_has_no_leading_ellipsis(self) -> None:
        text = "Acme " + "very " * 200 + "long."
        snippet = render_snippet("", text, [Span("text", 0, 4)], max_chars=60)
        assert snippet.startswith("Acme very")
        assert snippet.endswith("…")
        assert len(snippet) <= 60

    def test_title_only_match_gives_title_and_first_sentence(self) -> None:
        text = "First sentence here. Second one."
        assert render_snippet("Acme Review", text, [Span("title", 0, 4)]) == (
            "Acme Review — First sentence here."
        )
        assert render_snippet("Acme Review", "", [Span("title", 0, 4)]) == "Acme Review"
        assert render_snippet("", text, []) == "First sentence here."

    def test_title_snippets_are_trimmed_to_fit(self) -> None:
        title = "Acme " + "x" * 10
        text = "A very long opening sentence that goes on and on and on."
        snippet = render_snippet(title, text, [Span("title", 0, 4)], max_chars=40)
        assert len(snippet) <= 40
        assert snippet.startswith(title + " — ")
        assert snippet.endswith("…")
        long_title = "Acme " + "word " * 30
        assert len(render_snippet(long_title, text, [], max_chars=30)) <= 30

    def test_whitespace_is_collapsed(self) -> None:
        text = "Acme   is\tvery\n great!"
        assert render_snippet("", text, [Span("text", 0, 4)]) == "Acme is very great!"

    def test_small_limits_are_refused(self) -> None:
        with pytest.raises(ValueError, match="at least 20"):
            render_snippet("", "x", [], max_chars=5)

    @given(st.text(), st.integers(20, 400), st.data())
    def test_never_longer_than_the_limit(self, text: str, limit: int, data: st.DataObject) -> None:
        start = data.draw(st.integers(0, len(text)))
        end = data.draw(st.integers(start, len(text)))
        snippet = render_snippet("Some title", text, [Span("text", start, end)], max_chars=limit)
        assert len(snippet) <= limit
