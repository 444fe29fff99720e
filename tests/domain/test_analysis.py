"""What the analysis computes for a document, and what it skips for one naming no brand."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from monitor.config import Settings
from monitor.domain.analysis import (
    Analyser,
    IncomingDocument,
    compute_analysis,
    compute_brand_findings,
)
from monitor.domain.dedup import compute_fingerprint
from monitor.domain.sentiment import score_mention
from monitor.pipeline.analyser import build_analyser

NOW = datetime(2026, 11, 20, tzinfo=UTC)
TEXT = ("We replaced the old kettle last month. Acme support was wonderful and fixed the "
        "order in a day, although the courier was awful and left the box in the rain.")


def _doc(text: str) -> IncomingDocument:
    return IncomingDocument(key="k", url="https://blog.example.com/p", kind="post",
                            title="Kettles", text=text, author=None, published_at=NOW,
                            discovered_at=NOW, source_kind="rss", language="en")


def test_a_document_naming_a_brand_gets_its_mention_scored_and_a_fingerprint() -> None:
    analysis = compute_analysis(build_analyser(Settings(), {1: "Acme"}), _doc(TEXT))
    assert [m.brand_id for m in analysis.mentions] == [1]
    mention = analysis.mentions[0]
    assert mention.sentiment == score_mention("Kettles", TEXT, mention.spans, "en")
    assert analysis.sentiment is None  # only the mention's context is scored
    assert analysis.fingerprint == compute_fingerprint(f"Kettles\n{TEXT}")


def test_a_document_naming_no_brand_skips_the_fingerprint() -> None:
    text = TEXT.replace("Acme", "The")
    analysis = compute_analysis(build_analyser(Settings(), {1: "Acme"}), _doc(text))
    assert analysis.mentions == []
    assert analysis.sentiment is None
    assert analysis.fingerprint is None
    assert analysis.language == "en"
    assert len(analysis.content_hash) == 64


class CountingGuesser:
    """Says every text is in ``language``, and counts how often it was asked."""

    def __init__(self, language: str | None = "en") -> None:
        self.language = language
        self.asked: list[str] = []

    def detect(self, text: str) -> str | None:
        self.asked.append(text)
        return self.language


def _analyser(queries: dict[int, str], guesser: CountingGuesser) -> Analyser:
    built = build_analyser(Settings(), queries)
    return Analyser(brands=built.brands, topics=built.topics, languages=guesser)


def _unknown(text: str) -> IncomingDocument:
    return dataclasses.replace(_doc(text), language=None)


def test_the_language_is_detected_only_for_a_document_naming_a_brand() -> None:
    guesser = CountingGuesser("fr")
    analyser = _analyser({1: "Acme"}, guesser)
    plain = compute_analysis(analyser, _unknown(TEXT.replace("Acme", "The")))
    assert plain.language is None
    assert guesser.asked == []
    named = compute_analysis(analyser, _unknown(TEXT))
    assert named.language == "fr"
    assert len(guesser.asked) == 1
    mention = named.mentions[0]
    assert mention.sentiment == score_mention("Kettles", TEXT, mention.spans, "fr")


def test_a_lang_query_asks_for_the_language_of_documents_holding_its_words_only() -> None:
    guesser = CountingGuesser("de")
    analyser = _analyser({1: "Acme lang:en", 2: "Acme lang:de"}, guesser)
    assert compute_analysis(analyser, _unknown(TEXT.replace("Acme", "The"))).mentions == []
    assert guesser.asked == []
    analysis = compute_analysis(analyser, _unknown(TEXT))
    assert [m.brand_id for m in analysis.mentions] == [2]
    assert analysis.language == "de"
    assert len(guesser.asked) == 1  # detected once, for both queries and the scoring


def test_a_stored_document_without_a_language_has_it_detected_when_re_matched() -> None:
    guesser = CountingGuesser("en")
    analyser = _analyser({1: "Acme lang:en"}, guesser)
    [finding] = compute_brand_findings(analyser, _unknown(TEXT), None)
    assert finding.brand_id == 1
    assert compute_brand_findings(analyser, _unknown(TEXT), "fr") == []
    assert len(guesser.asked) == 1  # a stored language is used as it is
