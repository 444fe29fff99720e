"""Matching many queries against a document with one scan.

All words and phrases of all queries go into one Aho-Corasick automaton, run once over the
document's word stream. Each query names the patterns of which at least one must be present
(``Compiler.required``); only queries whose required patterns were seen, plus those that can
match without any word (NOT-only, fields-only), are evaluated. The cost per document therefore
follows the words the document contains, not the number of queries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Hashable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Generic, TypeVar

import ahocorasick

from monitor.domain.query.compiler import Compiler, Evaluator, Hit, Occurrences, Scanned
from monitor.domain.query.document import MatchInput, PreparedDocument, prepare_document
from monitor.domain.query.nodes import Query
from monitor.domain.query.parser import parse_query
from monitor.domain.spans import Span

K = TypeVar("K", bound=Hashable)


class QuerySet(Generic[K]):
    """Queries compiled together; ``match`` tells which of them a document matches, and where.

    Build it once (it is immutable) and reuse it for every document. Strings are parsed, so a
    broken query raises :class:`QuerySyntaxError` (with a note naming its key) here.
    """

    def __init__(self, queries: Mapping[K, Query | str]) -> None:
        compiler = Compiler()
        self.queries: dict[K, Query] = {key: _parsed(key, q) for key, q in queries.items()}
        self._evaluators: list[tuple[K, Evaluator]] = []
        self._needing: dict[int, list[int]] = defaultdict(list)
        self._always: list[int] = []
        for index, (key, query) in enumerate(self.queries.items()):
            self._evaluators.append((key, compiler.compile(query)))
            needed = compiler.required(query)
            if needed is None:
                self._always.append(index)
            for pattern in needed or ():
                self._needing[pattern].append(index)
        self._automaton = _automaton(compiler)

    def __len__(self) -> int:
        return len(self._evaluators)

    def __iter__(self) -> Iterator[K]:
        return iter(self.queries)

    def match(self, doc: MatchInput) -> dict[K, list[Span]]:
        """The keys of the queries ``doc`` matches, each with the spans of the words that did it.

        A query that matches without any word (``NOT spam``, ``site:example.com``) maps to [].
        """
        prepared = prepare_document(doc)
        scanned = Scanned(prepared, self._scan(prepared))
        matches: dict[K, list[Span]] = {}
        for index in self._candidates(scanned.occurrences):
            key, evaluate = self._evaluators[index]
            hits = evaluate(scanned)
            if hits is not None:
                matches[key] = _spans(prepared, hits)
        return matches

    def _scan(self, doc: PreparedDocument) -> Occurrences:
        found: Occurrences = defaultdict(list)
        if self._automaton is None:
            return found
        starts: list[int] | None = None
        for end, (pattern, length, words) in self._automaton.iter(doc.stream):
            starts = starts or doc.starts
            # The pattern's leading space sits at end - length + 1; its first word follows.
            first = bisect_left(starts, end - length + 2)
            found[pattern].append((first, first + words - 1))
        return found

    def _candidates(self, occurrences: Occurrences) -> list[int]:
        chosen = set(self._always)
        for pattern in occurrences:
            chosen.update(self._needing.get(pattern, ()))
        return sorted(chosen)


def match_query(query: Query | str, doc: MatchInput) -> list[Span] | None:
    """Spans where ``query`` matches ``doc`` ([] when it matches without words), else None."""
    return _single(parse_query(query) if isinstance(query, str) else query).match(doc).get(0)


@lru_cache(maxsize=256)
def _single(query: Query) -> QuerySet[int]:
    return QuerySet({0: query})


def _parsed(key: object, query: Query | str) -> Query:
    if not isinstance(query, str):
        return query
    try:
        return parse_query(query)
    except ValueError as exc:
        exc.add_note(f"in the query for {key!r}: {query}")
        raise


def _automaton(compiler: Compiler) -> Any:
    if not compiler.patterns:
        return None
    automaton = ahocorasick.Automaton()
    for pattern, pattern_id in compiler.patterns.items():
        automaton.add_word(pattern.text, (pattern_id, len(pattern.text), pattern.words))
    automaton.make_automaton()
    return automaton


def _spans(doc: PreparedDocument, hits: list[Hit]) -> list[Span]:
    runs = {run for hit in hits for run in hit[2]}
    return sorted((doc.span_of(first, last) for first, last in runs), key=_title_first)


def _title_first(span: Span) -> tuple[bool, int, int]:
    return span.field != "title", span.start, span.end
