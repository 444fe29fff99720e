"""Mention-level sentiment quality on the project's labelled brand mentions, pinned by floors.

The set (tests/data/labelled_mentions.jsonl) was written for the project with fictional brands.
Items marked ``"split": "tune"`` may be used to tune the rules; those marked ``"frozen"`` never
are, and only measure. Each item names its source kind, the pattern it exercises and its
language, and is scored in that language (as the pipeline scores a detected language).

Both splits have since been measured repeatedly and are now development data; quality is
reported on a separate held-out set. Agreement on clearly polar pairs (labelled positive or
negative), measured when the floors were pinned (bench/sentiment_eval.py prints the same
figures with their breakdowns):

* frozen: 0.916 on 250 polar pairs with the learned combiner (0.896 for the rules alone),
  against 0.408 for whole-document VADER (English 0.887 on 186, each of es, fr, de and pt
  1.000 on 16);
* tune: 0.886 on 665 polar pairs (0.823 for the rules alone), against 0.352. The combiner is
  fitted on this split, so its tune figure is in-sample; the split grew by 115 pairs written
  for the patterns the rules missed (implicit complaints, sentiment in the neighbouring
  sentence, comparisons without sentiment words, two brands across sentences, four
  languages), which is why it sits below its earlier 0.918.

The held-out set (tests/data/labelled_mentions_heldout.jsonl, 342 pairs) was written by someone
who never saw the rules, the development data or any score, and was measured once, after the
rules were final: 0.779 on 290 polar pairs against 0.438 for whole-document VADER (English
0.793 on 246; es 0.636, fr 0.636, de 0.818, pt 0.727 on 11 each). Its floor below pins that
figure so a change cannot quietly lose it; the set must never be used to choose rules.
With the learned combiner it gives 0.810 (rules alone 0.779).

A second held-out set (tests/data/labelled_mentions_heldout2.jsonl, 470 pairs, 349 clearly
polar, 94 invented brands, en/es/fr/de/pt plus a few it and nl) was written the same way,
after the combiner was fitted, and measured once: 0.564 with the combiner (0.524 for the rules
alone) against 0.375 for whole-document VADER. It is harder than the first: implicit
complaints, sarcasm, comparisons and news. Its floor pins that figure; never tune on it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from bench.sentiment_eval import load_mentions, match_brand_spans
from monitor.domain.sentiment import compute_label, score_mention

LABELLED = Path(__file__).resolve().parent.parent / "data" / "labelled_mentions.jsonl"
HELDOUT = Path(__file__).resolve().parent.parent / "data" / "labelled_mentions_heldout.jsonl"
HELDOUT_FLOOR = 0.76
HELDOUT2 = HELDOUT.with_name("labelled_mentions_heldout2.jsonl")
HELDOUT2_FLOOR = 0.55
FROZEN_FLOOR = 0.91
TUNE_FLOOR = 0.88
LANGUAGE_FLOOR = 0.85
SPLITS = {"tune", "frozen"}
SOURCES = {"blog_comment", "reddit", "hackernews", "forum", "blog_post"}
PATTERNS = {
    "neighbour", "carryover", "comparison", "sarcasm", "litotes", "question", "two_brands",
    "plain", "neutral",
}  # fmt: skip
LANGUAGES = {"en", "es", "fr", "de", "pt"}
FIELDS = {"text", "title", "brand", "brand_terms", "label", "split", "source", "pattern", "lang"}
POLAR = ("positive", "negative")


def load_items() -> list[dict[str, Any]]:
    return load_mentions(LABELLED)  # type: ignore[return-value]


def project_label(item: dict[str, Any]) -> str:
    spans = match_brand_spans(item["title"], item["text"], item["brand_terms"])
    return score_mention(item["title"], item["text"], spans, item["lang"]).label


def whole_document_vader_label(item: dict[str, Any], vader: SentimentIntensityAnalyzer) -> str:
    document = f"{item['title']}\n{item['text']}".strip()
    return compute_label(float(vader.polarity_scores(document)["compound"]))


def polar_accuracy(items: list[dict[str, Any]], labels: list[str]) -> float:
    pairs = [(i, p) for i, p in zip(items, labels, strict=True) if i["label"] in POLAR]
    return sum(i["label"] == p for i, p in pairs) / len(pairs)


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


def split(items: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return [item for item in items if item["split"] == name]


def test_labelled_set_is_well_formed(items: list[dict[str, Any]]) -> None:
    assert len(items) >= 600
    assert {item["label"] for item in items} == {"positive", "negative", "neutral"}
    assert {item["split"] for item in items} == SPLITS
    for item in items:
        assert set(item) == FIELDS
        assert item["source"] in SOURCES | {"unspecified"}
        assert match_brand_spans(item["title"], item["text"], item["brand_terms"]), item["brand"]
    by_text = Counter(item["text"] for item in items)
    for text in [text for text, count in by_text.items() if count > 1]:
        brands = {item["brand"] for item in items if item["text"] == text}
        labels = {item["label"] for item in items if item["text"] == text}
        assert len(brands) == by_text[text], text
        assert len(labels) >= 2, text


def test_frozen_split_covers_every_pattern_source_and_language(
    items: list[dict[str, Any]],
) -> None:
    frozen = split(items, "frozen")
    assert {item["pattern"] for item in frozen} == PATTERNS
    assert {item["source"] for item in frozen} == SOURCES
    assert {item["lang"] for item in frozen} == LANGUAGES
    assert not {item["text"] for item in frozen} & {item["text"] for item in split(items, "tune")}


@pytest.mark.parametrize(("name", "floor"), [("frozen", FROZEN_FLOOR), ("tune", TUNE_FLOOR)])
def test_polar_accuracy_holds_its_floor_and_beats_whole_document_vader(
    items: list[dict[str, Any]], name: str, floor: float
) -> None:
    chosen = split(items, name)
    vader = SentimentIntensityAnalyzer()
    ours = polar_accuracy(chosen, [project_label(item) for item in chosen])
    plain = polar_accuracy(chosen, [whole_document_vader_label(item, vader) for item in chosen])
    assert ours >= floor
    assert ours > plain


@pytest.mark.parametrize("language", ["es", "fr", "de", "pt"])
def test_each_lexicon_language_holds_its_floor_on_the_frozen_split(
    items: list[dict[str, Any]], language: str
) -> None:
    chosen = [item for item in split(items, "frozen") if item["lang"] == language]
    assert polar_accuracy(chosen, [project_label(item) for item in chosen]) >= LANGUAGE_FLOOR


@pytest.mark.parametrize(("path", "floor"), [(HELDOUT, HELDOUT_FLOOR),
                                           (HELDOUT2, HELDOUT2_FLOOR)])
def test_the_held_out_sets_hold_their_floors_and_beat_whole_document_vader(
        path: Path, floor: float) -> None:
    chosen: list[dict[str, Any]] = load_mentions(path)  # type: ignore[assignment]
    vader = SentimentIntensityAnalyzer()
    ours = polar_accuracy(chosen, [project_label(item) for item in chosen])
    plain = polar_accuracy(chosen, [whole_document_vader_label(item, vader) for item in chosen])
    assert ours >= floor
    assert ours > plain
