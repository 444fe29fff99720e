"""Why an alert fired: the figures, the sentiment split, what people talked about, and where."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.domain.alerts.detection import Detection, Figures
from monitor.domain.alerts.points import NEGATIVE, compute_happened_at
from monitor.domain.terms import compute_top_terms as compute_text_terms

MAX_SAMPLES = 5
MAX_TERMS = 5
MAX_THREADS = 3
MAX_SOURCES = 3
SNIPPET_CHARS = 280

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class MentionRow:
    """A mention with what an explanation shows: text, links, source and sentiment."""

    mention_id: int
    url: str
    title: str
    text: str
    source_name: str
    published_at: datetime | None
    discovered_at: datetime
    label: str = "neutral"
    score: float = 0.0
    author: str | None = None
    thread_url: str | None = None
    thread_title: str | None = None
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SentimentSplit:
    """Mentions per sentiment label."""

    positive: int = 0
    neutral: int = 0
    negative: int = 0

    @property
    def total(self) -> int:
        return self.positive + self.neutral + self.negative

    @property
    def negative_share(self) -> float:
        return self.negative / self.total if self.total else 0.0


@dataclass(frozen=True, slots=True)
class TermCount:
    """A term, topic or source name and in how many mentions it appeared."""

    term: str
    count: int


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A thread (or page) the alert's mentions came from."""

    url: str
    title: str
    source_name: str
    mentions: int
    negative: int


@dataclass(frozen=True, slots=True)
class SampleMention:
    """One mention shown as an example, text cut to a snippet."""

    mention_id: int
    url: str
    title: str
    snippet: str
    source_name: str
    author: str | None
    at: datetime
    label: str


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything an alert message shows about why it fired."""

    summary: str
    figures: Figures
    sentiment: SentimentSplit
    top_terms: tuple[TermCount, ...] = ()
    top_topics: tuple[TermCount, ...] = ()
    top_sources: tuple[TermCount, ...] = ()
    top_threads: tuple[ThreadSummary, ...] = ()
    samples: tuple[SampleMention, ...] = ()

    def ranked_lists(self) -> list[tuple[str, tuple[TermCount, ...]]]:
        """The counted lists every message shows after the figures, titled, non-empty only."""
        lists = [("Top sources", self.top_sources), ("Top terms", self.top_terms),
                 ("Topics", self.top_topics)]
        return [(title, counts) for title, counts in lists if counts]


def compute_row_time(row: MentionRow) -> datetime:
    """When the mention happened (see ``compute_happened_at``)."""
    return compute_happened_at(row.published_at, row.discovered_at)


def compute_sentiment_split(labels: Iterable[str]) -> SentimentSplit:
    """Count labels; unscored ones are left out."""
    counts = Counter(labels)
    return SentimentSplit(counts["positive"], counts["neutral"], counts["negative"])


def compute_top_terms(rows: Sequence[MentionRow], exclude_terms: Iterable[str],
                      background: Iterable[str] = ()) -> tuple[TermCount, ...]:
    """Words and word pairs that set the alert's mentions apart from the ``background`` texts
    (the brand's earlier mentions), ranked by keyness (see ``monitor.domain.terms``).

    A term must recur to say anything about a burst, unless the alert rests on a few mentions.
    """
    found = compute_text_terms([f"{row.title}\n{row.text}" for row in rows],
                               min_count=2 if len(rows) > 3 else 1, top=MAX_TERMS,
                               exclude=exclude_terms, background=background)
    return tuple(TermCount(t.term, t.count) for t in found)


def compute_ranked(counts: Mapping[str, int], limit: int) -> tuple[TermCount, ...]:
    """Highest counts first, ties alphabetically so output is stable."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(TermCount(term, count) for term, count in ranked[:limit])


def compute_top_threads(rows: Sequence[MentionRow]) -> tuple[ThreadSummary, ...]:
    """Threads with the most mentions; a mention outside any thread is its own page."""
    groups: dict[str, list[MentionRow]] = {}
    for row in rows:
        groups.setdefault(row.thread_url or row.url, []).append(row)
    threads = [
        ThreadSummary(url=url, title=members[0].thread_title or members[0].title,
                      source_name=members[0].source_name, mentions=len(members),
                      negative=sum(m.label == NEGATIVE for m in members))
        for url, members in groups.items()
    ]
    threads.sort(key=lambda t: (-t.mentions, -t.negative, t.url))
    return tuple(threads[:MAX_THREADS])


def compute_snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """Whitespace collapsed and cut on a word boundary with an ellipsis."""
    flat = _SPACE.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    cut = flat[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def compute_samples(rows: Sequence[MentionRow], limit: int = MAX_SAMPLES) -> tuple[
        SampleMention, ...]:
    """Up to ``limit`` examples: negative ones first, the most negative and newest leading."""
    ranked = sorted(rows, key=lambda r: (r.label != NEGATIVE, r.score,
                                         -compute_row_time(r).timestamp(), r.mention_id))
    return tuple(
        SampleMention(mention_id=r.mention_id, url=r.url, title=r.title,
                      snippet=compute_snippet(r.text or r.title), source_name=r.source_name,
                      author=r.author, at=compute_row_time(r), label=r.label)
        for r in ranked[:limit]
    )


def compute_explanation(
    detection: Detection, rows: Sequence[MentionRow], *, exclude_terms: Iterable[str] = (),
    background: Iterable[str] = (),
) -> Explanation:
    """The explanation for a detection from the mentions in its window (or its matches).

    ``exclude_terms`` are the brand's own names and keywords, which would otherwise top every
    term list; ``background`` holds the texts of the brand's usual mentions, against which the
    window's terms are ranked.
    """
    return Explanation(
        summary=detection.summary,
        figures=detection.figures,
        sentiment=compute_sentiment_split(r.label for r in rows),
        top_terms=compute_top_terms(rows, exclude_terms, background),
        top_topics=compute_ranked(Counter(t for r in rows for t in set(r.topics)), MAX_TERMS),
        top_sources=compute_ranked(Counter(r.source_name for r in rows), MAX_SOURCES),
        top_threads=compute_top_threads(rows),
        samples=compute_samples(rows),
    )


def compute_explanation_record(explanation: Explanation) -> dict[str, Any]:
    """A JSON-ready dict (times as ISO 8601) for storing with the alert."""
    figures = explanation.figures
    return {
        "summary": explanation.summary,
        "figures": {
            "unit": figures.unit, "observed": figures.observed, "expected": figures.expected,
            "window_start": figures.window_start.isoformat(),
            "window_end": figures.window_end.isoformat(),
            "baseline_method": figures.baseline_method, "p_value": figures.p_value,
            "window_mentions": figures.window_mentions,
        },
        "sentiment": {"positive": explanation.sentiment.positive,
                      "neutral": explanation.sentiment.neutral,
                      "negative": explanation.sentiment.negative},
        "top_terms": [[t.term, t.count] for t in explanation.top_terms],
        "top_topics": [[t.term, t.count] for t in explanation.top_topics],
        "top_sources": [[t.term, t.count] for t in explanation.top_sources],
        "top_threads": [[t.url, t.title, t.source_name, t.mentions, t.negative]
                        for t in explanation.top_threads],
        "samples": [compute_sample_record(s) for s in explanation.samples],
    }


def compute_sample_record(sample: SampleMention) -> dict[str, Any]:
    """One sample mention as a JSON-ready dict."""
    return {"mention_id": sample.mention_id, "url": sample.url, "title": sample.title,
            "snippet": sample.snippet, "source_name": sample.source_name,
            "author": sample.author, "at": sample.at.isoformat(), "label": sample.label}


def compute_explanation_from_record(record: Mapping[str, Any]) -> Explanation:
    """Inverse of ``compute_explanation_record``; raises KeyError/ValueError on a bad record."""
    fig = record["figures"]
    figures = Figures(unit=fig["unit"], observed=float(fig["observed"]),
                      expected=float(fig["expected"]),
                      window_start=datetime.fromisoformat(fig["window_start"]),
                      window_end=datetime.fromisoformat(fig["window_end"]),
                      baseline_method=fig["baseline_method"], p_value=fig["p_value"],
                      window_mentions=int(fig["window_mentions"]))
    return Explanation(
        summary=str(record["summary"]),
        figures=figures,
        sentiment=SentimentSplit(**record["sentiment"]),
        top_terms=tuple(TermCount(str(t), int(c)) for t, c in record["top_terms"]),
        top_topics=tuple(TermCount(str(t), int(c)) for t, c in record["top_topics"]),
        top_sources=tuple(TermCount(str(t), int(c)) for t, c in record["top_sources"]),
        top_threads=tuple(ThreadSummary(*row) for row in record["top_threads"]),
        samples=tuple(SampleMention(**{**s, "at": datetime.fromisoformat(s["at"])})
                      for s in record["samples"]),
    )
