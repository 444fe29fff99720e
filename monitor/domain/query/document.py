"""A document as the matcher sees it: its words found once, shared by every query."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from itertools import accumulate, count
from urllib.parse import urlsplit

from monitor.domain.spans import Span
from monitor.domain.text import WORD_RE, compute_folded

# Stands between the title's words and the text's, so no phrase or NEAR spans the two.
FIELD_BREAK = "\x00"


@dataclass(frozen=True, slots=True)
class MatchInput:
    """What a query can look at: the words of title and text, and the document's metadata."""

    title: str
    text: str
    author: str | None
    url: str
    language: str | None
    source_kind: str | None
    kind: str
    # Asked for the language only when ``language`` is None and a query tests it (``lang:``):
    # detecting a language costs more than matching, and most documents are never asked.
    detect_language: Callable[[], str | None] | None = None


class PreparedDocument:
    """The words of title and text, in one space-separated stream for the multi-pattern scan.

    Word ``i`` of the stream is title word ``i`` for ``i < n_title``, the field break at
    ``n_title``, and text word ``i - n_title - 1`` after it. Offsets are computed on first use,
    since most documents match nothing and never need them.
    """

    def __init__(self, doc: MatchInput) -> None:
        self.doc = doc
        self._folded_title = compute_folded(doc.title)
        self._folded_text = compute_folded(doc.text)
        title_words = WORD_RE.findall(self._folded_title)
        self.n_title = len(title_words)
        self._words = [*title_words, FIELD_BREAK, *WORD_RE.findall(self._folded_text)]
        self.stream = f" {' '.join(self._words)} "

    @cached_property
    def starts(self) -> list[int]:
        """Offset in ``stream`` where each word starts (one extra entry at the end)."""
        return list(map(operator.add, accumulate(map(len, self._words), initial=0), count(1)))

    @cached_property
    def _title_spans(self) -> list[tuple[int, int]]:
        return list(map(re.Match.span, WORD_RE.finditer(self._folded_title)))

    @cached_property
    def _text_spans(self) -> list[tuple[int, int]]:
        return list(map(re.Match.span, WORD_RE.finditer(self._folded_text)))

    def span_of(self, first: int, last: int) -> Span:
        """Character offsets covering words ``first`` to ``last`` (in the same field)."""
        if first < self.n_title:
            return Span("title", self._title_spans[first][0], self._title_spans[last][1])
        offset = self.n_title + 1
        return Span("text", self._text_spans[first - offset][0], self._text_spans[last - offset][1])

    def original_word(self, index: int) -> str:
        """Word ``index`` as written (case and accents kept), for case-sensitive terms."""
        if index < self.n_title:
            start, end = self._title_spans[index]
            return self.doc.title[start:end]
        start, end = self._text_spans[index - self.n_title - 1]
        return self.doc.text[start:end]

    @cached_property
    def host(self) -> str:
        try:
            return (urlsplit(self.doc.url).hostname or "").rstrip(".")
        except ValueError:
            return ""

    @cached_property
    def url(self) -> str:
        return self.doc.url.lower()

    @cached_property
    def author(self) -> str:
        return " ".join((self.doc.author or "").split()).casefold()

    @cached_property
    def language(self) -> str:
        language = self.doc.language
        if language is None and self.doc.detect_language is not None:
            language = self.doc.detect_language()
        return (language or "").lower().replace("_", "-")


@lru_cache(maxsize=16)
def prepare_document(doc: MatchInput) -> PreparedDocument:
    """Tokenise ``doc`` once, however many query sets (brands, topics) look at it."""
    return PreparedDocument(doc)
