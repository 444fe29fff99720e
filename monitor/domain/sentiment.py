"""Sentiment of a document and of one brand's mention in it, on top of VADER.

VADER scores a whole text at once, which is wrong twice over for brand monitoring: a comment
that praises one brand and attacks another has one score, and on long posts VADER's compound
saturates at ±0.99 while its cost grows quadratically with the length of the text. So:

* every text is split into sentences (long ones cut into chunks of at most
  ``MAX_UNIT_CHARS``), each sentence is scored on its own, and only a bounded amount of text is
  ever scored (``MAX_DOCUMENT_CHARS`` / ``MAX_DOCUMENT_UNITS`` for a document,
  ``MAX_MENTION_UNITS`` clauses for a mention);
* a mention is scored on the clause that names the brand: sentences are cut at semicolons and
  contrastive conjunctions (but, while, though, however, whereas, although, yet), and a brand
  that is only the point of comparison ("better than X", "unlike X, ...") gets the opposite
  sentiment of the rest of its clause;
* customer-service vocabulary and a few negations VADER gets wrong are fixed by
  ``sentiment_lexicon`` before VADER sees the text;
* a small learned combiner (``sentiment_combiner``) weighs the rule layer's evidence, with cue
  phrases that complain or praise without a sentiment word (``sentiment_cues``), and may
  overrule the rule label of a mention; VADER's scores stay the scorer of record.

Labels use VADER's usual thresholds: positive at ``score >= 0.05``, negative at
``score <= -0.05``. English is scored with VADER; Spanish, French, German and Portuguese with
the VADER-style lexicons of ``sentiment_languages``; any other language is ``unscored``.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from monitor.domain.sentiment_combiner import decide_mention_label, default_combiner
from monitor.domain.sentiment_context import (
    BEFORE_WEIGHT,
    CONTRAST_WEIGHT,
    CUE_VALENCE,
    MAX_CARRIED_SENTENCES,
    compute_irony,
    compute_own_part,
    compute_own_words,
    compute_switch_valence,
    has_contrast_marker,
    is_complaint_question,
    is_criticised,
    is_told_to_improve,
    names_someone_else,
    opens_with_turn,
    paragraph_break_between,
    turn_for_criticism,
    turn_for_irony,
    turn_for_question,
)
from monitor.domain.sentiment_features import MentionEvidence, compute_mention_features
from monitor.domain.sentiment_languages import LEXICON_LANGUAGES, compute_language_valence
from monitor.domain.sentiment_lexicon import EMOJI_WORDS, LEXICON_ADDITIONS, compute_vader_input
from monitor.domain.spans import Span

SentimentLabel = Literal["positive", "negative", "neutral", "unscored"]

POSITIVE_THRESHOLD = 0.05
NEGATIVE_THRESHOLD = -0.05
SCORED_LANGUAGES = frozenset({"en"})
# Every language a mention can be scored in.
ALL_SCORED_LANGUAGES = SCORED_LANGUAGES | LEXICON_LANGUAGES

MAX_UNIT_CHARS = 400
MAX_DOCUMENT_CHARS = 5_000
MAX_DOCUMENT_UNITS = 40
MAX_MENTION_UNITS = 12

# A unit inferred from the text around a mention (rather than the clause naming the brand)
# is less certain to be about the brand.
_FALLBACK_CONFIDENCE = 0.5
# A polar score this far from zero counts as fully strong for the confidence.
_FULL_STRENGTH = 0.5
# VADER's normalisation constant (compound = x / sqrt(x² + alpha)) and the largest compound
# that can be inverted without dividing by zero.
_ALPHA = 15.0
_MAX_COMPOUND = 0.9999
# Not in VADER's lexicon, not upper-case, not a negation or booster: changes nothing but
# VADER's "some words are in capitals" test.
_CAPS_CONTEXT_MARKER = " ~"
# Text either side of a mention that is split into sentences: the mention's sentence and the
# next one, each at most MAX_UNIT_CHARS long, always fit.
_MENTION_WINDOW = 3 * MAX_UNIT_CHARS
# Spans looked at in one mention (those inside an already scored clause do not count).
_MAX_SPANS_TRIED = 4 * MAX_MENTION_UNITS
# Weight of the other clauses of the brand's own sentence ("Acme is cheap; the app is awful").
SENTENCE_REST_WEIGHT = 0.5
# Units whose valences are summed as VADER sums words; more are averaged (compute_aggregate).
_SUMMED_UNITS = 3


@dataclass(frozen=True, slots=True)
class SentimentScore:
    """A score in -1..1, its label, and how sure the label is (0..1)."""

    score: float
    label: SentimentLabel
    confidence: float


UNSCORED = SentimentScore(score=0.0, label="unscored", confidence=0.0)

Bounds = tuple[int, int]


@dataclass(frozen=True, slots=True)
class MentionUnit:
    """A piece of text scored for a mention.

    ``invert`` marks a brand that is only the point of comparison ("better than X"), whose
    sentiment is the opposite of the text's; ``fallback`` marks text around the mention that is
    used only when the clauses naming the brand carry no sentiment.
    """

    text: str
    invert: bool = False
    fallback: bool = False


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    # Building the analyzer parses VADER's 7,500-line lexicon: do it once per process.
    analyzer = SentimentIntensityAnalyzer()
    analyzer.lexicon.update(LEXICON_ADDITIONS)
    analyzer.emojis.update(EMOJI_WORDS)
    return analyzer


def score_text(text: str) -> SentimentScore:
    """Score a short text on its own: sentence by sentence, with the domain lexicon.

    On a single sentence this is VADER's compound with the domain lexicon applied.
    """
    return score_document("", text)


def score_document(title: str, text: str, language: str | None = None) -> SentimentScore:
    """Score the whole document (title and text); ``unscored`` for languages other than English.

    ``language`` is an ISO 639-1 code; ``None`` (undetected, e.g. a very short text) is scored
    as English. A document with no text at all is ``unscored``.
    """
    if _valence_function(language) is None:
        return UNSCORED
    units = compute_document_units(title, text)
    if not units:
        return UNSCORED
    if _lexicon_language(language) is not None:
        return compute_aggregate(_document_valence_units(units, language), compute_emphasis(units))
    return compute_aggregate(compute_valences(units), compute_emphasis(units))


def score_mention(
    title: str, text: str, spans: Sequence[Span], language: str | None = None
) -> SentimentScore:
    """Score the sentiment toward the brand matched at ``spans`` (not the whole document).

    Reads the mention's scope (``sentiment_context``): the part of its sentence about the
    brand, the sentences that carry it on, and the sentence before at half weight, with the
    cue rules for sarcasm, criticism by comparison, complaint questions and contrast. A brand
    named only in the title is what the text is about, so the text counts as well. Without
    spans this is the document score. Spanish, French, German and Portuguese are scored with
    ``sentiment_languages``; other languages are ``unscored``.

    The label is then checked by the learned combiner (``sentiment_combiner``) over what the
    rules saw; where it disagrees and there is polar evidence, its label wins.
    """
    reading = _read_mention(title, text, spans, language)
    evidence = _mention_evidence(reading, language)
    if evidence is None:
        return reading.result
    features = compute_mention_features(evidence)
    result = reading.result
    score, _, confidence = decide_mention_label(
        result.score, result.label, features, default_combiner()
    )
    if confidence is None:
        return result
    return SentimentScore(score=score, label=compute_label(score), confidence=confidence)


def score_mention_rules(
    title: str, text: str, spans: Sequence[Span], language: str | None = None
) -> SentimentScore:
    """``score_mention`` by the rules alone, without the learned combiner."""
    return _read_mention(title, text, spans, language).result


def compute_mention_evidence(
    title: str, text: str, spans: Sequence[Span], language: str | None = None
) -> MentionEvidence | None:
    """What the rule layer saw while scoring the mention (the combiner's input), if anything."""
    return _mention_evidence(_read_mention(title, text, spans, language), language)


@dataclass(frozen=True, slots=True)
class _MentionReading:
    """The rule layer's result for a mention, the units and scopes it read, and the valence
    function it used (remembering every text it scored)."""

    result: SentimentScore
    units: list[ScoredUnit]
    scopes: _Scopes
    valence: Callable[[str], float] | None = None


def _read_mention(
    title: str, text: str, spans: Sequence[Span], language: str | None
) -> _MentionReading:
    plain = _valence_function(language)
    if plain is None:
        return _MentionReading(UNSCORED, [], [])
    if not spans:
        return _MentionReading(score_document(title, text, language), [], [])
    valence = _remembering(plain)
    units, scopes = _compute_scopes(title, text, spans, valence, language)
    if not units:
        return _MentionReading(score_document(title, text, language), [], [])
    titled = all(span.field == "title" for span in spans)
    body = _document_valence(text, language) if titled else []
    valences = [unit.weight * unit.valence for unit in units] + body
    result = compute_aggregate(valences, compute_emphasis([unit.text for unit in units]))
    if result.label != "neutral" and all(unit.valence == 0.0 for unit in units if unit.own):
        result = _discounted(result)
    return _MentionReading(result, units, scopes, valence)


def _remembering(valence: Callable[[str], float]) -> Callable[[str], float]:
    """``valence`` remembering what it scored, for one mention: the rules and the combiner's
    evidence read some sentences more than once."""
    seen: dict[str, float] = {}

    def remembered(text: str) -> float:
        if text not in seen:
            seen[text] = valence(text)
        return seen[text]

    return remembered


def _mention_evidence(reading: _MentionReading, language: str | None) -> MentionEvidence | None:
    """The evidence around the first scope read (one in the text rather than the title)."""
    units, scopes, valence = reading.units, reading.scopes, reading.valence
    if valence is None or not units or not scopes:
        return None
    # The body says more than a headline: prefer a scope in the text.
    scope = next((scope for name, scope in scopes if name == "text"), scopes[0][1])
    neighbours = scope.neighbours()
    valences = [valence(_DISCOURSE_MARKER.sub(" ", text)) for text, _ in neighbours]
    own_valences = [v for v, (_, other) in zip(valences, neighbours, strict=True) if not other]
    _, inverted = scope._own_text()
    return MentionEvidence(
        rule_score=reading.result.score,
        own_valence=sum(u.weight * u.valence for u in units if u.own),
        scope_valence=sum(u.weight * u.valence for u in units if not u.own),
        neighbour_valence=sum(own_valences),
        other_neighbour_valence=sum(valences) - sum(own_valences),
        sentence=scope._text(scope.sentence),
        neighbours=" ".join(text for text, other in neighbours if not other),
        other_neighbours=" ".join(text for text, other in neighbours if other),
        inverted=inverted,
        shared_sentence=scope._shared(),
        lexicon_language=_lexicon_language(language) is not None,
    )


def is_scored_language(language: str | None) -> bool:
    """Whether mentions in ``language`` get a sentiment (English, or a lexicon language)."""
    return _valence_function(language) is not None


@dataclass(frozen=True, slots=True)
class ScoredUnit:
    """A piece of a mention's scope with its valence (cues applied) and weight."""

    text: str
    valence: float
    weight: float = 1.0
    own: bool = False


# The scopes a mention was read from, each with the name of its field ("title" or "text").
_Scopes = list[tuple[str, "_SpanScope"]]


def compute_mention_scope(
    title: str,
    text: str,
    spans: Sequence[Span],
    valence: Callable[[str], float] | None = None,
    language: str | None = None,
) -> list[ScoredUnit]:
    """The scored units of a mention's scope over every span, each sentence counted once."""
    return _compute_scopes(title, text, spans, valence, language)[0]


def _compute_scopes(
    title: str,
    text: str,
    spans: Sequence[Span],
    valence: Callable[[str], float] | None,
    language: str | None,
) -> tuple[list[ScoredUnit], _Scopes]:
    """The scored units, and the scopes (with their field's name) they were read from."""
    score = valence or compute_valence
    language = language.lower() if language else None

    def unit_valence(unit: str) -> float:
        # Discourse markers name the comparison, not an opinion (VADER reads "hand" as +2.2).
        return score(_DISCOURSE_MARKER.sub(" ", unit))

    fields = {"title": title, "text": text}
    units: list[ScoredUnit] = []
    scopes: _Scopes = []
    covered: set[tuple[str, Bounds]] = set()
    for name in ("title", "text"):
        field = fields[name]
        mine = sorted(s for s in spans if s.field == name and 0 <= s.start < s.end <= len(field))
        own = compute_own_words(field, mine)
        masked = _without_brand_names(unit_valence, {field[s.start : s.end] for s in mine})
        for span in mine[:_MAX_SPANS_TRIED]:
            scope = _SpanScope.build(field, span, own, language)
            if scope is None or (name, scope.sentence) in covered:
                continue
            covered.update((name, bounds) for bounds in scope.all_sentences())
            units.extend(scope.scored_units(masked))
            scopes.append((name, scope))
            if len(units) >= MAX_MENTION_UNITS:
                return units[:MAX_MENTION_UNITS], scopes
    return units, scopes


def _without_brand_names(
    valence: Callable[[str], float], names: set[str]
) -> Callable[[str], float]:
    """Score text with the brand's own name blanked: "Massive Dynamic" or "Best Buy" is a name,
    not the praise VADER would read in "dynamic" or "best"."""
    names = {name for name in names if name.strip()}
    if not names:
        return valence
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'’])(?:{alternatives})(?!\w)", re.IGNORECASE)
    return lambda unit: valence(pattern.sub(_BRAND_PLACEHOLDER, unit))


# What a brand's name reads as while its text is scored: a word in no lexicon.
_BRAND_PLACEHOLDER = "Brandname"


def compute_document_units(title: str, text: str) -> list[str]:
    """The sentences of a document that are scored, within the document caps."""
    units: list[str] = []
    budget = MAX_DOCUMENT_CHARS
    for field in (title, text):
        # Only the head of a long text can fit in the budget: do not split the rest.
        head = field[: MAX_DOCUMENT_CHARS + MAX_UNIT_CHARS]
        for start, end in compute_sentence_bounds(head):
            if len(units) >= MAX_DOCUMENT_UNITS or end - start > budget:
                return units
            units.append(head[start:end])
            budget -= end - start
    return units


def compute_mention_units(title: str, text: str, spans: Sequence[Span]) -> list[MentionUnit]:
    """The clauses naming the brand, then the text around them to fall back on, capped."""
    fields = {"title": title, "text": text}
    targets: list[MentionUnit] = []
    fallbacks: list[MentionUnit] = []
    seen: set[tuple[str, Bounds]] = set()
    covered = ("", -1)  # (field, end) of the last clause: later spans inside it add nothing
    attempts = 0
    for span in sorted(spans):
        field = fields[span.field]
        if not 0 <= span.start < span.end <= len(field) or (span.field, span.start) < covered:
            continue
        attempts += 1
        if attempts > _MAX_SPANS_TRIED:
            break
        context = _MentionContext.build(field, span)
        if context is None or (span.field, context.clause) in seen:
            continue
        seen.add((span.field, context.clause))
        covered = (span.field, context.clause[1])
        targets.append(context.target_unit())
        fallbacks.extend(context.fallback_units())
        if len(targets) >= MAX_MENTION_UNITS:
            break
    return targets + fallbacks[:MAX_MENTION_UNITS]


def compute_valences(units: Sequence[str]) -> list[float]:
    """The raw valence of each unit of one text, scored with the text's ALL-CAPS context."""
    caps_in_context = compute_caps_contrast(units)
    return [compute_valence(unit, caps_in_context=caps_in_context) for unit in units]


def compute_valence(text: str, *, caps_in_context: bool = False) -> float:
    """VADER's raw valence sum for one unit (sentence or clause), without punctuation emphasis.

    VADER reports ``compound = normalise(sum + emphasis)``; the sum is recovered by inverting
    the normalisation, so that a text's units can be added up before normalising once, as VADER
    does for a whole text. Emphasis from ``!`` and ``?`` is added back once per scored text.

    VADER boosts ALL-CAPS words only when the text also has words that are not in capitals; a
    shouting sentence inside a calm text loses that context when scored alone. With
    ``caps_in_context`` a neutral lower-case marker restores it.
    """
    clipped = text[:MAX_UNIT_CHARS]
    prepared = compute_vader_input(clipped) + (_CAPS_CONTEXT_MARKER if caps_in_context else "")
    compound = float(_analyzer().polarity_scores(prepared)["compound"])
    compound = max(-_MAX_COMPOUND, min(_MAX_COMPOUND, compound))
    total = compound * math.sqrt(_ALPHA / (1.0 - compound * compound))
    if total == 0.0:
        return 0.0
    valence = abs(total) - compute_emphasis([clipped])
    return math.copysign(max(valence, 0.0), total)


def compute_caps_contrast(texts: Sequence[str]) -> bool:
    """VADER's test for emphasis by capitals: some, but not all, words are ALL CAPS."""
    words = [word for text in texts for word in text.split()]
    capitals = sum(word.isupper() for word in words)
    return 0 < capitals < len(words)


def compute_emphasis(texts: Sequence[str]) -> float:
    """VADER's emphasis from exclamation and question marks over the given texts."""
    exclamations = sum(text.count("!") for text in texts)
    questions = sum(text.count("?") for text in texts)
    emphasis = min(exclamations, 4) * 0.292
    if questions > 3:
        emphasis += 0.96
    elif questions > 1:
        emphasis += questions * 0.18
    return emphasis


def compute_aggregate(valences: Sequence[float], emphasis: float = 0.0) -> SentimentScore:
    """Combine the raw valences of a text's units into one length-robust score.

    Up to ``_SUMMED_UNITS`` units the valences are added up, exactly as VADER adds up the words
    of a short text (its ratings were calibrated on sentence-to-tweet-length texts). Beyond
    that the sum is replaced by ``_SUMMED_UNITS`` times the mean valence: a long post counts as
    strongly as its typical sentence, not as the sum of all of them. So VADER's compound, which
    saturates at ±0.99 after a few positive sentences, stays well inside the range on long
    posts, and a long mixed post, whose opinions cancel out, lands near zero.
    """
    if not valences:
        return SentimentScore(score=0.0, label="neutral", confidence=0.0)
    total = _aggregate_valence(valences)
    if total != 0.0:
        total = math.copysign(abs(total) + emphasis, total)
    score = round(total / math.sqrt(total * total + _ALPHA), 4)
    return SentimentScore(score, compute_label(score), _compute_confidence(score, valences))


def compute_label(score: float) -> SentimentLabel:
    """VADER's standard three-way cut of a compound score."""
    if score >= POSITIVE_THRESHOLD:
        return "positive"
    if score <= NEGATIVE_THRESHOLD:
        return "negative"
    return "neutral"


def _aggregate_valence(valences: Sequence[float]) -> float:
    return sum(valences) * min(1.0, _SUMMED_UNITS / len(valences)) if valences else 0.0


def _compute_confidence(score: float, valences: Sequence[float]) -> float:
    """How sure the label is: strength and agreement of the units, or for neutral, calm."""
    strengths = [abs(v) / math.sqrt(v * v + _ALPHA) for v in valences]
    if compute_label(score) == "neutral":
        # Strong opinions that cancel out are not a confident "neutral".
        calm = 1.0 - sum(strengths) / len(strengths)
        return round((1.0 - abs(score) / POSITIVE_THRESHOLD) * calm, 4)
    weight = sum(strengths)
    agreeing = sum(s for s, v in zip(strengths, valences, strict=True) if (v > 0) == (score > 0))
    return round(min(1.0, abs(score) / _FULL_STRENGTH) * agreeing / weight, 4)


def _aggregate_units(units: Sequence[MentionUnit], extra: Sequence[float]) -> SentimentScore:
    valences = compute_valences([unit.text for unit in units])
    valences = [-v if unit.invert else v for unit, v in zip(units, valences, strict=True)]
    return compute_aggregate([*valences, *extra], compute_emphasis([u.text for u in units]))


def _body_valence(text: str) -> list[float]:
    """The text's aggregate valence as one unit, for a brand named only in the title."""
    units = compute_document_units("", text)
    return [_aggregate_valence(compute_valences(units))] if units else []


def _document_valence(text: str, language: str | None) -> list[float]:
    """Like ``_body_valence``, in the text's language."""
    if _lexicon_language(language) is None:
        return _body_valence(text)
    units = compute_document_units("", text)
    return [_aggregate_valence(_document_valence_units(units, language))] if units else []


def _document_valence_units(units: Sequence[str], language: str | None) -> list[float]:
    code = _lexicon_language(language) or ""
    return [compute_language_valence(unit[:MAX_UNIT_CHARS], code) for unit in units]


def _lexicon_language(language: str | None) -> str | None:
    code = language.lower() if language else None
    return code if code in LEXICON_LANGUAGES else None


def _valence_function(language: str | None) -> Callable[[str], float] | None:
    """How a piece of text in ``language`` is scored; None when it cannot be."""
    if language is None or language.lower() in SCORED_LANGUAGES:
        return compute_valence
    code = _lexicon_language(language)
    if code is None:
        return None
    return lambda unit: compute_language_valence(unit[:MAX_UNIT_CHARS], code)


def _discounted(result: SentimentScore) -> SentimentScore:
    confidence = round(result.confidence * _FALLBACK_CONFIDENCE, 4)
    return SentimentScore(score=result.score, label=result.label, confidence=confidence)


# --- sentences -----------------------------------------------------------------------------


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Matches only at the start of a run of end marks, so that a hostile "!!!!…" stays linear.
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s|$)|\n+")
_ABBREVIATIONS = _word_set(
    "mr mrs ms dr prof st jr sr inc ltd co corp vs etc eg ie approx dept est no jan feb mar apr "
    "jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun"
)
_WORD_BEFORE = re.compile(r"([^\W\d_](?:[^\W\d_]|\.)*)$")
_LONGEST_ABBREVIATION = 12


def compute_sentence_bounds(text: str) -> list[Bounds]:
    """``[start, end)`` of each sentence, whitespace-trimmed; none longer than MAX_UNIT_CHARS.

    Sentences end at ``.``, ``!``, ``?`` or ``…`` followed by a space and something other than a
    lower-case letter (so "e.g. this" and "3.5" stay whole), and at every line break, since
    comments often end sentences with a new line and no full stop.
    """
    bounds: list[Bounds] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if not match.group().startswith("\n") and not _ends_sentence(text, match):
            continue
        bounds.extend(_chunks(text, start, match.end()))
        start = match.end()
    bounds.extend(_chunks(text, start, len(text)))
    return bounds


def compute_sentence_bounds_near(text: str, position: int, margin: int) -> list[Bounds]:
    """Sentence bounds in ``text`` within ``margin`` characters either side of ``position``."""
    start = max(0, position - margin)
    window = text[start : position + margin]
    return [(start + a, start + b) for a, b in compute_sentence_bounds(window)]


def _ends_sentence(text: str, match: re.Match[str]) -> bool:
    following = text[match.end() : match.end() + 2].lstrip()
    if following[:1].islower():
        return False
    if match.group().startswith(".") and len(match.group()) == 1:
        word = _WORD_BEFORE.search(
            text, max(0, match.start() - _LONGEST_ABBREVIATION), match.start()
        )
        if word is not None:
            token = word.group(1).lower().replace(".", "")
            return len(token) > 1 and token not in _ABBREVIATIONS
    return True


def _chunks(text: str, start: int, end: int) -> list[Bounds]:
    """Trim ``[start, end)`` and cut it at spaces into pieces of at most MAX_UNIT_CHARS."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    pieces: list[Bounds] = []
    while end - start > MAX_UNIT_CHARS:
        cut = text.rfind(" ", start + MAX_UNIT_CHARS // 2, start + MAX_UNIT_CHARS)
        cut = cut if cut > start else start + MAX_UNIT_CHARS
        pieces.append((start, cut))
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    if end > start:
        pieces.append((start, end))
    return pieces


# --- clauses -------------------------------------------------------------------------------

_CONTRAST = re.compile(r"\b(?:but|however|whereas|although|though|while|yet)\b|;", re.IGNORECASE)
# Uses of a contrast word that do not start a new clause: "nothing but", "not only .. but
# also", "for a while", "as though", "not yet".
_NOT_A_SPLIT_BEFORE = {
    "but": frozenset({"nothing", "anything", "all", "everything", "last"}),
    "while": _word_set("a the little long short whole your my their his her our worth"),
    "though": frozenset({"as"}),
}
_SUBORDINATE_OPENERS = frozenset({"although", "though", "while", "whereas"})
_LEADING_JOINERS = re.compile(
    r"^(?:[\s,;:—–-]|\b(?:but|however|whereas|although|though|while|yet|and|even)\b)+",
    re.IGNORECASE,
)
_PREVIOUS_WORD = re.compile(r"([\w']+)[\s,]*$")
_LOOKBACK_CHARS = 40


def compute_clause_bounds(text: str, sentence: Bounds) -> list[Bounds]:
    """Cut a sentence into clauses at semicolons and contrastive conjunctions.

    A sentence opening with a subordinator ("Although X is cheap, Y ...") is also cut at its
    first comma. Leading conjunctions and punctuation are left out of each clause.
    """
    start, end = sentence
    cuts = [start]
    for match in _CONTRAST.finditer(text, start, end):
        if _is_clause_split(text, start, match):
            cuts.append(match.end() if match.group() == ";" else match.start())
    cuts.append(end)
    clauses: list[Bounds] = []
    for clause_start, clause_end in itertools.pairwise(cuts):
        clauses.extend(_split_subordinate(text, clause_start, clause_end))
    return [trimmed for clause in clauses if (trimmed := _trim_clause(text, clause))]


def _is_clause_split(text: str, sentence_start: int, match: re.Match[str]) -> bool:
    word = match.group().lower()
    previous = _PREVIOUS_WORD.search(
        text, max(sentence_start, match.start() - _LOOKBACK_CHARS), match.start()
    )
    before = previous.group(1).lower() if previous else ""
    if word == "yet":
        # Only "..., yet" and "and yet" contrast; "not yet", "as yet" do not.
        gap = text[previous.end(1) if previous else sentence_start : match.start()]
        return before in {"", "and"} or "," in gap
    if word == "but" and text[match.end() : match.end() + 6].lower().strip().startswith("also"):
        return False
    return before not in _NOT_A_SPLIT_BEFORE.get(word, frozenset())


def _split_subordinate(text: str, start: int, end: int) -> list[Bounds]:
    opener = re.match(r"[\s,;]*(\w+)", text[start:end])
    if opener is None or opener.group(1).lower() not in _SUBORDINATE_OPENERS:
        return [(start, end)]
    comma = text.find(",", start, end)
    return [(start, comma), (comma + 1, end)] if comma != -1 else [(start, end)]


def _trim_clause(text: str, clause: Bounds) -> Bounds | None:
    start, end = clause
    joiners = _LEADING_JOINERS.match(text[start:end])
    if joiners is not None:
        start += joiners.end()
    while end > start and text[end - 1] in " \t,;":
        end -= 1
    return (start, end) if end > start else None


# --- comparisons ---------------------------------------------------------------------------

# "better than X", "unlike X, ...", "compared to X": X is the foil of the clause's opinion.
_FOIL_MARKER = re.compile(
    r"\b(?:than|unlike|compared (?:to|with)|as opposed to|in contrast to|instead of|"
    r"outlived|outlasted|outlasts|outperformed|outperforms|outsold)\b",
    re.IGNORECASE,
)
_NEGATOR = re.compile(
    r"\b(?:not|no|never|nobody|nothing|none|neither|nor|cannot|no one)\b|n't\b", re.IGNORECASE
)


def compute_foil_bounds(text: str, clause: Bounds) -> Bounds | None:
    """The part of a clause that names the point of comparison, if any.

    It runs from the marker ("than", "unlike", "compared to", ...) to the next comma or the end
    of the clause.
    """
    marker = _FOIL_MARKER.search(text, clause[0], clause[1])
    if marker is None:
        return None
    comma = text.find(",", marker.end(), clause[1])
    # "outlived X": the verb is the opinion, only its object is the foil.
    start = marker.end() if marker.group().lower().startswith("out") else marker.start()
    return (start, comma if comma != -1 else clause[1])


# --- mention context -----------------------------------------------------------------------

_CAPITALISED = re.compile(r"\b[A-Z][\w'’&-]*")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Capitalised words that do not name anyone: "I", days and months anywhere, and the usual
# first words of a sentence.
_NOT_A_NAME = _word_set(
    "i i'm i've i'd i'll im ive ok monday tuesday wednesday thursday friday saturday sunday "
    "january february march april may june july august september october november december"
)
_SENTENCE_STARTERS = _word_set(
    "the a an they their them it its it's he she his her we our you your my me this that these "
    "those there then so and but or also now still even just only after before when once since "
    "because if as at in on of for with to from by what which who how why where not no never "
    "all every each some one two three four five six seven eight nine ten first second third "
    "last next finally honestly anyway plus got had has have was were is are took spent waited "
    "called tried ordered been will would can could did do does yes yeah well oh okay seriously "
    "literally apparently instead later today yesterday tomorrow tonight again everything "
    "everyone everybody nothing nobody someone somebody something anyone anybody anything here "
    "overall really definitely absolutely totally much many more most very too"
)


def _names_someone_else(field: str, clause: Bounds, sentence_start: int) -> bool:
    """Whether a clause names a person, place or brand (a capitalised word that is no starter).

    Used to keep the text around a mention from lending its sentiment when it is visibly
    about something else ("..., but Globex is a nightmare").
    """
    for word in _CAPITALISED.finditer(field, clause[0], clause[1]):
        lowered = word.group().lower()
        if lowered in _NOT_A_NAME:
            continue
        if word.start() == sentence_start and (
            lowered in _SENTENCE_STARTERS or lowered in _analyzer().lexicon
        ):
            continue
        return True
    return False


@dataclass(frozen=True, slots=True)
class _MentionContext:
    """Where one brand match sits: its sentence and its clause within the field's text."""

    field: str
    span: Span
    sentences: Sequence[Bounds]
    index: int
    clauses: tuple[Bounds, ...]
    clause: Bounds

    @classmethod
    def build(cls, field: str, span: Span) -> _MentionContext | None:
        # Only the text around the span is split: a mention deep in a huge comment costs no
        # more than one in a short one.
        sentences = compute_sentence_bounds_near(field, span.start, _MENTION_WINDOW)
        if not sentences:
            return None
        index = max(0, bisect.bisect_right(sentences, (span.start, len(field) + 1)) - 1)
        clauses = tuple(compute_clause_bounds(field, sentences[index]))
        clause = next((c for c in clauses if c[0] <= span.start < c[1]), sentences[index])
        return cls(field, span, sentences, index, clauses, clause)

    def target_unit(self) -> MentionUnit:
        start, end = self.clause
        foil = compute_foil_bounds(self.field, self.clause)
        if foil is None:
            return MentionUnit(self.field[start:end])
        main = f"{self.field[start : foil[0]]} {self.field[foil[1] : end]}".strip(" ,")
        in_foil = foil[0] <= self.span.start < foil[1]
        # "Nobody does it better than X" praises X: a negated comparison is not inverted.
        return MentionUnit(main, invert=in_foil and _NEGATOR.search(main) is None)

    def fallback_units(self) -> list[MentionUnit]:
        sentence_start = self.sentences[self.index][0]
        neighbours = [(c, sentence_start) for c in self.clauses if c != self.clause]
        following = self._next_sentence_clause()
        if following is not None:
            neighbours.append((following, following[0]))
        return [
            MentionUnit(self.field[clause[0] : clause[1]], fallback=True)
            for clause, starts_at in neighbours
            if not _names_someone_else(self.field, clause, starts_at)
        ]

    def _next_sentence_clause(self) -> Bounds | None:
        if self.index + 1 >= len(self.sentences):
            return None
        current, following = self.sentences[self.index], self.sentences[self.index + 1]
        if _PARAGRAPH_BREAK.search(self.field, current[1], following[0]):
            return None
        clauses = compute_clause_bounds(self.field, following)
        return clauses[0] if clauses else None


# --- mention scope ---------------------------------------------------------------------------


# Not slotted: the sentence-level facts below are cached on the instance, as the rules and the
# combiner's evidence ask for them several times.
@dataclass(frozen=True)
class _SpanScope:
    """The sentences around one brand match that its sentiment is read from."""

    field: str
    span: Span
    own: frozenset[str]
    language: str | None
    sentences: Sequence[Bounds]
    index: int

    @classmethod
    def build(
        cls, field: str, span: Span, own: frozenset[str], language: str | None
    ) -> _SpanScope | None:
        sentences = compute_sentence_bounds_near(field, span.start, _MENTION_WINDOW)
        if not sentences:
            return None
        index = max(0, bisect.bisect_right(sentences, (span.start, len(field) + 1)) - 1)
        return cls(field, span, own, language, sentences, index)

    def _names_other(self, bounds: Bounds, sentence_start: int | None = None) -> bool:
        start = bounds[0] if sentence_start is None else sentence_start
        return names_someone_else(self.field, bounds, start, self.own, self.language)

    @property
    def sentence(self) -> Bounds:
        return self.sentences[self.index]

    def neighbours(self) -> list[tuple[str, bool]]:
        """The whole sentences just before and after the brand's, within its paragraph, each
        with whether it names someone else (chunks of a run-on text are not neighbours)."""
        found: list[Bounds] = []
        whole = self._ends_sentence(self.sentence)
        if self.index > 0:
            before = self.sentences[self.index - 1]
            if self._ends_sentence(before) and not paragraph_break_between(
                self.field, before[1], self.sentence[0]
            ):
                found.append(before)
        if whole and self.index + 1 < len(self.sentences):
            after = self.sentences[self.index + 1]
            if self._ends_sentence(after) and not paragraph_break_between(
                self.field, self.sentence[1], after[0]
            ):
                found.append(after)
        return [(self._text(b), self._names_other(b, b[0])) for b in found]

    def all_sentences(self) -> list[Bounds]:
        before = [self.sentences[self.index - 1]] if self._before() is not None else []
        return [*before, self.sentence, *self._carried()]

    def scored_units(self, valence: Callable[[str], float]) -> list[ScoredUnit]:
        own_text, invert = self._own_text()
        own_valence = valence(own_text) or self._unlike_default()
        own_valence = -own_valence if invert else own_valence
        own_valence = own_valence or SWITCH_WEIGHT * compute_switch_valence(self.field, self.span)
        if is_complaint_question(self._text(self.sentence)):
            own_valence = turn_for_question(own_valence)
        if is_criticised(self.field, self.span):
            own_valence = turn_for_criticism(own_valence)
        turn = self._turning_clause(own_text)
        if turn is not None:
            other, own_weight, other_weight = turn
            units = [ScoredUnit(own_text, own_valence, own_weight, own=True)]
            units.append(ScoredUnit(other, valence(other), other_weight))
        else:
            units = [ScoredUnit(own_text, own_valence, own=True)]
            rest = self._sentence_rest(own_text) if own_valence == 0.0 else ""
            if rest:
                units.append(ScoredUnit(rest, valence(rest), SENTENCE_REST_WEIGHT))
        for bounds in self._carried():
            text = self._text(bounds)
            carried = valence(text)
            carried = turn_for_question(carried) if is_complaint_question(text) else carried
            if opens_with_turn(text):
                said = sum(u.weight * u.valence for u in units)
                # "Looked great in the ads. In practice ...": the turn takes back the praise.
                carried = carried or (-CUE_VALENCE if said > 0 else 0.0)
                units = [replace(u, weight=u.weight * BEFORE_TURN_WEIGHT) for u in units]
                units.append(ScoredUnit(text, carried, AFTER_TURN_WEIGHT))
            else:
                units.append(ScoredUnit(text, carried))
        before = self._before()
        if before is not None:
            units.append(ScoredUnit(self._text(before), valence(self._text(before)), BEFORE_WEIGHT))
        units = self._with_irony(units)
        if all(unit.valence == 0.0 for unit in units):
            units.extend(self._contrast(valence))
        return units

    def _text(self, bounds: Bounds) -> str:
        return self.field[bounds[0] : bounds[1]]

    def _shared(self) -> bool:
        return self._shared_sentence

    @cached_property
    def _shared_sentence(self) -> bool:
        return self._names_other(self.sentence, self.sentence[0])

    def _own_text(self) -> tuple[str, bool]:
        return self._own_text_and_inversion

    @cached_property
    def _own_text_and_inversion(self) -> tuple[str, bool]:
        """The brand's part of its sentence, and whether it is only the point of comparison."""
        clauses = compute_clause_bounds(self.field, self.sentence)
        clause = next((c for c in clauses if c[0] <= self.span.start < c[1]), self.sentence)
        foil = compute_foil_bounds(self.field, clause)
        in_foil = foil is not None and foil[0] <= self.span.start < foil[1]
        if not in_foil and self._shared() and self._names_other(clause, self.sentence[0]):
            clause = compute_own_part(self.field, clause, self.span.start, self.own, self.language)
            foil = compute_foil_bounds(self.field, clause)
        if foil is None:
            return self._text(clause), False
        main = f"{self.field[clause[0] : foil[0]]} {self.field[foil[1] : clause[1]]}".strip(" ,")
        in_foil = foil[0] <= self.span.start < foil[1]
        negated = _NEGATOR.search(main) is not None or bool(_RHETORICAL.search(self._text(clause)))
        return main, in_foil and not negated

    def _unlike_default(self) -> float:
        """ "Unlike X, Y answers the phone": setting Y apart from X praises Y for it."""
        clause = next(
            (
                c
                for c in compute_clause_bounds(self.field, self.sentence)
                if c[0] <= self.span.start < c[1]
            ),
            self.sentence,
        )
        return UNLIKE_VALENCE if _UNLIKE.search(self._text(clause)) else 0.0

    def _turning_clause(self, own_text: str) -> tuple[str, float, float] | None:
        """The other half of a two-clause sentence turned by "but", "although", "however".

        As VADER weighs the words around "but": the first half counts half, the second half
        and a half, whichever of them names the brand ("Acme is fine for calls, although the
        data is painfully slow").
        """
        if self._shared():
            return None
        clauses = compute_clause_bounds(self.field, self.sentence)
        if len(clauses) != 2:
            return None
        first, second = (self._text(c) for c in clauses)
        opener = self.field[self.sentence[0] : clauses[0][0] + 12]
        joint = self.field[clauses[0][1] : clauses[1][0] + 10]
        if not (_TURN.search(joint) or _SUBORDINATE_TURN.match(opener)):
            return None
        if _CONCESSION.search(joint):
            # "X refunded me, even though ...": the concession does not outweigh the claim.
            return None
        if own_text == first:
            return second, BEFORE_TURN_WEIGHT, AFTER_TURN_WEIGHT
        return first, AFTER_TURN_WEIGHT, BEFORE_TURN_WEIGHT

    def _sentence_rest(self, own_text: str) -> str:
        """The other clauses of the brand's sentence, when they name no one else.

        Read only when the brand's own clause says nothing ("I called Acme, and they were
        lovely"): a clause that does speak of the brand is not outweighed by its neighbours.
        """
        if self._shared():
            return ""
        clauses = compute_clause_bounds(self.field, self.sentence)
        others = [self._text(c) for c in clauses if self._text(c) not in own_text]
        return " ".join(others)

    def _ends_sentence(self, bounds: Bounds) -> bool:
        """Whether ``bounds`` is a whole sentence, not a chunk cut out of a run-on text."""
        return (
            bounds[1] >= len(self.field)
            or not self.field[bounds[1] - 1].isalnum()
            or (self.field[bounds[1] : bounds[1] + 1] == "\n")
        )

    def _carried(self) -> list[Bounds]:
        """Following sentences that go on about the brand, until someone else takes over."""
        rest = (self.span.end, self.sentence[1])
        if self._shared() and self._names_other(rest, self.sentence[0]):
            return []
        carried: list[Bounds] = []
        previous = self.sentence
        for bounds in self.sentences[self.index + 1 : self.index + 1 + MAX_CARRIED_SENTENCES]:
            if paragraph_break_between(self.field, previous[1], bounds[0]):
                break
            if not (self._ends_sentence(previous) and self._ends_sentence(bounds)):
                break
            if self._names_other(bounds, bounds[0]):
                break
            carried.append(bounds)
            previous = bounds
        return carried

    def _before(self) -> Bounds | None:
        if self.index == 0 or self._shared():
            return None
        before = self.sentences[self.index - 1]
        if paragraph_break_between(self.field, before[1], self.sentence[0]):
            return None
        if not self._ends_sentence(before) or self._names_other(before, before[0]):
            return None
        return before

    def _with_irony(self, units: list[ScoredUnit]) -> list[ScoredUnit]:
        text = " ".join(unit.text for unit in units)
        complaint = any(unit.valence < 0 for unit in units) or _has_complaint_word(text)
        if not compute_irony(text, complaint):
            return units
        turned = [
            replace(u, valence=turn_for_irony(u.valence) if u.valence else 0.0) for u in units
        ]
        if all(unit.valence == 0.0 for unit in turned):
            turned[0] = replace(turned[0], valence=turn_for_irony(0.0))
        return turned

    def _contrast(self, valence: Callable[[str], float]) -> list[ScoredUnit]:
        """A neutral brand set against another takes the opposite of the other's sentence."""
        neighbours = [
            self.sentences[i]
            for i in (self.index - 1, self.index + 1)
            if 0 <= i < len(self.sentences)
        ]
        if self._shared():
            neighbours.insert(0, self.sentence)
        for bounds in neighbours:
            text = self._text(bounds)
            marked = has_contrast_marker(text) or has_contrast_marker(self._text(self.sentence))
            marked = marked or self._side_by_side(bounds)
            if not marked or not self._names_other(bounds, bounds[0]):
                continue
            other = valence(text) if bounds != self.sentence else self._rest_valence(valence)
            if bounds != self.sentence and is_told_to_improve(text):
                other = turn_for_criticism(other)
            if other:
                return [ScoredUnit(text, -other * CONTRAST_WEIGHT)]
        return []

    def _side_by_side(self, other: Bounds) -> bool:
        """Two sentences each led by a brand ("Globex fixed it in a day. Acme ...") compare them."""
        if other == self.sentence:
            # "Contoso's arm snapped, Hooli's has held for years": each leads its own part.
            own_text, _ = self._own_text()
            return own_text.lstrip(" \t\"'“(").startswith(
                self.field[self.span.start : self.span.end]
            )
        leads = self.field[self.sentence[0] : self.span.start].strip(" \t\"'“(") == ""
        head = (other[0], min(other[1], other[0] + _LEAD_CHARS))
        return leads and self._names_other(head, other[0])

    def _rest_valence(self, valence: Callable[[str], float]) -> float:
        own_text, _ = self._own_text()
        rest = self._text(self.sentence).replace(own_text, " ")
        return valence(rest)


# How far into a sentence its subject is looked for.
_LEAD_CHARS = 24
_CONCESSION = re.compile(r"\beven though\b", re.IGNORECASE)
_UNLIKE = re.compile(r"^\W*unlike\b", re.IGNORECASE)
# What "unlike X, Y ..." says of Y when the rest of the clause has no polar word.
UNLIKE_VALENCE = 1.0
_DISCOURSE_MARKER = re.compile(r"\bon the (?:other|one) hand\b", re.IGNORECASE)
_TURN = re.compile(r"\b(?:but|however|although|though|yet|whereas)\b", re.IGNORECASE)
_SUBORDINATE_TURN = re.compile(r"\W*(?:although|though|even though)\b", re.IGNORECASE)
BEFORE_TURN_WEIGHT = 0.5
# Leaving a brand or moving to it is a cue, outweighed by what is then said of it.
SWITCH_WEIGHT = 0.5
AFTER_TURN_WEIGHT = 1.5


def _has_complaint_word(text: str) -> bool:
    """Whether a word or phrase of ``text`` is a complaint, whatever the praise around it."""
    lexicon = _analyzer().lexicon
    words = compute_vader_input(text).lower().split()
    return any(lexicon.get(word.strip(".,;:!?\"'()"), 0.0) <= _COMPLAINT_WORD for word in words)


# A word this negative on VADER's scale is a complaint ("ruin", "cardboard" is not).
_COMPLAINT_WORD = -1.0

# "Is there any shop better than X?" praises X, like "nobody does it better than X".
_RHETORICAL = re.compile(r"^\W*(?:is there|are there|who|what|where)\b[^?]*\?", re.IGNORECASE)
