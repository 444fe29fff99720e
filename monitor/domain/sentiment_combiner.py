"""A small learned combiner over the rule layer's evidence: which label a mention gets.

A multinomial logistic regression (positive / negative / neutral) over ``FEATURE_NAMES``,
fitted by ``bench/train_combiner.py`` on the tune split of the labelled mentions and committed
as ``data/sentiment_combiner.json``. At run time it is a handful of multiply-adds in plain
Python: no model is downloaded and no learning library is imported.

VADER stays the scorer of record: when the combiner agrees with the rule layer's label the
rule score is kept as it is; when it does not, the score is moved just inside the combiner's
label (see ``decide_mention_label``), so that ``compute_label(score)`` is always the label.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import mul
from pathlib import Path
from typing import Any

from monitor.domain.sentiment_features import EVIDENCE_FEATURES, FEATURE_NAMES

COEFFICIENTS_PATH = Path(__file__).resolve().parent / "data" / "sentiment_combiner.json"
CLASSES = ("positive", "negative", "neutral")


class CombinerDataError(ValueError):
    """The committed coefficients do not fit the features this code computes."""


@dataclass(frozen=True)
class Combiner:
    """Standardisation and weights of a fitted multinomial logistic regression."""

    classes: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[tuple[float, ...], ...]
    intercepts: tuple[float, ...]

    def probabilities(self, features: Sequence[float]) -> dict[str, float]:
        """The probability of each class for one feature vector (softmax of linear scores)."""
        if len(features) != len(self.means):
            raise CombinerDataError(
                f"expected {len(self.means)} features, got {len(features)}: refit the combiner"
            )
        weights, intercepts = self._folded
        logits = [
            b + sum(map(mul, row, features)) for row, b in zip(weights, intercepts, strict=True)
        ]
        top = max(logits)
        exps = [math.exp(logit - top) for logit in logits]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}

    @cached_property
    def _folded(self) -> tuple[tuple[tuple[float, ...], ...], tuple[float, ...]]:
        """Weights and intercepts with the standardisation folded in, (x - m) / s · w being
        x · (w / s) - m · w / s: one pass over the features per class at run time."""
        weights = tuple(
            tuple(w / s for w, s in zip(row, self.scales, strict=True)) for row in self.weights
        )
        intercepts = tuple(
            b - sum(m * w for m, w in zip(self.means, row, strict=True))
            for row, b in zip(weights, self.intercepts, strict=True)
        )
        return weights, intercepts


def parse_combiner(data: dict[str, Any]) -> Combiner:
    """Build a ``Combiner`` from its JSON form, checking it matches ``FEATURE_NAMES``."""
    names = tuple(data.get("features", ()))
    if names != FEATURE_NAMES:
        raise CombinerDataError(
            f"the combiner was fitted on features {names}, the code computes {FEATURE_NAMES}: "
            "run bench/train_combiner.py"
        )
    classes = tuple(str(name) for name in data["classes"])
    if sorted(classes) != sorted(CLASSES):
        raise CombinerDataError(f"the combiner's classes are {classes}, expected {CLASSES}")
    weights = tuple(tuple(float(w) for w in row) for row in data["weights"])
    if len(weights) != len(classes) or any(len(row) != len(names) for row in weights):
        raise CombinerDataError("the combiner's weights do not match its classes and features")
    scales = tuple(float(s) for s in data["scales"])
    if any(s <= 0 for s in scales):
        raise CombinerDataError("the combiner's feature scales must be positive")
    return Combiner(
        classes=classes,
        means=tuple(float(m) for m in data["means"]),
        scales=scales,
        weights=weights,
        intercepts=tuple(float(b) for b in data["intercepts"]),
    )


def load_combiner(path: Path = COEFFICIENTS_PATH) -> Combiner:
    """Read a combiner's coefficients from a JSON file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        message = f"cannot read the combiner's coefficients at {path}: {error}"
        raise CombinerDataError(message) from error
    return parse_combiner(data)


@lru_cache(maxsize=1)
def default_combiner() -> Combiner:
    """The committed combiner, read once per process."""
    return load_combiner()


# Scores given when the combiner overrules the rule layer sit this far inside the label's band.
_POLAR_FLOOR = 0.05
_NEUTRAL_CEILING = 0.0499


def decide_mention_label(
    rule_score: float, rule_label: str, features: Sequence[float], combiner: Combiner
) -> tuple[float, str, float | None]:
    """The (score, label, confidence) of a mention given the rule score and its features.

    ``confidence`` is ``None`` when the rule layer's own result stands: where the combiner
    agrees, and where there is no evidence at all (no polar word, no cue phrase), since a
    mention nobody said anything about is neutral whatever the combiner's prior.
    """
    if not has_polar_evidence(features):
        return rule_score, rule_label, None
    probabilities = combiner.probabilities(features)
    label = max(CLASSES, key=lambda name: probabilities[name])
    if label == rule_label:
        return rule_score, rule_label, None
    polarity = probabilities["positive"] - probabilities["negative"]
    if label == "positive":
        score = max(polarity, _POLAR_FLOOR)
    elif label == "negative":
        score = min(polarity, -_POLAR_FLOOR)
    else:
        score = max(-_NEUTRAL_CEILING, min(_NEUTRAL_CEILING, polarity))
    # 1/3 is a coin toss among three classes, 1 a certainty.
    confidence = (probabilities[label] - 1 / 3) * 1.5
    return round(score, 4), label, round(max(0.0, min(1.0, confidence)), 4)


def has_polar_evidence(features: Sequence[float]) -> bool:
    """Whether any valence or cue phrase was found (the flags alone say nothing polar)."""
    return any(features[index] != 0.0 for index in _EVIDENCE)


_EVIDENCE = tuple(FEATURE_NAMES.index(name) for name in EVIDENCE_FEATURES)
