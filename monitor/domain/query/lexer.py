"""Query text to tokens: words, phrases, fields, operators and parentheses, with columns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from monitor.domain.query.errors import QuerySyntaxError
from monitor.domain.query.nodes import (
    FIELD_LIKE_RE,
    MAX_DISTANCE,
    META_FIELDS,
    NEAR_LIKE_RE,
    FieldFilter,
    MetaField,
    Phrase,
    Query,
    Term,
)

TokenKind = Literal["(", ")", "AND", "OR", "NOT", "NEAR", "TITLE", "LEAF", "EOF"]

_NEAR_RE = re.compile(r"(O?)NEAR/(\d{1,9})")
_STOPS = frozenset('()"')
_FIELD_NAMES = ", ".join(("title", "raw", *META_FIELDS))
_KEYWORD_KINDS: dict[str, TokenKind] = {"AND": "AND", "OR": "OR", "NOT": "NOT"}
_META_NAMES: dict[str, MetaField] = {name: name for name in META_FIELDS}


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    column: int  # 1-based
    text: str  # as written, for messages
    leaf: Query | None = None  # for LEAF: a Term, Phrase or FieldFilter
    distance: int = 0  # for NEAR
    ordered: bool = False  # ONEAR


def lex_query(source: str) -> list[Token]:
    """All tokens of ``source``, ending with an EOF token; raises QuerySyntaxError."""
    tokens: list[Token] = []
    pos = _skip_space(source, 0)
    while pos < len(source):
        token, pos = _lex_one(source, pos)
        tokens.append(token)
        if token.kind != "TITLE":
            pos = _skip_space(source, pos)
    tokens.append(Token("EOF", len(source) + 1, "end of query"))
    return tokens


def _skip_space(source: str, pos: int) -> int:
    while pos < len(source) and source[pos].isspace():
        pos += 1
    return pos


def _lex_one(source: str, pos: int) -> tuple[Token, int]:
    char = source[pos]
    if char in "()":
        return Token("(" if char == "(" else ")", pos + 1, char), pos + 1
    if char == '"':
        text, end = _read_phrase(source, pos)
        return Token("LEAF", pos + 1, source[pos:end], _phrase(text, pos, raw=False)), end
    run_end = _read_bare(source, pos)
    return _classify(source, pos, source[pos:run_end], run_end)


def _classify(source: str, pos: int, run: str, run_end: int) -> tuple[Token, int]:
    column = pos + 1
    keyword = _KEYWORD_KINDS.get(run)
    if keyword:
        return Token(keyword, column, run), run_end
    if NEAR_LIKE_RE.fullmatch(run):
        return _near(run, column), run_end
    field = FIELD_LIKE_RE.match(run)
    if field:
        return _field(source, pos, field.group(1).lower())
    return Token("LEAF", column, run, _term(run, column, raw=False)), run_end


def _near(run: str, column: int) -> Token:
    match = _NEAR_RE.fullmatch(run)
    if not match:
        raise QuerySyntaxError(
            f"expected NEAR/<number of words> such as NEAR/5, not {run!r}", column
        )
    distance = int(match.group(2))
    if distance > MAX_DISTANCE:
        raise QuerySyntaxError(f"NEAR distance must be at most {MAX_DISTANCE}", column)
    return Token("NEAR", column, run, distance=distance, ordered=bool(match.group(1)))


def _field(source: str, pos: int, name: str) -> tuple[Token, int]:
    value_pos = pos + len(name) + 1
    at_value = source[value_pos : value_pos + 1]
    if not at_value or at_value.isspace() or at_value == ")":
        what = "a word, phrase or '('" if name == "title" else "a value"
        raise QuerySyntaxError(f"expected {what} right after '{name}:'", value_pos + 1)
    if name == "title":
        return Token("TITLE", pos + 1, "title:"), value_pos
    if at_value == "(":
        raise QuerySyntaxError(
            f"'{name}:' takes one word or a quoted value, not a group in parentheses",
            value_pos + 1,
        )
    if name == "raw":
        return _raw(source, pos, value_pos)
    meta = _META_NAMES.get(name)
    if meta:
        return _meta(source, pos, value_pos, meta)
    raise QuerySyntaxError(
        f"unknown field '{name}:' (fields are {_FIELD_NAMES}); "
        "put the term in quotes to search for it as words",
        pos + 1,
    )


def _raw(source: str, pos: int, value_pos: int) -> tuple[Token, int]:
    if source[value_pos] == '"':
        text, end = _read_phrase(source, value_pos)
        return Token("LEAF", pos + 1, source[pos:end], _phrase(text, value_pos, raw=True)), end
    end = _read_bare(source, value_pos)
    term = _term(source[value_pos:end], value_pos + 1, raw=True)
    return Token("LEAF", pos + 1, source[pos:end], term), end


def _meta(source: str, pos: int, value_pos: int, name: MetaField) -> tuple[Token, int]:
    if source[value_pos] == '"':
        value, end = _read_phrase(source, value_pos)
    else:
        end = _read_bare(source, value_pos)
        value = source[value_pos:end]
    try:
        leaf = FieldFilter(name, value)
    except ValueError as exc:
        raise QuerySyntaxError(str(exc), value_pos + 1) from None
    return Token("LEAF", pos + 1, source[pos:end], leaf), end


def _term(run: str, column: int, *, raw: bool) -> Term:
    if "*" in run[:-1]:
        raise QuerySyntaxError(
            f"'*' is only allowed once, at the end of a word, in {run!r}", column
        )
    wildcard = run.endswith("*")
    try:
        return Term(run[:-1] if wildcard else run, wildcard=wildcard, raw=raw)
    except ValueError as exc:
        raise QuerySyntaxError(str(exc), column) from None


def _phrase(text: str, pos: int, *, raw: bool) -> Phrase:
    try:
        return Phrase(text, raw=raw)
    except ValueError as exc:
        raise QuerySyntaxError(str(exc), pos + 1) from None


def _read_bare(source: str, pos: int) -> int:
    end = pos
    while end < len(source) and not source[end].isspace() and source[end] not in _STOPS:
        end += 1
    return end


def _read_phrase(source: str, pos: int) -> tuple[str, int]:
    """The text between the quote at ``pos`` and its closing quote (``\\"`` and ``\\\\`` escape)."""
    chars: list[str] = []
    end = pos + 1
    while end < len(source):
        char = source[end]
        if char == "\\" and source[end + 1 : end + 2] in ('"', "\\"):
            chars.append(source[end + 1])
            end += 2
        elif char == '"':
            return "".join(chars), end + 1
        else:
            chars.append(char)
            end += 1
    raise QuerySyntaxError("unterminated phrase: missing closing '\"'", pos + 1)
