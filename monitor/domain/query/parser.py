"""Tokens to a query tree, by recursive descent.

Grammar, loosest binding first (so NOT > AND > OR, and NEAR binds tightest of all)::

    query   := or EOF
    or      := and ("OR" and)*
    and     := not (["AND"] not)*           juxtaposed terms mean AND
    not     := "NOT" not | near
    near    := primary (("NEAR/n" | "ONEAR/n") primary)*
    primary := "(" or ")" | "title:" primary | term | phrase | raw:term | field:value
"""

from __future__ import annotations

from monitor.domain.query.errors import QuerySyntaxError
from monitor.domain.query.lexer import Token, lex_query
from monitor.domain.query.nodes import (
    And,
    InTitle,
    Near,
    Not,
    Or,
    Query,
    compute_depth,
    has_positions,
)

MAX_DEPTH = 100
_STARTS_OPERAND = frozenset({"(", "NOT", "TITLE", "LEAF"})


def parse_query(source: str) -> Query:
    """Read a query; raises :class:`QuerySyntaxError` naming the column of the first problem."""
    if not source.strip():
        raise QuerySyntaxError("the query is empty", 1)
    return _Parser(lex_query(source)).parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self._tokens = tokens
        self._pos = 0
        self._depth = 0

    def parse(self) -> Query:
        node = self._or()
        token = self._peek()
        if token.kind == ")":
            raise QuerySyntaxError("unexpected ')' without a matching '('", token.column)
        if compute_depth(node) > MAX_DEPTH:
            raise QuerySyntaxError(f"the query is nested more than {MAX_DEPTH} levels deep", 1)
        return node

    def _peek(self) -> Token:
        return self._tokens[self._pos]

    def _take(self) -> Token:
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def _or(self) -> Query:
        children = [self._and()]
        while self._peek().kind == "OR":
            self._take()
            children.append(self._and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self) -> Query:
        children = [self._not()]
        while True:
            kind = self._peek().kind
            if kind == "AND":
                self._take()
            elif kind not in _STARTS_OPERAND:
                break
            children.append(self._not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def _not(self) -> Query:
        if self._peek().kind != "NOT":
            return self._near()
        self._enter(self._take())
        node = Not(self._not())
        self._depth -= 1
        return node

    def _near(self) -> Query:
        start = self._peek()
        node = self._primary()
        while self._peek().kind == "NEAR":
            op = self._take()
            _require_positions(node, start, op)
            start = self._peek()
            right = self._primary()
            _require_positions(right, start, op)
            node = Near(node, right, op.distance, op.ordered)
        return node

    def _primary(self) -> Query:
        token = self._peek()
        if token.kind == "LEAF" and token.leaf is not None:
            self._take()
            return token.leaf
        if token.kind == "(":
            return self._group()
        if token.kind == "TITLE":
            self._enter(self._take())
            node = InTitle(self._primary())
            self._depth -= 1
            return node
        raise self._expected_operand(token)

    def _group(self) -> Query:
        self._enter(self._take())
        node = self._or()
        closing = self._peek()
        if closing.kind != ")":
            raise QuerySyntaxError("expected ')'", closing.column)
        self._take()
        self._depth -= 1
        return node

    def _enter(self, token: Token) -> None:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise QuerySyntaxError(
                f"the query is nested more than {MAX_DEPTH} levels deep", token.column
            )

    def _expected_operand(self, token: Token) -> QuerySyntaxError:
        previous = self._tokens[self._pos - 1].text if self._pos else None
        where = f"after '{previous}'" if previous else "at the start"
        if token.kind == "EOF":
            return QuerySyntaxError(f"expected a word, phrase or '(' {where}", token.column)
        return QuerySyntaxError(
            f"expected a word, phrase or '(' {where}, found '{token.text}'", token.column
        )


def _require_positions(operand: Query, start: Token, op: Token) -> None:
    """NEAR measures between words, so each side must point at words whenever it matches."""
    if not has_positions(operand):
        raise QuerySyntaxError(
            f"{op.text} needs words or phrases on both sides, "
            "not a side that can match with only NOT or fields",
            start.column,
        )
