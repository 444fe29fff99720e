"""Reading queries: structure, precedence, printing, and the errors a user sees."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from monitor.domain.query import (
    And,
    FieldFilter,
    InTitle,
    Near,
    Not,
    Or,
    Phrase,
    QuerySyntaxError,
    Term,
    parse_query,
    render_query,
)


def t(text: str, *, wildcard: bool = False, raw: bool = False) -> Term:
    return Term(text, wildcard=wildcard, raw=raw)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("delta", t("delta")),
        ("refund*", t("refund", wildcard=True)),
        ('"exact phrase"', Phrase("exact phrase")),
        ("e-mail", t("e-mail")),
        ("a AND b", And((t("a"), t("b")))),
        ("a b", And((t("a"), t("b")))),
        ("a OR b", Or((t("a"), t("b")))),
        ("NOT a", Not(t("a"))),
        ("a NOT b", And((t("a"), Not(t("b"))))),
        ("a OR NOT b", Or((t("a"), Not(t("b"))))),
        ("raw:Apple", t("Apple", raw=True)),
        ('raw:"Apple"', Phrase("Apple", raw=True)),
        ("raw:App*", t("App", wildcard=True, raw=True)),
        ("raw:AND", t("AND", raw=True)),
        ("title:refund", InTitle(t("refund"))),
        ("title:(late OR lost)", InTitle(Or((t("late"), t("lost"))))),
        ('title:raw:"Apple"', InTitle(Phrase("Apple", raw=True))),
        ('"NOT"', Phrase("NOT")),
        ("and or not", And((t("and"), t("or"), t("not")))),
        ("10:30", t("10:30")),
    ],
)
def test_parses_words_and_operators(source: str, expected: object) -> None:
    assert parse_query(source) == expected


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    assert parse_query("a OR b c OR NOT d e") == Or(
        (t("a"), And((t("b"), t("c"))), And((Not(t("d")), t("e"))))
    )


def test_near_binds_tighter_than_not_and_chains_to_the_left() -> None:
    assert parse_query("NOT a NEAR/3 b") == Not(Near(t("a"), t("b"), 3))
    assert parse_query("a NEAR/1 b ONEAR/2 c") == Near(Near(t("a"), t("b"), 1), t("c"), 2, True)


def test_parentheses_override_precedence_and_nest() -> None:
    assert parse_query("(a OR b) c") == And((Or((t("a"), t("b"))), t("c")))
    assert parse_query("a AND (b AND c)") == And((t("a"), And((t("b"), t("c")))))


def test_near_takes_groups_as_operands() -> None:
    assert parse_query("Delta NEAR/5 (flight OR airport OR gate)") == Near(
        t("Delta"), Or((t("flight"), t("airport"), t("gate"))), 5
    )
    assert parse_query("(a b) ONEAR/0 c") == Near(And((t("a"), t("b"))), t("c"), 0, True)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("site:WWW.Example.com", FieldFilter("site", "example.com")),
        ("url:/Blog/", FieldFilter("url", "/blog/")),
        ("url:https://acme.com/x", FieldFilter("url", "https://acme.com/x")),
        ('author:"Jane Doe"', FieldFilter("author", "Jane Doe")),
        ("lang:EN_gb", FieldFilter("lang", "en-gb")),
        ("source:Reddit", FieldFilter("source", "reddit")),
        ("kind:comment", FieldFilter("kind", "comment")),
        ("Title:x", InTitle(t("x"))),
    ],
)
def test_fields_keep_their_values_in_canonical_form(source: str, expected: object) -> None:
    assert parse_query(source) == expected


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("(Delta OR United", "expected ')'", 17),
        ("", "the query is empty", 1),
        ("   ", "the query is empty", 1),
        ("a AND", "expected a word, phrase or '(' after 'AND'", 6),
        ("OR a", "expected a word, phrase or '(' at the start, found 'OR'", 1),
        ("a OR OR b", "expected a word, phrase or '(' after 'OR', found 'OR'", 6),
        ("a )", "unexpected ')' without a matching '('", 3),
        ("()", "expected a word, phrase or '(' after '(', found ')'", 2),
        ('say "hello', "unterminated phrase: missing closing '\"'", 5),
        ("a NEAR b", "expected NEAR/<number of words> such as NEAR/5, not 'NEAR'", 3),
        ("a NEAR/x b", "expected NEAR/<number of words> such as NEAR/5, not 'NEAR/x'", 3),
        ("a NEAR/1001 b", "NEAR distance must be at most 1000", 3),
        ("a NEAR/3", "expected a word, phrase or '(' after 'NEAR/3'", 9),
        ("a NEAR/3 NOT b", "expected a word, phrase or '(' after 'NEAR/3', found 'NOT'", 10),
        ("a ONEAR/2 (NOT b)", "ONEAR/2 needs words or phrases on both sides", 11),
        ("site:x.com NEAR/2 b", "NEAR/2 needs words or phrases on both sides", 1),
        ("tilte:delta", "unknown field 'tilte:'", 1),
        ("re:Invent", "unknown field 're:'", 1),
        ("title: delta", "expected a word, phrase or '(' right after 'title:'", 7),
        ("site: x", "expected a value right after 'site:'", 6),
        ("source:face/book", "source: takes a source kind like 'rss' or 'reddit'", 8),
        ("kind:thread", "kind: takes one of post, comment", 6),
        ("lang:english", "lang: takes a language code like 'en' or 'pt-br'", 6),
        ("site:acme.com/x", "site: takes a host name like example.com", 6),
        ("re*fund", "'*' is only allowed once, at the end of a word, in 're*fund'", 1),
        ("refund**", "'*' is only allowed once, at the end of a word, in 'refund**'", 1),
        ("x*", "a wildcard needs at least 2 letters before '*' in 'x*'", 1),
        ("e-*", "'*' must follow a letter or digit in 'e-*'", 1),
        ('"refund*"', "'*' wildcards are not allowed inside quotes", 1),
        ('a ""', "a phrase needs letters or digits to search for", 3),
        ("Johnson & Johnson", "'&' has no letters or digits to search for", 9),
        ("apple -pie", "use NOT to exclude words, not a leading '-' in '-pie'", 7),
        ("raw:", "expected a value right after 'raw:'", 5),
        ("raw:(a OR b)", "'raw:' takes one word or a quoted value, not a group", 5),
        ("site:(a.com OR b.com)", "'site:' takes one word or a quoted value, not a group", 6),
    ],
)
def test_errors_name_the_problem_and_the_column(source: str, message: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse_query(source)
    assert caught.value.message.startswith(message)
    assert caught.value.column == column
    assert str(caught.value) == f"{caught.value.message} at column {column}"


def test_error_reads_like_the_product_contract() -> None:
    with pytest.raises(QuerySyntaxError, match=r"^expected '\)' at column 17$"):
        parse_query("(Delta OR United")


def test_syntax_error_is_a_value_error_for_config_validation() -> None:
    with pytest.raises(ValueError, match="column"):
        parse_query("a AND")


def test_deep_nesting_is_refused_not_crashing() -> None:
    with pytest.raises(QuerySyntaxError, match="nested more than 100 levels"):
        parse_query("(" * 500 + "a" + ")" * 500)
    with pytest.raises(QuerySyntaxError, match="nested more than 100 levels"):
        parse_query("NOT " * 500 + "a")
    with pytest.raises(QuerySyntaxError, match="nested more than 100 levels"):
        parse_query("a" + " NEAR/1 a" * 150)


def test_long_flat_queries_are_fine() -> None:
    query = parse_query(" OR ".join(f"brand{i}" for i in range(3000)))
    assert isinstance(query, Or)
    assert len(query.children) == 3000


@pytest.mark.parametrize(
    "source",
    [
        "Apple NOT (fruit OR pie OR orchard)",
        "Delta NEAR/5 (flight OR airport OR gate)",
        'raw:"Apple" AND (iphone OR mac*)',
        'title:(refund* OR "money back") site:example.com lang:en-gb kind:post',
        'author:"Jane \\"JD\\" Doe" OR url:"/a b/"',
        '"back\\\\slash"',
        "a NEAR/2 (b ONEAR/3 c) NEAR/4 d",
        "NOT NOT (a OR b)",
        "(a OR b) AND (c OR d) OR e",
    ],
)
def test_printed_form_reads_back_as_the_same_query(source: str) -> None:
    query = parse_query(source)
    printed = render_query(query)
    assert parse_query(printed) == query
    assert render_query(parse_query(printed)) == printed


def test_printed_form_is_canonical() -> None:
    assert render_query(parse_query("a b OR c (d OR e)")) == "(a AND b) OR (c AND (d OR e))"
    assert render_query(parse_query("Title:x SITE:WWW.A.COM")) == "title:x AND site:a.com"
    assert render_query(parse_query("NOT a NEAR/3 (b c)")) == "NOT a NEAR/3 (b AND c)"
    assert render_query(parse_query('raw:Apple raw:"Apple"')) == 'raw:Apple AND raw:"Apple"'


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Term("two words"), "cannot be written without quotes"),
        (lambda: Term("AND"), "is an operator"),
        (lambda: Term("site:x"), "looks like a field"),
        (lambda: Term("a*"), "only allowed once, at the end"),
        (lambda: Phrase("*"), "not allowed inside quotes"),
        (lambda: And((Term("a"),)), "at least two operands"),
        (lambda: Near(Term("a"), Not(Term("b")), 2), "words or phrases on both sides"),
        (lambda: Near(Term("a"), Term("b"), -1), "between 0 and 1000"),
        (lambda: FieldFilter("kind", "thread"), "kind: takes one of"),
    ],
)
def test_nodes_refuse_contents_that_would_not_print_back(
    build: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        build()
