"""The held-out labelled mentions are well-formed (format only; never their scores)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

HELDOUT = Path(__file__).resolve().parent.parent / "data" / "labelled_mentions_heldout.jsonl"
KEYS = {"text", "title", "brand", "brand_terms", "label", "split", "source", "pattern", "lang"}
LABELS = {"positive", "negative", "neutral"}
SOURCES = {"blog_comment", "reddit", "hacker_news", "forum", "blog_post"}
PATTERNS = {"plain", "neighbour", "carryover", "comparison", "sarcasm", "litotes", "question",
            "two_brands"}
LANGS = {"en", "es", "fr", "de", "pt"}


def _rows() -> list[dict[str, Any]]:
    lines = HELDOUT.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ROWS = _rows()


def test_the_set_holds_at_least_300_pairs_with_both_polarities() -> None:
    assert len(ROWS) >= 300
    labels = {row["label"] for row in ROWS}
    assert {"positive", "negative"} <= labels


@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row["brand"]))
def test_every_row_has_the_labelled_set_format(row: dict[str, Any]) -> None:
    assert set(row) == KEYS
    assert row["split"] == "heldout"
    assert row["label"] in LABELS
    assert row["source"] in SOURCES
    assert row["pattern"] in PATTERNS
    assert row["lang"] in LANGS
    assert isinstance(row["text"], str)
    assert row["text"].strip()
    assert isinstance(row["title"], str)


@pytest.mark.parametrize("row", ROWS, ids=lambda row: str(row["brand"]))
def test_every_brand_term_appears_in_the_text(row: dict[str, Any]) -> None:
    terms = row["brand_terms"]
    assert isinstance(terms, list)
    assert terms
    assert all(isinstance(term, str) and term in row["text"] for term in terms)


def test_each_text_brand_pair_is_labelled_once() -> None:
    pairs = [(row["text"], row["brand"]) for row in ROWS]
    assert len(pairs) == len(set(pairs))


def test_two_brand_items_name_two_brands_each_with_its_own_line() -> None:
    brands_per_text: dict[str, set[str]] = {}
    for row in ROWS:
        if row["pattern"] == "two_brands":
            brands_per_text.setdefault(row["text"], set()).add(row["brand"])
    assert brands_per_text
    assert all(len(brands) == 2 for brands in brands_per_text.values())


def test_every_pattern_language_and_source_kind_is_represented() -> None:
    assert {row["pattern"] for row in ROWS} == PATTERNS
    assert {row["lang"] for row in ROWS} == LANGS
    assert {row["source"] for row in ROWS} == SOURCES
