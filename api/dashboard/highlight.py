"""Crawled text made safe for HTML, with the brand's matches marked.

Every piece of text is escaped first; only the ``<mark>`` tags we add are markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

MAX_TERM_CHARS = 200


def compute_ranges(spans: Iterable[Sequence[Any]], field: str, length: int
                   ) -> list[tuple[int, int]]:
    """The spans over ``field`` as sorted, merged, clipped [start, end) ranges; junk skipped."""
    ranges = []
    for span in spans:
        if len(span) != 3 or span[0] != field:
            continue
        start, end = span[1], span[2]
        if isinstance(start, int) and isinstance(end, int):
            start, end = max(0, start), min(length, end)
            if start < end:
                ranges.append((start, end))
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def render_marked(text: str, ranges: Sequence[tuple[int, int]]) -> Markup:
    """``text`` escaped, with each range wrapped in ``<mark>``."""
    parts: list[str] = []
    position = 0
    for start, end in ranges:
        parts.append(str(escape(text[position:start])))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        position = end
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped


def render_field(text: str, spans: Iterable[Sequence[Any]], field: str) -> Markup:
    """The document's ``title`` or ``text`` with its stored match spans marked."""
    return render_marked(text, compute_ranges(spans, field, len(text)))


def compute_terms(title: str, text: str, spans: Iterable[Sequence[Any]]) -> list[str]:
    """The distinct strings the spans cover, longest first."""
    terms: set[str] = set()
    for field, source in (("title", title), ("text", text)):
        for start, end in compute_ranges(spans, field, len(source)):
            term = source[start:end].strip()
            if term and len(term) <= MAX_TERM_CHARS:
                terms.add(term.casefold())
    return sorted(terms, key=lambda t: (-len(t), t))


def render_snippet(snippet: str, terms: Sequence[str]) -> Markup:
    """``snippet`` escaped, every case-insensitive occurrence of a term marked."""
    folded = snippet.casefold()
    ranges = []
    if len(folded) == len(snippet):  # case folding kept offsets: they can be used as-is
        for term in terms:
            start = folded.find(term)
            while start != -1:
                ranges.append((start, start + len(term)))
                start = folded.find(term, start + len(term))
    return render_marked(snippet, compute_ranges([("x", s, e) for s, e in ranges], "x",
                                                 len(snippet)))


def safe_href(url: str | None) -> str:
    """The URL when it is http(s), else ``#``: crawled links never run script."""
    if not url:
        return "#"
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return "#"
    return url.strip() if scheme in ("http", "https") else "#"
