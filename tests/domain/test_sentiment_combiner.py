"""The learned combiner over the rule layer: its coefficients, its features, its decisions."""

from __future__ import annotations

import json
import math
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from monitor.domain.sentiment import (
    compute_label,
    compute_mention_evidence,
    score_mention,
    score_mention_rules,
)
from monitor.domain.sentiment_combiner import (
    CLASSES,
    COEFFICIENTS_PATH,
    Combiner,
    CombinerDataError,
    decide_mention_label,
    default_combiner,
    load_combiner,
    parse_combiner,
)
from monitor.domain.sentiment_cues import compute_comparative_polarity, count_cues
from monitor.domain.sentiment_features import (
    FEATURE_NAMES,
    MentionEvidence,
    compute_mention_features,
)
from monitor.domain.spans import Span

BENCH = Path(__file__).resolve().parents[2] / "bench"


def spans_of(term: str, text: str) -> list[Span]:
    start = text.index(term)
    return [Span("text", start, start + len(term))]


def committed() -> dict[str, object]:
    data: dict[str, object] = json.loads(COEFFICIENTS_PATH.read_text(encoding="utf-8"))
    return data


def constant_combiner(favourite: str) -> Combiner:
    """A combiner whose only opinion is its intercept: it always picks ``favourite``."""
    n = len(FEATURE_NAMES)
    return Combiner(
        classes=CLASSES,
        means=(0.0,) * n,
        scales=(1.0,) * n,
        weights=tuple((0.0,) * n for _ in CLASSES),
        intercepts=tuple(3.0 if name == favourite else 0.0 for name in CLASSES),
    )


EVIDENCE = MentionEvidence(
    rule_score=0.0,
    own_valence=0.0,
    scope_valence=0.0,
    neighbour_valence=0.0,
    other_neighbour_valence=0.0,
    sentence="Skylark loads a page faster than Tessellate.",
    neighbours="",
    other_neighbours="",
    inverted=False,
    shared_sentence=True,
    lexicon_language=False,
)


# --- coefficients ---------------------------------------------------------------------------


def test_the_committed_coefficients_load_and_fit_the_features() -> None:
    combiner = default_combiner()
    assert set(combiner.classes) == set(CLASSES)
    assert len(combiner.means) == len(combiner.scales) == len(FEATURE_NAMES)
    assert all(len(row) == len(FEATURE_NAMES) for row in combiner.weights)
    assert committed()["trained_on"]["split"] == "tune"  # type: ignore[index]


def test_coefficients_fitted_on_other_features_are_refused() -> None:
    data = committed()
    data["features"] = [*FEATURE_NAMES[:-1], "something_else"]
    with pytest.raises(CombinerDataError, match="train_combiner"):
        parse_combiner(data)


def test_weights_of_the_wrong_shape_are_refused() -> None:
    data = committed()
    data["weights"] = data["weights"][:2]  # type: ignore[index]
    with pytest.raises(CombinerDataError, match="weights"):
        parse_combiner(data)


def test_a_missing_coefficients_file_names_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "absent.json"
    with pytest.raises(CombinerDataError, match=r"absent\.json"):
        load_combiner(missing)


def test_a_feature_vector_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(CombinerDataError, match="features"):
        default_combiner().probabilities([0.0])


def test_probabilities_are_the_softmax_of_the_linear_scores() -> None:
    n = len(FEATURE_NAMES)
    combiner = Combiner(
        classes=CLASSES,
        means=(1.0,) + (0.0,) * (n - 1),
        scales=(2.0,) + (1.0,) * (n - 1),
        weights=((1.0,) + (0.0,) * (n - 1), (-1.0,) + (0.0,) * (n - 1), (0.0,) * n),
        intercepts=(0.0, 0.0, 0.5),
    )
    probabilities = combiner.probabilities([3.0] + [0.0] * (n - 1))
    # (3 - 1) / 2 = 1: logits 1, -1, 0.5.
    total = math.exp(1) + math.exp(-1) + math.exp(0.5)
    assert probabilities["positive"] == pytest.approx(math.exp(1) / total)
    assert probabilities["negative"] == pytest.approx(math.exp(-1) / total)
    assert probabilities["neutral"] == pytest.approx(math.exp(0.5) / total)


# --- decisions ------------------------------------------------------------------------------


def test_without_any_evidence_the_rule_result_stands() -> None:
    features = [0.0] * len(FEATURE_NAMES)
    assert decide_mention_label(0.0, "neutral", features, constant_combiner("negative")) == (
        0.0,
        "neutral",
        None,
    )


def test_an_agreeing_combiner_keeps_the_rule_score() -> None:
    features = compute_mention_features(replace(EVIDENCE, rule_score=0.6))
    result = decide_mention_label(0.6, "positive", features, constant_combiner("positive"))
    assert result == (0.6, "positive", None)


@pytest.mark.parametrize("label", ["positive", "negative", "neutral"])
def test_an_overruling_combiner_puts_the_score_inside_its_label(label: str) -> None:
    rule_label = "negative" if label != "negative" else "positive"
    rule_score = -0.4 if rule_label == "negative" else 0.4
    features = compute_mention_features(replace(EVIDENCE, rule_score=rule_score))
    score, decided, confidence = decide_mention_label(
        rule_score, rule_label, features, constant_combiner(label)
    )
    assert decided == label
    assert compute_label(score) == label
    assert confidence is not None
    assert 0.0 < confidence <= 1.0


# --- features -------------------------------------------------------------------------------


def test_complaints_without_sentiment_words_are_counted() -> None:
    assert count_cues("It tripped the breaker on day one.") == (1, 0)
    assert count_cues("Three weeks later the dashboard still shows the free tier.")[0] >= 1
    assert count_cues("Sigo esperando el reembolso.") == (1, 0)
    assert count_cues("We had lunch by the river.") == (0, 0)


def test_a_negated_complaint_counts_as_praise() -> None:
    assert count_cues("Silent, never leaks, and the light is dim.") == (0, 1)


def test_praise_without_sentiment_words_is_counted() -> None:
    assert count_cues("Set it up himself in twenty minutes.")[1] >= 1
    assert count_cues("Not one lost message since.")[1] >= 1


def test_comparatives_say_which_way_the_comparison_goes() -> None:
    assert compute_comparative_polarity("Skylark loads faster than Tessellate.") == 1.0
    assert compute_comparative_polarity("Skylark is slower and more expensive.") == -2.0
    assert compute_comparative_polarity("Skylark loads pages.") == 0.0


def test_the_point_of_comparison_gets_the_comparison_turned() -> None:
    compared = compute_mention_features(EVIDENCE)
    foil = compute_mention_features(replace(EVIDENCE, inverted=True))
    index = FEATURE_NAMES.index("comparative")
    assert compared[index] == 1.0
    assert foil[index] == -1.0


def test_features_follow_the_committed_order() -> None:
    features = compute_mention_features(EVIDENCE)
    assert len(features) == len(FEATURE_NAMES)
    assert features[FEATURE_NAMES.index("shared_sentence")] == 1.0
    assert features[FEATURE_NAMES.index("question")] == 0.0


def test_evidence_keeps_a_rival_sentence_apart_from_the_brand_own_neighbours() -> None:
    text = (
        "Brambleworks took six weeks to deliver a bookshelf. "
        "Orchard Lane had the same one at my door on Tuesday."
    )
    evidence = compute_mention_evidence("", text, spans_of("Brambleworks", text), "en")
    assert evidence is not None
    assert evidence.sentence.startswith("Brambleworks")
    assert "Orchard Lane" in evidence.other_neighbours
    assert evidence.neighbours == ""


def test_evidence_reads_the_neighbouring_sentences_within_the_paragraph() -> None:
    text = "I called Acme yesterday.\n\nThe hotel was a nightmare."
    evidence = compute_mention_evidence("", text, spans_of("Acme", text), "en")
    assert evidence is not None
    assert evidence.neighbours == evidence.other_neighbours == ""


def test_no_evidence_for_an_unscored_language() -> None:
    text = "Acme ha consegnato in ritardo."
    assert compute_mention_evidence("", text, spans_of("Acme", text), "it") is None


# --- the combined scorer --------------------------------------------------------------------


def test_scoring_is_deterministic() -> None:
    text = "Bought a Zephyr heater for the garage. It tripped the breaker on day one."
    spans = spans_of("Zephyr", text)
    assert score_mention("", text, spans, "en") == score_mention("", text, spans, "en")
    assert parse_combiner(committed()) == parse_combiner(committed())


def test_a_complaint_without_sentiment_words_is_negative() -> None:
    text = "Bought a Zephyr heater for the garage. It tripped the breaker on day one."
    spans = spans_of("Zephyr", text)
    assert score_mention_rules("", text, spans, "en").label == "neutral"
    assert score_mention("", text, spans, "en").label == "negative"


def test_a_mention_nobody_says_anything_about_stays_neutral() -> None:
    text = "I called Acme yesterday.\n\nThe hotel was a nightmare."
    assert score_mention("", text, spans_of("Acme", text), "en").label == "neutral"


# --- fitting --------------------------------------------------------------------------------


def test_fitting_is_deterministic_and_writes_the_committed_shape() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        from train_combiner import fit  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(BENCH))
    rng = np.random.default_rng(7)
    x = rng.normal(size=(60, len(FEATURE_NAMES)))
    y = ["positive" if row[0] > 0.3 else "negative" if row[0] < -0.3 else "neutral" for row in x]
    first, second = fit(x, y, 1.0), fit(x, y, 1.0)
    assert first == second
    combiner = parse_combiner(first)
    probabilities = combiner.probabilities([2.0] + [0.0] * (len(FEATURE_NAMES) - 1))
    assert max(probabilities, key=lambda name: probabilities[name]) == "positive"
