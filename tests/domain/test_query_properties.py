"""Properties of the query language, checked on generated queries and documents.

The matcher is compared with a reference written here from the product rules, by brute force
over the document's words: no pattern scan, no prefilter. Agreement on random queries and
documents shows that the prefilter never loses a match and the spans are the same.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.domain.query import (
    And,
    FieldFilter,
    InTitle,
    MatchInput,
    Near,
    Not,
    Or,
    Phrase,
    Query,
    QuerySet,
    QuerySyntaxError,
    Term,
    match_query,
    parse_query,
    render_query,
)
from monitor.domain.query.compiler import Compiler
from monitor.domain.query.document import prepare_document
from monitor.domain.query.nodes import has_positions
from monitor.domain.spans import Span
from monitor.domain.text import compute_word_spans, compute_words

WORDS = ["delta", "Delta", "flight", "gate", "apple", "Apple", "pie", "refund", "refunds"]
WORDS += ["e-mail", "Nestlé", "東", "🍎", "don't", "ACME"]
STEMS = ["del", "ref", "Ap", "fli", "e-ma", "東"]
SEPARATORS = [" ", " ", " ", ", ", "-", "'s ", ". ", "\n", " (", ") ", " https://x.io/delta "]

terms = st.one_of(
    st.builds(Term, st.sampled_from(WORDS), raw=st.booleans()),
    st.builds(Term, st.sampled_from([s for s in STEMS if s != "東"]), wildcard=st.just(True)),
    st.builds(Term, st.sampled_from(["Del", "App"]), wildcard=st.just(True), raw=st.just(True)),
)
phrases = st.builds(
    Phrase,
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
    raw=st.booleans(),
)
fields = st.one_of(
    st.builds(FieldFilter, st.just("site"), st.sampled_from(["x.io", "example.com", "www.a.b"])),
    st.builds(FieldFilter, st.just("lang"), st.sampled_from(["en", "de", "pt-BR"])),
    st.builds(FieldFilter, st.just("kind"), st.sampled_from(["post", "comment"])),
    st.builds(FieldFilter, st.just("source"), st.sampled_from(["rss", "reddit"])),
    st.builds(FieldFilter, st.just("author"), st.sampled_from(["Jane Doe", "bob", 'q"t\\'])),
    st.builds(FieldFilter, st.just("url"), st.sampled_from(["/post", "X.IO/", "a b"])),
)


def _compound(children: st.SearchStrategy[Query]) -> st.SearchStrategy[Query]:
    positional = children.filter(has_positions)
    groups = st.lists(children, min_size=2, max_size=4).map(tuple)
    return st.one_of(
        st.builds(Not, children),
        st.builds(And, groups),
        st.builds(Or, groups),
        st.builds(InTitle, children),
        st.builds(Near, positional, positional, st.integers(0, 4), st.booleans()),
    )


queries: st.SearchStrategy[Query] = st.recursive(
    st.one_of(terms, terms, phrases, fields), _compound, max_leaves=10
)

texts = st.lists(
    st.tuples(
        st.sampled_from([*WORDS, "the", "was", "late", "Deltas"]), st.sampled_from(SEPARATORS)
    ),
    max_size=14,
).map(lambda parts: "".join(w + s for w, s in parts))

documents = st.builds(
    MatchInput,
    title=texts,
    text=texts,
    author=st.sampled_from([None, "Jane  Doe", "BOB"]),
    url=st.sampled_from(["https://x.io/post", "http://www.example.com/a%20b", "https://a.b/"]),
    language=st.sampled_from([None, "en", "pt-br", "DE"]),
    source_kind=st.sampled_from([None, "rss", "reddit"]),
    kind=st.sampled_from(["post", "comment"]),
)

QUERY_FRAGMENTS = [
    "a", "b", " ", " ", "(", ")", '"', "*", ":", "-", "\\", "AND", "OR", "NOT", "NEAR/2",
    "ONEAR/0", "NEAR", "title:", "raw:", "site:", "lang:", "kind:", "author:", "x.com", "en",
    "post", "é", "🍎", "東", "'s", "&", "\n", "NEAR/99999999999",
]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(queries)
def test_generated_queries_print_and_read_back_unchanged(query: Query) -> None:
    printed = render_query(query)
    assert parse_query(printed) == query
    assert render_query(parse_query(printed)) == printed


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(QUERY_FRAGMENTS), max_size=12).map("".join), st.text()))
def test_any_text_parses_or_fails_with_a_syntax_error(source: str) -> None:
    try:
        query = parse_query(source)
    except QuerySyntaxError as error:
        column = error.column
    else:
        assert parse_query(render_query(query)) == query
        return
    assert 1 <= column <= len(source) + 1


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(queries, min_size=1, max_size=6), documents)
def test_query_set_agrees_with_the_reference_and_with_single_queries(
    batch: list[Query], doc: MatchInput
) -> None:
    expected = {}
    for index, query in enumerate(batch):
        spans = reference_match(query, doc)
        assert match_query(query, doc) == spans
        if spans is not None:
            expected[index] = spans
    assert QuerySet(dict(enumerate(batch))).match(doc) == expected


@settings(max_examples=200, deadline=None)
@given(queries, documents)
def test_a_matching_document_holds_one_of_the_required_words(query: Query, doc: MatchInput) -> None:
    if reference_match(query, doc) is None:
        return
    compiler = Compiler()
    needed = compiler.required(query)
    if needed is None:
        return
    stream = prepare_document(doc).stream
    assert any(p.text in stream for p, i in compiler.patterns.items() if i in needed)


# --- the reference: the product rules, by brute force --------------------------------------

Run = tuple[str, int, int]  # field, first word, last word
Hit = tuple[str, int, int, frozenset[Run]]


class _Words:
    def __init__(self, doc: MatchInput) -> None:
        self.doc = doc
        self.folded = {"title": compute_words(doc.title), "text": compute_words(doc.text)}
        self.spans = {"title": compute_word_spans(doc.title), "text": compute_word_spans(doc.text)}

    def original(self, field: str, index: int) -> str:
        start, end = self.spans[field][index]
        return (self.doc.title if field == "title" else self.doc.text)[start:end]


def reference_match(query: Query, doc: MatchInput) -> list[Span] | None:
    words = _Words(doc)
    hits = _evaluate(query, words, title_only=False)
    if hits is None:
        return None
    runs = {run for hit in hits for run in hit[3]}
    spans = [Span(f, words.spans[f][a][0], words.spans[f][b][1]) for f, a, b in runs]  # type: ignore[arg-type]
    return sorted(spans, key=lambda s: (s.field != "title", s.start, s.end))


def _evaluate(node: Query, words: _Words, *, title_only: bool) -> list[Hit] | None:
    if isinstance(node, Term | Phrase):
        return _leaf(node, words, title_only) or None
    if isinstance(node, FieldFilter):
        return [] if _field_holds(node, words.doc) else None
    if isinstance(node, InTitle):
        return _evaluate(node.child, words, title_only=True)
    if isinstance(node, Not):
        return [] if _evaluate(node.child, words, title_only=title_only) is None else None
    if isinstance(node, And | Or):
        results = [_evaluate(c, words, title_only=title_only) for c in node.children]
        found = [r for r in results if r is not None]
        if (isinstance(node, And) and len(found) < len(results)) or not found:
            return None
        return [hit for r in found for hit in r]
    lefts = _evaluate(node.left, words, title_only=title_only)
    rights = _evaluate(node.right, words, title_only=title_only)
    if not lefts or not rights:
        return None
    pairs = [
        (a[0], min(a[1], b[1]), max(a[2], b[2]), a[3] | b[3])
        for a in lefts
        for b in rights
        if a[0] == b[0] and _near(a, b, node.distance, node.ordered)
    ]
    return pairs or None


def _near(a: Hit, b: Hit, distance: int, ordered: bool) -> bool:
    after = b[1] > a[2] and b[1] - a[2] - 1 <= distance
    before = a[1] > b[2] and a[1] - b[2] - 1 <= distance
    return after or (before and not ordered)


def _leaf(node: Term | Phrase, words: _Words, title_only: bool) -> list[Hit]:
    wanted = compute_words(node.text)
    written = [node.text[s:e] for s, e in compute_word_spans(node.text)]
    prefix = isinstance(node, Term) and node.wildcard
    hits: list[Hit] = []
    for field in ("title",) if title_only else ("title", "text"):
        have = words.folded[field]
        for first in range(len(have) - len(wanted) + 1):
            indexes = range(first, first + len(wanted))
            if all(
                _word_is(
                    have[i],
                    words.original(field, i),
                    w,
                    r,
                    node.raw,
                    prefix and k == len(wanted) - 1,
                )
                for k, (i, w, r) in enumerate(zip(indexes, wanted, written, strict=True))
            ):
                last = first + len(wanted) - 1
                hits.append((field, first, last, frozenset({(field, first, last)})))
    return hits


def _word_is(
    folded: str, original: str, want: str, want_written: str, raw: bool, prefix: bool
) -> bool:
    have, target = (original, want_written) if raw else (folded, want)
    return have.startswith(target) if prefix else have == target


def _field_holds(node: FieldFilter, doc: MatchInput) -> bool:
    value = node.value
    if node.name == "site":
        host = urlsplit(doc.url).hostname or ""
        return host == value or host.endswith("." + value)
    if node.name == "url":
        return value in doc.url.lower()
    if node.name == "lang":
        lang = (doc.language or "").lower()
        return lang == value or lang.startswith(value + "-")
    if node.name == "author":
        return " ".join((doc.author or "").split()).lower() == " ".join(value.split()).lower()
    if node.name == "source":
        return doc.source_kind == value
    return doc.kind == value
