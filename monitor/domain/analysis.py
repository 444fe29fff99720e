"""Turn a collected document into what the store keeps: language, mentions, sentiment, topics.

Pure: the brand matcher, topic tagger and language detector are built once by the caller and
passed in, so the costs of compiling them are paid once per process, not per document.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from monitor.domain.dedup import Fingerprint, compute_content_hash, compute_fingerprint
from monitor.domain.query import MatchInput, QuerySet
from monitor.domain.sentiment import SentimentScore, score_mention
from monitor.domain.snippets import render_snippet
from monitor.domain.spans import Span


class LanguageGuesser(Protocol):
    def detect(self, text: str) -> str | None: ...


class TopicTagging(Protocol):
    def tag(self, doc: MatchInput, spans: list[Span] | None = None) -> list[str]: ...


@dataclass(frozen=True, slots=True)
class IncomingDocument:
    """A collected document with the context the analysis needs (source kind, times)."""

    key: str
    url: str
    kind: str
    title: str
    text: str
    author: str | None
    published_at: datetime | None
    discovered_at: datetime
    source_kind: str | None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class MentionFinding:
    brand_id: int
    spans: list[Span]
    snippet: str
    sentiment: SentimentScore
    topics: list[str]


@dataclass(frozen=True, slots=True)
class DocumentAnalysis:
    """What is kept of a document.

    Sentiment is scored only on the mentions' contexts: no view shows a whole document's
    sentiment, and scoring every crawled text was half the cost of ingesting, so ``sentiment``
    is left unscored (None). The near-duplicate fingerprint serves only documents that
    mention a brand (nothing else is ever listed), so the other 93% or so skip it."""

    language: str | None
    content_hash: str
    fingerprint: Fingerprint | None
    sentiment: SentimentScore | None
    mentions: list[MentionFinding] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Analyser:
    """Everything compiled once: the brands' queries, the topic rules, the language detector."""

    brands: QuerySet[int]
    topics: TopicTagging
    languages: LanguageGuesser


def compute_analysis(analyser: Analyser, doc: IncomingDocument) -> DocumentAnalysis:
    """Match first; the language is detected only for a document that names a brand (its
    sentiment and topics need it) or that a ``lang:`` query asks about, so the ~93% of
    crawled texts naming no brand are stored without one (no view shows it for them)."""
    language = _Language(analyser.languages, doc, doc.language)
    mentions = _findings(analyser, doc, language)
    return DocumentAnalysis(
        language=language.known,
        content_hash=compute_content_hash(doc.title, doc.text),
        fingerprint=compute_fingerprint(f"{doc.title}\n{doc.text}") if mentions else None,
        sentiment=None,
        mentions=mentions,
    )


def compute_brand_findings(
    analyser: Analyser, doc: IncomingDocument, language: str | None
) -> list[MentionFinding]:
    """The mentions of a stored document, for re-matching after a brand's query changed.

    A document stored without a language (it named no brand then) has it detected here
    when it is needed, as at collection."""
    return _findings(analyser, doc, _Language(analyser.languages, doc, language))


class _Language:
    """A document's language: the one given, else detected once, when first asked."""

    def __init__(self, guesser: LanguageGuesser, doc: IncomingDocument,
                 given: str | None) -> None:
        self._guesser, self._doc = guesser, doc
        self._asked = bool(given)
        self.known: str | None = given or None

    def __call__(self) -> str | None:
        if not self._asked:
            self._asked = True
            self.known = self._guesser.detect(f"{self._doc.title}\n{self._doc.text}")
        return self.known


def _findings(analyser: Analyser, doc: IncomingDocument, language: _Language
              ) -> list[MentionFinding]:
    matches = analyser.brands.match(_match_input(doc, language.known, language))
    if not matches:
        return []
    lang = language()
    match_input = _match_input(doc, lang)
    return [
        compute_finding(analyser, match_input, brand_id, spans, lang)
        for brand_id, spans in sorted(matches.items())
    ]


def compute_finding(
    analyser: Analyser, doc: MatchInput, brand_id: int, spans: Sequence[Span], lang: str | None
) -> MentionFinding:
    span_list = sorted(spans)
    return MentionFinding(
        brand_id=brand_id,
        spans=span_list,
        snippet=render_snippet(doc.title, doc.text, span_list),
        sentiment=score_mention(doc.title, doc.text, span_list, lang),
        topics=analyser.topics.tag(doc, span_list),
    )


def _match_input(doc: IncomingDocument, language: str | None,
                 detect: Callable[[], str | None] | None = None) -> MatchInput:
    return MatchInput(
        title=doc.title,
        text=doc.text,
        author=doc.author,
        url=doc.url,
        language=language,
        source_kind=doc.source_kind,
        kind=doc.kind,
        detect_language=None if language else detect,
    )
