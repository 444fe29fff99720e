"""Query trees to evaluators over a scanned document, plus what each query needs to be present.

Every word or phrase becomes a pattern in one multi-pattern scan (see ``matcher``); an evaluator
then only looks up where its patterns occurred. A *hit* is a run of words ``(first, last)`` with
the word runs of the positive terms that produced it, so a match can say where it is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from monitor.domain.query.document import PreparedDocument
from monitor.domain.query.nodes import (
    And,
    FieldFilter,
    InTitle,
    Near,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from monitor.domain.text import compute_word_spans, compute_words

WordRun = tuple[int, int]
Hit = tuple[int, int, tuple[WordRun, ...]]
Occurrences = dict[int, list[WordRun]]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A key of the scan: words joined by single spaces, open-ended for a trailing wildcard."""

    text: str
    words: int


@dataclass(slots=True)
class Scanned:
    """One document as seen by one compiled query set."""

    doc: PreparedDocument
    occurrences: Occurrences


Evaluator = Callable[[Scanned], list[Hit] | None]
_by_first = itemgetter(0)
_by_last = itemgetter(1)


class Compiler:
    """Compiles many queries against one shared table of patterns."""

    def __init__(self) -> None:
        self.patterns: dict[Pattern, int] = {}
        self._lengths: list[int] = []

    def pattern_id(self, text: str, *, wildcard: bool) -> int:
        words = compute_words(text)
        pattern = Pattern(f" {' '.join(words)}{'' if wildcard else ' '}", len(words))
        known = self.patterns.get(pattern)
        if known is not None:
            return known
        self.patterns[pattern] = len(self._lengths)
        self._lengths.append(len(pattern.text))
        return self.patterns[pattern]

    def compile(self, node: Query, *, title_only: bool = False) -> Evaluator:
        if isinstance(node, Term | Phrase):
            return self._leaf(node, title_only)
        if isinstance(node, FieldFilter):
            return _field(node)
        if isinstance(node, InTitle):
            return self.compile(node.child, title_only=True)
        if isinstance(node, Not):
            return _not(self.compile(node.child, title_only=title_only))
        if isinstance(node, And):
            ordered = sorted(node.children, key=_cost)
            return _and([self.compile(c, title_only=title_only) for c in ordered])
        if isinstance(node, Or):
            return _or([self.compile(c, title_only=title_only) for c in node.children])
        return _near(
            self.compile(node.left, title_only=title_only),
            self.compile(node.right, title_only=title_only),
            node.distance,
            node.ordered,
        )

    def required(self, node: Query) -> frozenset[int] | None:
        """Pattern ids of which at least one occurs in every matching document.

        None when the query can match with none of its words present (NOT, fields only).
        """
        if isinstance(node, Term | Phrase):
            return frozenset({self.pattern_id(node.text, wildcard=_wildcard(node))})
        if isinstance(node, InTitle):
            return self.required(node.child)
        if isinstance(node, Or):
            union: set[int] = set()
            for child in node.children:
                needed = self.required(child)
                if needed is None:
                    return None
                union |= needed
            return frozenset(union)
        if isinstance(node, And | Near):
            children = node.children if isinstance(node, And) else (node.left, node.right)
            sets = [s for s in map(self.required, children) if s is not None]
            return min(sets, key=self._selectivity) if sets else None
        return None

    def _selectivity(self, ids: frozenset[int]) -> tuple[int, int]:
        """Fewer patterns first, then longer ones (long words are rarer)."""
        return len(ids), -min(self._lengths[i] for i in ids)

    def _leaf(self, node: Term | Phrase, title_only: bool) -> Evaluator:
        wildcard = _wildcard(node)
        pattern = self.pattern_id(node.text, wildcard=wildcard)
        raw = [node.text[s:e] for s, e in compute_word_spans(node.text)] if node.raw else None

        def evaluate(scanned: Scanned) -> list[Hit] | None:
            found = scanned.occurrences.get(pattern)
            if not found:
                return None
            doc = scanned.doc
            if title_only:
                found = [run for run in found if run[0] < doc.n_title]
            if raw is not None:
                found = [run for run in found if _same_case(doc, run, raw, wildcard)]
            return [(first, last, ((first, last),)) for first, last in found] or None

        return evaluate


def _wildcard(node: Term | Phrase) -> bool:
    return isinstance(node, Term) and node.wildcard


def _cost(node: Query) -> int:
    """Cheap tests first, so AND gives up early."""
    if isinstance(node, FieldFilter):
        return 0
    return 1 if isinstance(node, Term | Phrase) else 2


def _same_case(doc: PreparedDocument, run: WordRun, raw: list[str], wildcard: bool) -> bool:
    written = [doc.original_word(i) for i in range(run[0], run[1] + 1)]
    if not wildcard:
        return written == raw
    return written[:-1] == raw[:-1] and written[-1].startswith(raw[-1])


def _field(node: FieldFilter) -> Evaluator:
    test = _FIELD_TESTS[node.name]
    value = node.value

    def evaluate(scanned: Scanned) -> list[Hit] | None:
        return [] if test(scanned.doc, value) else None

    return evaluate


def _site(doc: PreparedDocument, value: str) -> bool:
    host = doc.host
    return host == value or host.endswith("." + value)


def _lang(doc: PreparedDocument, value: str) -> bool:
    return doc.language == value or doc.language.startswith(value + "-")


def _author(doc: PreparedDocument, value: str) -> bool:
    return doc.author == " ".join(value.split()).casefold()


_FIELD_TESTS: dict[str, Callable[[PreparedDocument, str], bool]] = {
    "site": _site,
    "url": lambda doc, value: value in doc.url,
    "lang": _lang,
    "author": _author,
    "source": lambda doc, value: (doc.doc.source_kind or "").lower() == value,
    "kind": lambda doc, value: doc.doc.kind.lower() == value,
}


def _not(child: Evaluator) -> Evaluator:
    def evaluate(scanned: Scanned) -> list[Hit] | None:
        return [] if child(scanned) is None else None

    return evaluate


def _and(children: list[Evaluator]) -> Evaluator:
    def evaluate(scanned: Scanned) -> list[Hit] | None:
        hits: list[Hit] = []
        for child in children:
            found = child(scanned)
            if found is None:
                return None
            hits.extend(found)
        return hits

    return evaluate


def _or(children: list[Evaluator]) -> Evaluator:
    def evaluate(scanned: Scanned) -> list[Hit] | None:
        results = [found for found in (child(scanned) for child in children) if found is not None]
        if not results:
            return None
        # Alternatives may find the same words (delta OR delta*); keep each hit once.
        return list(dict.fromkeys(hit for found in results for hit in found))

    return evaluate


def _near(left: Evaluator, right: Evaluator, distance: int, ordered: bool) -> Evaluator:
    def evaluate(scanned: Scanned) -> list[Hit] | None:
        lefts = left(scanned)
        rights = right(scanned) if lefts else None
        if not lefts or not rights:
            return None
        return _pairs(lefts, rights, distance, ordered, scanned.doc.n_title) or None

    return evaluate


def _pairs(
    lefts: list[Hit], rights: list[Hit], distance: int, ordered: bool, n_title: int
) -> list[Hit]:
    """Pairs with at most ``distance`` words between them, in the same field, not overlapping."""
    pairs: list[Hit] = []
    after = sorted(rights, key=_by_first)
    firsts = [hit[0] for hit in after]
    before = sorted(rights, key=_by_last)
    lasts = [hit[1] for hit in before]
    for a in lefts:
        lo = bisect_left(firsts, a[1] + 1)
        hi = bisect_right(firsts, a[1] + 1 + distance)
        pairs.extend(_joined(a, b) for b in after[lo:hi] if _same_field(a, b, n_title))
        if not ordered:
            lo = bisect_left(lasts, a[0] - 1 - distance)
            hi = bisect_right(lasts, a[0] - 1)
            pairs.extend(_joined(b, a) for b in before[lo:hi] if _same_field(a, b, n_title))
    return list(dict.fromkeys(pairs))


def _same_field(a: Hit, b: Hit, n_title: int) -> bool:
    return (a[0] < n_title) == (b[0] < n_title)


def _joined(first: Hit, second: Hit) -> Hit:
    return (first[0], second[1], first[2] + second[2])
