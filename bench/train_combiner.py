"""Fit the mention-sentiment combiner and write its coefficients as data.

A multinomial logistic regression (positive / negative / neutral) over the rule layer's
evidence (``monitor.domain.sentiment_features``), fitted on the ``tune`` split of
tests/data/labelled_mentions.jsonl. The regularisation strength is chosen by stratified
cross-validation on tune alone (agreement on the clearly polar pairs, then 3-class accuracy);
the ``frozen`` split is only measured, rules alone against rules plus combiner, so that the
committed combiner can be kept only when it helps there. Needs the ``dev`` extra
(scikit-learn); the run time reads the JSON and needs neither.

    .venv/bin/python bench/train_combiner.py [--mentions PATH] [--output PATH] [--check]

``--check`` fits again and fails if the result differs from the committed file.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sentiment_eval import load_mentions, match_brand_spans
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from monitor.domain.sentiment import compute_mention_evidence, score_mention_rules
from monitor.domain.sentiment_combiner import (
    CLASSES,
    COEFFICIENTS_PATH,
    decide_mention_label,
    parse_combiner,
)
from monitor.domain.sentiment_features import FEATURE_NAMES, compute_mention_features

REPO = Path(__file__).resolve().parent.parent
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
FOLDS = 5
SEED = 20261205
POLAR = ("positive", "negative")


def _spans(item: dict[str, Any]) -> list[Any]:
    return match_brand_spans(item["title"], item["text"], item["brand_terms"])


def compute_rows(items: Sequence[dict[str, Any]]) -> tuple[list[list[float] | None], list[str]]:
    """Each item's feature vector (None when the rules had no scope) and rule label."""
    rows: list[list[float] | None] = []
    rule_labels: list[str] = []
    for item in items:
        spans = _spans(item)
        evidence = compute_mention_evidence(item["title"], item["text"], spans, item["lang"])
        rows.append(None if evidence is None else compute_mention_features(evidence))
        rule = score_mention_rules(item["title"], item["text"], spans, item["lang"])
        rule_labels.append(rule.label)
    return rows, rule_labels


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    means = x.mean(axis=0)
    scales = x.std(axis=0)
    scales[scales == 0] = 1.0
    return means, scales


def fit(x: np.ndarray, y: Sequence[str], c: float) -> dict[str, Any]:
    """Fit one model; return it in the committed JSON form."""
    means, scales = _standardise(x)
    model = LogisticRegression(C=c, max_iter=5000)
    model.fit((x - means) / scales, list(y))
    order = [list(model.classes_).index(name) for name in CLASSES]
    return {
        "features": list(FEATURE_NAMES),
        "classes": list(CLASSES),
        "means": [round(float(v), 6) for v in means],
        "scales": [round(float(v), 6) for v in scales],
        "weights": [[round(float(w), 6) for w in model.coef_[k]] for k in order],
        "intercepts": [round(float(model.intercept_[k]), 6) for k in order],
    }


def predict(
    data: dict[str, Any], rows: Sequence[list[float] | None], rule_labels: Sequence[str]
) -> list[str]:
    """Labels as ``score_mention`` gives them: the rule label where there is no evidence."""
    combiner = parse_combiner(data)
    labels: list[str] = []
    for row, rule in zip(rows, rule_labels, strict=True):
        if row is None:
            labels.append(rule)
            continue
        _, label, _ = decide_mention_label(0.0, rule, row, combiner)
        labels.append(label)
    return labels


def compute_agreement(gold: Sequence[str], labels: Sequence[str]) -> tuple[float, float]:
    """(agreement on the clearly polar pairs, 3-class accuracy)."""
    polar = [(g, p) for g, p in zip(gold, labels, strict=True) if g in POLAR]
    polar_hits = sum(g == p for g, p in polar) / len(polar)
    return polar_hits, sum(g == p for g, p in zip(gold, labels, strict=True)) / len(gold)


def cross_validate(
    rows: Sequence[list[float] | None], rule_labels: Sequence[str], gold: Sequence[str], c: float
) -> tuple[float, float]:
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=SEED)
    predicted = list(rule_labels)
    index = np.arange(len(gold))
    for train, test in folds.split(index, list(gold)):
        usable = [k for k in train if rows[k] is not None]
        x = np.array([rows[k] for k in usable], dtype=float)
        data = fit(x, [gold[k] for k in usable], c)
        labels = predict(data, [rows[k] for k in test], [rule_labels[k] for k in test])
        for k, label in zip(test, labels, strict=True):
            predicted[k] = label
    return compute_agreement(gold, predicted)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--mentions", type=Path, default=REPO / "tests" / "data" / "labelled_mentions.jsonl"
    )
    parser.add_argument("--output", type=Path, default=COEFFICIENTS_PATH)
    parser.add_argument("--check", action="store_true", help="fail if the output would change")
    args = parser.parse_args(argv)
    items: list[dict[str, Any]] = load_mentions(args.mentions)
    tune = [item for item in items if item["split"] == "tune"]
    frozen = [item for item in items if item["split"] == "frozen"]
    tune_rows, tune_rules = compute_rows(tune)
    tune_gold = [str(item["label"]) for item in tune]
    print(f"tune: {len(tune)} pairs, {sum(r is not None for r in tune_rows)} with evidence")
    print(f"rules alone on tune: polar {compute_agreement(tune_gold, tune_rules)[0]:.3f}")
    print(f"{FOLDS}-fold cross-validation on tune (polar agreement, 3-class accuracy):")
    results = {}
    for c in C_GRID:
        results[c] = cross_validate(tune_rows, tune_rules, tune_gold, c)
        print(f"  C={c:<6} polar {results[c][0]:.3f}  3-class {results[c][1]:.3f}")
    best = max(C_GRID, key=lambda c: (results[c], -c))
    usable = [k for k, row in enumerate(tune_rows) if row is not None]
    x = np.array([tune_rows[k] for k in usable], dtype=float)
    data = fit(x, [tune_gold[k] for k in usable], best)
    data["trained_on"] = {
        "split": "tune",
        "pairs": len(usable),
        "c": best,
        "cv_polar": round(results[best][0], 4),
        "cv_3class": round(results[best][1], 4),
        "scikit_learn": sklearn.__version__,
    }
    frozen_rows, frozen_rules = compute_rows(frozen)
    frozen_gold = [str(item["label"]) for item in frozen]
    before = compute_agreement(frozen_gold, frozen_rules)
    after = compute_agreement(frozen_gold, predict(data, frozen_rows, frozen_rules))
    print(f"chosen C={best}")
    print(f"frozen: rules polar {before[0]:.3f} 3-class {before[1]:.3f}")
    print(f"frozen: rules + combiner polar {after[0]:.3f} 3-class {after[1]:.3f}")
    text = json.dumps(data, indent=1) + "\n"
    summary = {"c": best, "cv": results[best], "frozen_before": before, "frozen_after": after}
    if args.check:
        same = args.output.exists() and args.output.read_text(encoding="utf-8") == text
        print(json.dumps({**summary, "unchanged": same}))
        return 0 if same else 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
