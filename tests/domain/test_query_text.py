"""The tokeniser shared by queries, topics and term counts."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.text import compute_folded, compute_word_spans, compute_words


def test_words_are_folded_to_lower_case_without_accents() -> None:
    assert compute_words("Nestlé ZÜRICH Ærø São Paulo İstanbul ΟΔΟΣ") == [
        "nestle", "zurich", "æro", "sao", "paulo", "istanbul", "οδοσ",
    ]  # fmt: skip


def test_apostrophes_and_hyphens_separate_words_and_possessives_vanish() -> None:
    assert compute_words("Delta's O’Brien’s d'Apple don't e-mail it's") == [
        "delta", "o", "brien", "d", "apple", "don", "t", "e", "mail", "it",
    ]  # fmt: skip


def test_a_standalone_s_is_still_a_word() -> None:
    assert compute_words("plan s and 's alone") == ["plan", "s", "and", "alone"]


def test_cjk_and_emoji_are_one_word_per_character() -> None:
    assert compute_words("東京タワー🍎🏻❤️ok") == ["東", "京", "タ", "ワ", "ー", "🍎", "❤", "ok"]


def test_combining_marks_stay_inside_words() -> None:
    assert compute_words("नमस्ते दुनिया") == ["नमस्ते", "दुनिया"]
    assert compute_words("مَرْحَبًا") == ["مَرْحَبًا"]


def test_links_keep_only_their_host() -> None:
    text = "go to https://Shop.Acme.com/deals/apple?utm=pie#top or www.acme.io/x now"
    assert compute_words(text) == [
        "go",
        "to",
        "shop",
        "acme",
        "com",
        "or",
        "www",
        "acme",
        "io",
        "now",
    ]


def test_numbers_are_words() -> None:
    assert compute_words("$4.99 for 2 items, 10:30") == ["4", "99", "for", "2", "items", "10", "30"]


@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    folded = compute_folded(text)
    assert len(folded) == len(text)
    spans = compute_word_spans(text)
    assert [folded[s:e] for s, e in spans] == compute_words(text)
    assert all(0 <= s < e <= len(text) for s, e in spans)
