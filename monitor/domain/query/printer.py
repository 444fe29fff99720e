"""A query tree back to text that reads back as the same tree."""

from __future__ import annotations

import re

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

_NEEDS_QUOTES_RE = re.compile(r'[\s()"\\]')


def render_query(query: Query) -> str:
    """The canonical text of ``query``: explicit AND, parentheses only where they are needed."""
    if isinstance(query, Or):
        return " OR ".join(_grouped(c, when=(Or, And)) for c in query.children)
    if isinstance(query, And):
        return " AND ".join(_grouped(c, when=(Or, And)) for c in query.children)
    if isinstance(query, Not):
        return f"NOT {_grouped(query.child, when=(Or, And))}"
    if isinstance(query, Near):
        op = f"{'ONEAR' if query.ordered else 'NEAR'}/{query.distance}"
        left = _grouped(query.left, when=(Or, And, Not))
        return f"{left} {op} {_grouped(query.right, when=(Or, And, Not, Near))}"
    return _render_primary(query)


def _render_primary(query: Query) -> str:
    if isinstance(query, Term):
        return f"{'raw:' if query.raw else ''}{query.text}{'*' if query.wildcard else ''}"
    if isinstance(query, Phrase):
        return f"{'raw:' if query.raw else ''}{_quoted(query.text)}"
    if isinstance(query, FieldFilter):
        return f"{query.name}:{_field_value(query.value)}"
    if isinstance(query, InTitle):
        return f"title:{_grouped(query.child, when=(Or, And, Not, Near))}"
    raise TypeError(f"not a query node: {query!r}")


def _grouped(query: Query, *, when: tuple[type, ...]) -> str:
    text = render_query(query)
    return f"({text})" if isinstance(query, when) else text


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _field_value(value: str) -> str:
    return _quoted(value) if _NEEDS_QUOTES_RE.search(value) or value.startswith('"') else value
