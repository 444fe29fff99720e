from __future__ import annotations

import pytest

from monitor.domain.language import (
    LanguageDetector,
    UnknownLanguageError,
    compute_language_codes,
    compute_sample,
)

CONFIGURED = ["en", "fr", "de", "es"]


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(CONFIGURED)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Acme support never replied to my ticket. It has been twelve days.", "en"),
        ("The delivery was late again", "en"),
        ("Le service client d'Acme ne m'a jamais répondu, c'est scandaleux.", "fr"),
        ("J'attends toujours mon remboursement", "fr"),
        ("Der Kundenservice von Acme hat nie geantwortet. Unglaublich.", "de"),
        ("Der Kundenservice war super", "de"),
        ("El servicio de atención al cliente de Acme nunca respondió.", "es"),
        ("Sigo esperando el reembolso", "es"),
    ],
)
def test_detects_configured_languages(
    detector: LanguageDetector, text: str, language: str
) -> None:
    assert detector.detect(text) == language


@pytest.mark.parametrize("text", ["", "ok", "lol", "Acme", "🙂🙂🙂", "12345 678", "ok merci"])
def test_too_short_or_unsure_is_none(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) is None


def test_long_text_is_detected_on_its_head(detector: LanguageDetector) -> None:
    english = "We finally did the trip we had been planning for years and it was wonderful. " * 20
    french = "Nous avons enfin fait le voyage que nous prévoyions depuis des années. " * 40
    assert detector.detect(english + french) == "en"
    assert detector.detect(french + english) == "fr"
    assert detector.detect(english + french) == detector.detect(english[:1_000])


def test_mixed_text_takes_the_main_language(detector: LanguageDetector) -> None:
    text = (
        "J'ai acheté le nouveau téléphone d'Acme la semaine dernière. Leur slogan dit "
        "'simply the best', mais la batterie ne tient même pas une journée et le service "
        "après-vente ne répond pas."
    )
    assert detector.detect(text) == "fr"


def test_detector_is_built_once_per_language_set(detector: LanguageDetector) -> None:
    again = LanguageDetector(["ES", "de", " fr", "en", "en"])
    assert again.languages == ("de", "en", "es", "fr")
    assert again._detector is detector._detector
    other = LanguageDetector(["en", "fr"])
    assert other._detector is not detector._detector
    assert other.detect("Le service client ne répond jamais au téléphone") == "fr"


def test_single_language_reports_that_language() -> None:
    only_english = LanguageDetector(["en"])
    assert only_english.detect("Le service client ne répond jamais") == "en"
    assert only_english.detect("ok") is None


@pytest.mark.parametrize("codes", [["en", "xx"], ["english"], []])
def test_unknown_codes_are_refused(codes: list[str]) -> None:
    with pytest.raises(UnknownLanguageError, match="language code"):
        compute_language_codes(codes)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short text", 100, "short text"),
        ("one two three four", 12, "one two"),
        ("x" * 30, 10, "x" * 10),
    ],
)
def test_sample_cuts_at_a_space(text: str, limit: int, expected: str) -> None:
    assert compute_sample(text, limit) == expected
