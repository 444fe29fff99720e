"""Which of the configured languages a text is written in (lingua, restricted to that set).

Restricting lingua to the languages a deployment cares about makes it faster and more accurate
than asking it to pick among all 75, at the price that a text in some other language is
reported as the closest configured one (or as unknown). With a single configured language
there is nothing to tell apart: every text with letters is reported as that language.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetectorBuilder
from lingua import LanguageDetector as LinguaDetector

# lingua's n-gram statistics are reliable from about 120 characters on; beyond a thousand the
# answer does not change for a monolingual text while the cost keeps growing linearly.
DEFAULT_SAMPLE_CHARS = 1_000
# Fewer letters than this (emoji, numbers, "ok", a lone word) say little about the language:
# lingua reads a lone "merci" as Spanish and "Stark" as German.
MIN_LETTERS = 8
# How far apart the two likeliest languages must be for an answer; below it, None. Brand names
# and words shared by several languages ("Nimbus Air", "ok merci") fall under it, while short
# complete phrases ("Der Kundenservice war super") still get an answer.
DEFAULT_MIN_RELATIVE_DISTANCE = 0.05


class UnknownLanguageError(ValueError):
    """A configured language code is not an ISO 639-1 code that lingua knows."""


class LanguageDetector:
    """Detect the language of texts among ``languages`` (ISO 639-1 codes such as "en", "fr").

    The underlying lingua detector is built once per process for each set of languages and
    options, so creating several ``LanguageDetector`` objects for the same set is cheap.
    ``low_accuracy`` makes texts under about 120 characters four times cheaper to classify and
    somewhat less reliable (lingua then uses trigrams only, as it always does on longer texts).
    """

    def __init__(
        self,
        languages: Sequence[str],
        *,
        sample_chars: int = DEFAULT_SAMPLE_CHARS,
        min_relative_distance: float = DEFAULT_MIN_RELATIVE_DISTANCE,
        low_accuracy: bool = False,
    ) -> None:
        self.languages = compute_language_codes(languages)
        self.sample_chars = sample_chars
        self._detector = _build_detector(self.languages, min_relative_distance, low_accuracy)

    def detect(self, text: str) -> str | None:
        """The ISO 639-1 code (lower case) of ``text``, or None when too short or unsure.

        Only the first ``sample_chars`` characters (cut at a space) are looked at.
        """
        sample = compute_sample(text, self.sample_chars)
        if not _has_letters(sample, MIN_LETTERS):
            return None
        language = self._detector.detect_language_of(sample)
        return None if language is None else language.iso_code_639_1.name.lower()


def compute_language_codes(languages: Sequence[str]) -> tuple[str, ...]:
    """Normalise configured codes (lower case, sorted, unique) and check lingua knows them."""
    codes = tuple(sorted({code.strip().lower() for code in languages}))
    if not codes:
        raise UnknownLanguageError("configure at least one language code, e.g. ['en']")
    unknown = [code for code in codes if not _is_known(code)]
    if unknown:
        raise UnknownLanguageError(
            f"unknown language code(s) {', '.join(unknown)}: use ISO 639-1 codes such as "
            "'en', 'fr', 'de', 'es'"
        )
    return codes


def compute_sample(text: str, limit: int) -> str:
    """The head of ``text`` up to ``limit`` characters, cut at the last space before it."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit]


def _has_letters(text: str, minimum: int) -> bool:
    # Stops at the minimum: counting every letter of a 1,000-character sample cost more
    # than lingua's own answer for a single configured language.
    found = 0
    for char in text:
        if char.isalpha():
            found += 1
            if found >= minimum:
                return True
    return False


def _is_known(code: str) -> bool:
    try:
        IsoCode639_1.from_str(code)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=16)
def _build_detector(
    codes: tuple[str, ...], min_relative_distance: float, low_accuracy: bool
) -> LinguaDetector:
    # lingua loads a language's n-gram models on first use, and a text over about 120
    # characters needs only the trigram ones: about 0.05 s at the first long text, where
    # preloading every model of five languages cost about a second at every start-up (most
    # collected texts are long, and most documents naming no brand are never detected).
    iso_codes = [IsoCode639_1.from_str(code) for code in codes]
    builder = LanguageDetectorBuilder.from_iso_codes_639_1(*iso_codes)
    builder = builder.with_minimum_relative_distance(min_relative_distance)
    if low_accuracy:
        builder = builder.with_low_accuracy_mode()
    return builder.build()
