"""The features of one brand mention that the sentiment combiner weighs.

The rule layer (``sentiment``) reads a mention's scope and returns one VADER-style score. What
it saw on the way is kept as ``MentionEvidence``: the valences of the brand's own words and of
the rest of its scope, the brand's sentence and its neighbours, and the rule flags that fired.
``compute_mention_features`` turns that into a fixed-order vector of numbers; the order is
``FEATURE_NAMES``, which the committed coefficients are checked against.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from monitor.domain.sentiment_cues import compute_comparative_polarity, count_cues

# VADER's normalisation constant: a raw valence sum v reads as v / sqrt(v² + alpha).
_ALPHA = 15.0
# Cue counts beyond this add nothing: three complaint phrases are as clear as ten.
_MAX_CUES = 3

FEATURE_NAMES: tuple[str, ...] = (
    "rule_score",
    "own_valence",
    "scope_valence",
    "neighbour_valence",
    "other_neighbour_valence",
    "complaint_cues",
    "neighbour_complaint_cues",
    "praise_cues",
    "neighbour_praise_cues",
    "other_neighbour_complaint_cues",
    "other_neighbour_praise_cues",
    "comparative",
    "praised_complaint",
    "question",
    "comparison",
    "inverted",
    "shared_sentence",
    "negated",
    "lexicon_language",
)

# The features that carry a polarity; the rest are flags that only qualify it.
EVIDENCE_FEATURES: tuple[str, ...] = (
    "rule_score",
    "own_valence",
    "scope_valence",
    "neighbour_valence",
    "other_neighbour_valence",
    "complaint_cues",
    "neighbour_complaint_cues",
    "praise_cues",
    "neighbour_praise_cues",
    "other_neighbour_complaint_cues",
    "other_neighbour_praise_cues",
    "comparative",
)

_QUESTION = re.compile(r"\?")
_COMPARISON = re.compile(
    r"\b(?:than|unlike|compared (?:to|with)|versus|vs\.?|whereas|instead of|"
    r"twice|half as|as \w+ as|the (?:same|price) (?:as|of))\b",
    re.IGNORECASE,
)
_NEGATOR = re.compile(
    r"\b(?:not|no|never|nobody|nothing|none|neither|nor|cannot|no one)\b|n['’]t\b", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class MentionEvidence:
    """What the rule layer saw while scoring one mention.

    Valences are raw VADER sums (before normalisation); ``neighbour_valence`` is that of the
    sentences either side of the brand's sentence that name no one else, whether or not the
    rules let them count, and ``other_neighbour_valence`` that of those that do name someone
    else (what is said of a rival next door often says the opposite of the brand);
    ``neighbours`` and ``other_neighbours`` are the texts of each kind.
    """

    rule_score: float
    own_valence: float
    scope_valence: float
    neighbour_valence: float
    other_neighbour_valence: float
    sentence: str
    neighbours: str
    other_neighbours: str
    inverted: bool
    shared_sentence: bool
    lexicon_language: bool


def compute_mention_features(evidence: MentionEvidence) -> list[float]:
    """The feature vector of one mention, in ``FEATURE_NAMES`` order."""
    complaints, praise = _capped_cues(evidence.sentence)
    around_complaints, around_praise = _capped_cues(evidence.neighbours)
    rival_complaints, rival_praise = _capped_cues(evidence.other_neighbours)
    # "X is faster than Y": the comparison praises X and, inverted, criticises Y.
    comparative = compute_comparative_polarity(evidence.sentence)
    comparative *= -1.0 if evidence.inverted else 1.0
    sentence = evidence.sentence
    # Praise words around a complaint phrase are the usual shape of sarcasm.
    praised_complaint = max(evidence.rule_score, 0.0) * float(complaints + around_complaints > 0)
    return [
        evidence.rule_score,
        _normalise(evidence.own_valence),
        _normalise(evidence.scope_valence),
        _normalise(evidence.neighbour_valence),
        _normalise(evidence.other_neighbour_valence),
        float(complaints),
        float(around_complaints),
        float(praise),
        float(around_praise),
        float(rival_complaints),
        float(rival_praise),
        comparative,
        praised_complaint,
        float(_QUESTION.search(sentence) is not None),
        float(_COMPARISON.search(sentence) is not None),
        float(evidence.inverted),
        float(evidence.shared_sentence),
        float(_NEGATOR.search(sentence) is not None),
        float(evidence.lexicon_language),
    ]


def _capped_cues(text: str) -> tuple[int, int]:
    """Complaint and praise cues in ``text``, each counted up to ``_MAX_CUES``."""
    complaints, praise = count_cues(text)
    return min(complaints, _MAX_CUES), min(praise, _MAX_CUES)


def _normalise(valence: float) -> float:
    return valence / math.sqrt(valence * valence + _ALPHA)
