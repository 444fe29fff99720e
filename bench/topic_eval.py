"""Topic tagging quality: precision and recall per topic on the project's labelled mentions.

The set (tests/data/labelled_topics.jsonl) was written for the project with fictional brands:
one mention per line, with the topics a reader would file it under. Items of the ``tune``
split were used to shape the built-in taxonomy; the ``frozen`` split was written at the same
time and never tuned on, so its figures are the ones to quote.

Labelling guide: *pricing* is price level, value, discounts and price changes; *billing* is
being charged, invoiced, paid back; *customer service* is asking the company for help (tickets,
calls, chat, replies, waiting); *shipping/delivery* is getting the order to the door; *staff*
are employees met in person (shop, crew, drivers, technicians); *quality/defects* is how well
the product is made and holds up; *app/website* is the company's software and online service;
*praise* is the author praising the brand; *cancellation/churn* is the author leaving or
cancelling (switching *to* a brand is not churn for it); *legal/safety* is lawsuits, recalls,
hazards, privacy and regulators.

    .venv/bin/python bench/topic_eval.py [--labelled PATH]

Prints a table per split and a final JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.domain.query import MatchInput, QuerySet
from monitor.domain.spans import Span
from monitor.domain.topics import TopicTagger

REPO = Path(__file__).resolve().parent.parent
LABELLED = REPO / "tests" / "data" / "labelled_topics.jsonl"
SPLITS = ("tune", "frozen")


@dataclass(frozen=True, slots=True)
class TopicScore:
    """Counts for one topic over a set of mentions."""

    topic: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        tagged = self.true_positives + self.false_positives
        return self.true_positives / tagged if tagged else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives


def load_items(path: Path = LABELLED) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def match_input(item: dict[str, Any]) -> MatchInput:
    return MatchInput(title=item["title"], text=item["text"], author=None, url="",
                      language="en", source_kind=None, kind="comment")


def brand_spans(item: dict[str, Any]) -> list[Span]:
    """Where the brand is named, found by its query as the pipeline finds it."""
    found = QuerySet({0: f'"{item["brand"]}"'}).match(match_input(item))
    return sorted(found.get(0, []))


def predict(tagger: TopicTagger, item: dict[str, Any]) -> set[str]:
    return set(tagger.tag(match_input(item), brand_spans(item)))


def compute_scores(items: Sequence[dict[str, Any]], predictions: Sequence[set[str]],
                   topics: Sequence[str]) -> list[TopicScore]:
    scores = []
    for topic in topics:
        pairs = [(topic in item["topics"], topic in predicted)
                 for item, predicted in zip(items, predictions, strict=True)]
        scores.append(TopicScore(topic, sum(g and p for g, p in pairs),
                                 sum(p and not g for g, p in pairs),
                                 sum(g and not p for g, p in pairs)))
    return scores


def compute_micro(scores: Sequence[TopicScore]) -> TopicScore:
    return TopicScore("all topics", sum(s.true_positives for s in scores),
                      sum(s.false_positives for s in scores),
                      sum(s.false_negatives for s in scores))


def evaluate(items: Sequence[dict[str, Any]], tagger: TopicTagger | None = None
             ) -> dict[str, list[TopicScore]]:
    """Scores per split, each list ending with the micro-average over topics."""
    tagger = tagger or TopicTagger()
    results = {}
    for split in SPLITS:
        part = [item for item in items if item["split"] == split]
        scores = compute_scores(part, [predict(tagger, item) for item in part], tagger.names)
        results[split] = [*scores, compute_micro(scores)]
    return results


def render_table(split: str, size: int, scores: Sequence[TopicScore]) -> str:
    lines = [f"\n{split} split ({size} mentions)",
             f"{'topic':<22}{'precision':>10}{'recall':>8}{'support':>9}"]
    lines += [f"{s.topic:<22}{s.precision:>10.2f}{s.recall:>8.2f}{s.support:>9}"
              for s in scores]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--labelled", type=Path, default=LABELLED)
    args = parser.parse_args(argv)
    items = load_items(args.labelled)
    results = evaluate(items)
    for split, scores in results.items():
        print(render_table(split, sum(i["split"] == split for i in items), scores))
    print(json.dumps({split: {s.topic: {"precision": round(s.precision, 3),
                                        "recall": round(s.recall, 3), "support": s.support}
                              for s in scores} for split, scores in results.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
