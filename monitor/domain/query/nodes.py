"""The parsed form of a query: small frozen nodes, comparable and hashable.

Nodes check their own contents, so every ``Query`` value prints to text that reads back as the
same value (``parse_query(render_query(q)) == q``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from monitor.domain.text import compute_word_spans

MetaField = Literal["author", "site", "url", "lang", "source", "kind"]
META_FIELDS: tuple[MetaField, ...] = ("author", "site", "url", "lang", "source", "kind")
# Which kinds exist is the collectors' registry's business (``check_query`` gets the list);
# here a kind is any lower-case name.
_SOURCE_KIND_RE = re.compile(r"[a-z][a-z0-9_-]{0,39}")
DOC_KINDS = ("post", "comment")
KEYWORDS = frozenset({"AND", "OR", "NOT"})
MAX_DISTANCE = 1000
MIN_WILDCARD_STEM = 2

NEAR_LIKE_RE = re.compile(r"O?NEAR(?:/.*)?")
FIELD_LIKE_RE = re.compile(r"([A-Za-z]+):")
_EXCLUDE_LIKE_RE = re.compile(r"-\w")
_BARE_STOPS = frozenset(' \t\r\n\f\v()"')
_LANG_RE = re.compile(r"[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*")
_HOST_RE = re.compile(r"[^\s/?#@:\\]+")


def _bare_problem(text: str) -> str | None:
    if not text:
        return "expected a term"
    if any(c in _BARE_STOPS or c.isspace() for c in text):
        return f"{text!r} cannot be written without quotes"
    return None


def _keyword_problem(text: str) -> str | None:
    if text in KEYWORDS or NEAR_LIKE_RE.fullmatch(text):
        return f"{text!r} is an operator; put it in quotes to search for the word"
    if FIELD_LIKE_RE.match(text):
        return f"{text!r} looks like a field; put it in quotes to search for it"
    if _EXCLUDE_LIKE_RE.match(text):
        return f"use NOT to exclude words, not a leading '-' in {text!r}"
    return None


def term_problem(text: str, *, raw: bool, wildcard: bool) -> str | None:
    """Why ``text`` cannot be a bare term, or None. ``raw`` terms may look like operators."""
    problem = _bare_problem(text) or (None if raw else _keyword_problem(text))
    if problem:
        return problem
    if "*" in text:
        return f"'*' is only allowed once, at the end of a word, in {text!r}"
    spans = compute_word_spans(text)
    if not spans:
        return (
            f"{text!r} has no letters or digits to search for "
            "(use AND, OR, NOT for logic and quotes for phrases)"
        )
    if wildcard and spans[-1][1] != len(text):
        return f"'*' must follow a letter or digit in {text + '*'!r}"
    if wildcard and spans[-1][1] - spans[-1][0] < MIN_WILDCARD_STEM:
        return f"a wildcard needs at least {MIN_WILDCARD_STEM} letters before '*' in {text + '*'!r}"
    return None


def phrase_problem(text: str) -> str | None:
    """Why ``text`` cannot be a quoted phrase, or None."""
    if "*" in text:
        return "'*' wildcards are not allowed inside quotes"
    if not compute_word_spans(text):
        return "a phrase needs letters or digits to search for"
    return None


def normalize_field_value(name: MetaField, value: str) -> str:
    """The canonical form of a field's value; raises ``ValueError`` with a readable reason."""
    value = value.strip()
    if not value:
        raise ValueError(f"expected a value after '{name}:'")
    if name == "author":
        return value
    lowered = value.lower()
    if name == "url":
        return lowered
    if name == "site":
        return _normalize_site(lowered)
    if name == "lang":
        if not _LANG_RE.fullmatch(lowered):
            raise ValueError(f"lang: takes a language code like 'en' or 'pt-br', not {value!r}")
        return lowered.replace("_", "-")
    if name == "source":
        if not _SOURCE_KIND_RE.fullmatch(lowered):
            raise ValueError(f"source: takes a source kind like 'rss' or 'reddit', not {value!r}")
        return lowered
    allowed = DOC_KINDS
    if lowered not in allowed:
        raise ValueError(f"{name}: takes one of {', '.join(allowed)}, not {value!r}")
    return lowered


def _normalize_site(value: str) -> str:
    host = value.removeprefix("www.").rstrip(".")
    if not _HOST_RE.fullmatch(host):
        raise ValueError(f"site: takes a host name like example.com, not {value!r}")
    return host


@dataclass(frozen=True, slots=True)
class Term:
    """A bare word as written (``refund``, ``e-mail``, ``Apple``), ``wildcard`` for ``refund*``.

    ``raw`` (written ``raw:Apple``) matches case and accents exactly.
    """

    text: str
    wildcard: bool = False
    raw: bool = False

    def __post_init__(self) -> None:
        problem = term_problem(self.text, raw=self.raw, wildcard=self.wildcard)
        if problem:
            raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class Phrase:
    """Words in quotes: all of them, in order, adjacent (punctuation between them is ignored)."""

    text: str
    raw: bool = False

    def __post_init__(self) -> None:
        problem = phrase_problem(self.text)
        if problem:
            raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class InTitle:
    """``title:…``: the words inside must occur in the document's title."""

    child: Query


@dataclass(frozen=True, slots=True)
class FieldFilter:
    """A test on the document's metadata (``site:example.com``); value kept in canonical form."""

    name: MetaField
    value: str

    def __post_init__(self) -> None:
        if self.name not in META_FIELDS:
            raise ValueError(f"unknown field {self.name!r}")
        object.__setattr__(self, "value", normalize_field_value(self.name, self.value))


@dataclass(frozen=True, slots=True)
class Not:
    child: Query


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Query, ...]

    def __post_init__(self) -> None:
        if len(self.children) < 2:
            raise ValueError("AND needs at least two operands")


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Query, ...]

    def __post_init__(self) -> None:
        if len(self.children) < 2:
            raise ValueError("OR needs at least two operands")


@dataclass(frozen=True, slots=True)
class Near:
    """``left NEAR/n right``: at most ``distance`` words between them; ``ordered`` for ONEAR."""

    left: Query
    right: Query
    distance: int
    ordered: bool = False

    def __post_init__(self) -> None:
        if not 0 <= self.distance <= MAX_DISTANCE:
            raise ValueError(f"NEAR distance must be between 0 and {MAX_DISTANCE}")
        for side in (self.left, self.right):
            if not has_positions(side):
                raise ValueError(
                    "NEAR needs words or phrases on both sides, not only NOT or fields"
                )


Query = Term | Phrase | InTitle | FieldFilter | Not | And | Or | Near


def has_positions(node: Query) -> bool:
    """Whether every way ``node`` can match points at words (what NEAR measures between)."""
    if isinstance(node, Term | Phrase | Near):
        return True
    if isinstance(node, InTitle):
        return has_positions(node.child)
    if isinstance(node, And):
        return any(has_positions(c) for c in node.children)
    if isinstance(node, Or):
        return all(has_positions(c) for c in node.children)
    return False


def compute_depth(node: Query) -> int:
    """How many levels the tree has (a lone term is 1), counted without recursion."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children_of(current))
    return deepest


def children_of(node: Query) -> tuple[Query, ...]:
    if isinstance(node, And | Or):
        return node.children
    if isinstance(node, Not | InTitle):
        return (node.child,)
    if isinstance(node, Near):
        return (node.left, node.right)
    return ()
