"""Spanish, French, German and Portuguese: VADER-style lexicon scoring, offline."""

from __future__ import annotations

import re

import pytest

from monitor.config import Settings
from monitor.domain.sentiment import ALL_SCORED_LANGUAGES, is_scored_language, score_mention
from monitor.domain.sentiment_languages import (
    LEXICON_LANGUAGES,
    compute_language_valence,
    expand_forms,
    load_lexicon,
    parse_lexicon,
    tokenize,
)
from monitor.domain.spans import Span


def spans_of(term: str, text: str) -> list[Span]:
    return [Span("text", m.start(), m.end()) for m in re.finditer(re.escape(term), text)]


def mention(term: str, text: str, language: str) -> str:
    return score_mention("", text, spans_of(term, text), language).label


def test_forms_expand_from_stems() -> None:
    assert expand_forms("pésim[o|a|os|as]") == ["pésimo", "pésima", "pésimos", "pésimas"]
    assert expand_forms("excelente[|s]") == ["excelente", "excelentes"]
    assert expand_forms("nunca_contestó") == ["nunca_contestó"]
    assert parse_lexicon("mal[o|a] -2.5\nmalo -1.0") == {"malo": -1.0, "mala": -2.5}


def test_every_lexicon_loads_with_rules() -> None:
    assert {"es", "fr", "de", "pt"} == LEXICON_LANGUAGES
    for language in LEXICON_LANGUAGES:
        lexicon = load_lexicon(language)
        assert len(lexicon.valences) > 100
        assert lexicon.negators
        assert lexicon.boosters
        assert lexicon.contrasts
        assert all(-4.0 <= v <= 4.0 for v in lexicon.valences.values())


def test_tokens_split_elisions_and_keep_pauses() -> None:
    assert tokenize("N'est pas mal, vraiment!") == ["n", "est", "pas", "mal", ",", "vraiment", "!"]


@pytest.mark.parametrize(
    ("language", "brand", "text", "label"),
    [
        ("es", "Acme", "El servicio de Acme fue pésimo.", "negative"),
        ("es", "Acme", "Acme es buenísimo, lo recomiendo.", "positive"),
        ("fr", "Acme", "Le support d'Acme est nul, très déçu.", "negative"),
        ("fr", "Acme", "J'adore Acme, livraison rapide et parfaite.", "positive"),
        ("de", "Acme", "Der Kundenservice von Acme ist eine Katastrophe.", "negative"),
        ("de", "Acme", "Acme ist zuverlässig und sehr freundlich.", "positive"),
        ("pt", "Acme", "O atendimento da Acme é péssimo.", "negative"),
        ("pt", "Acme", "Adorei a Acme, entrega rápida e atendimento ótimo.", "positive"),
    ],
)
def test_each_language_scores_plain_opinions(
    language: str, brand: str, text: str, label: str
) -> None:
    assert mention(brand, text, language) == label


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Acme no está nada mal."),
        ("fr", "Acme n'est pas mal du tout."),
        ("de", "Acme ist gar nicht schlecht."),
        ("pt", "A Acme não é nada ruim."),
    ],
)
def test_negated_faults_are_praise(language: str, text: str) -> None:
    assert mention("Acme", text, language) == "positive"


def test_negation_flips_praise_and_stops_at_a_comma() -> None:
    assert compute_language_valence("no lo recomiendo", "es") < 0
    assert compute_language_valence("nie Probleme, sehr zuverlässig", "de") > 2.0


def test_contrast_word_weighs_the_second_half() -> None:
    assert compute_language_valence("es bueno pero el soporte es pésimo", "es") < 0
    assert compute_language_valence("c'est cher mais excellent", "fr") > 0


def test_two_brands_in_another_language_are_told_apart() -> None:
    text = "Globex tardó un mes en responder. Contoso me solucionó el problema, excelente."
    assert mention("Globex", text, "es") == "negative"
    assert mention("Contoso", text, "es") == "positive"


def test_scored_languages_and_the_default_detection_set() -> None:
    assert {"en", "es", "fr", "de", "pt"} == ALL_SCORED_LANGUAGES
    assert is_scored_language("ES")
    assert is_scored_language(None)
    assert not is_scored_language("it")
    # The detector must be able to tell Spanish from English out of the box.
    assert set(Settings().collector.languages) == ALL_SCORED_LANGUAGES
