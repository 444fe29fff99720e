"""Topic tagging quality on the project's labelled mentions, pinned by floors.

The set (tests/data/labelled_topics.jsonl, 201 mentions of fictional brands) is split: the
``tune`` part shaped the built-in taxonomy, the ``frozen`` part (100 mentions) never did.
bench/topic_eval.py prints the full tables. Measured on the frozen part when the floors were
pinned: precision 0.98, recall 0.68 over all topics (the taxonomy before: 0.87 and 0.52).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.topic_eval import SPLITS, evaluate, load_items, match_input
from monitor.domain.topics import DEFAULT_TOPICS, TopicTagger

# Frozen-part floors per topic: (precision, recall), a little under what was measured.
FROZEN_FLOORS = {
    "pricing": (0.80, 0.70), "customer service": (0.95, 0.75),
    "shipping/delivery": (0.95, 0.95), "quality/defects": (0.95, 0.35),
    "billing": (0.95, 0.75), "app/website": (0.95, 0.65), "staff": (0.95, 0.60),
    "praise": (0.95, 0.35), "cancellation/churn": (0.95, 0.80), "legal/safety": (0.95, 0.85),
    "all topics": (0.95, 0.65),
}
TUNE_FLOOR = (0.95, 0.95)


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return load_items()


def test_labelled_set_is_well_formed(items: list[dict[str, Any]]) -> None:
    assert len(items) >= 150
    assert {item["split"] for item in items} == set(SPLITS)
    assert sum(item["split"] == "frozen" for item in items) >= 75
    for item in items:
        assert set(item) == {"split", "brand", "title", "text", "topics"}
        assert set(item["topics"]) <= set(DEFAULT_TOPICS), item["text"]
        assert item["brand"].lower() in item["text"].lower()
    for topic in DEFAULT_TOPICS:  # every topic has examples on both sides
        for split in SPLITS:
            assert sum(topic in i["topics"] for i in items if i["split"] == split) >= 5


def test_frozen_precision_and_recall_stay_above_their_floors(
    items: list[dict[str, Any]]
) -> None:
    scores = {s.topic: s for s in evaluate(items)["frozen"]}
    below = {topic: (round(scores[topic].precision, 3), round(scores[topic].recall, 3))
             for topic, (precision, recall) in FROZEN_FLOORS.items()
             if scores[topic].precision < precision or scores[topic].recall < recall}
    assert below == {}


def test_tune_part_stays_nearly_exact(items: list[dict[str, Any]]) -> None:
    overall = evaluate(items)["tune"][-1]
    assert (overall.precision, overall.recall) >= TUNE_FLOOR


def test_the_labelled_brand_is_what_the_tags_are_about(items: list[dict[str, Any]]) -> None:
    # The same sentence tagged for two brands can differ (switching from one to the other).
    tagger = TopicTagger()
    pairs = [i for i in items if i["text"].startswith("Thinking of switching to")]
    assert {i["brand"]: i["topics"] for i in pairs} == {
        "Vandelay Audio": [], "Globex": ["cancellation/churn"]}
    assert tagger.tag(match_input(pairs[0])) == ["cancellation/churn"]  # no mention: no direction
