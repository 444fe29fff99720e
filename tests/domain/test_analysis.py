"""What the analysis computes for a document, and what it skips for one naming no brand."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.config import Settings
from monitor.domain.analysis import IncomingDocument, compute_analysis
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
