"""The one entry point config and API use to validate a brand's query."""

from __future__ import annotations

import re
from collections.abc import Collection

from monitor.domain.query import FieldFilter, Query, QuerySyntaxError, parse_query
from monitor.domain.query.nodes import children_of


def check_query(text: str, source_kinds: Collection[str] | None = None) -> None:
    """Raise ValueError naming the position and the problem when ``text`` does not parse,
    or (given ``source_kinds``) when a ``source:`` field names a kind not among them."""
    try:
        query = parse_query(text)
        if source_kinds is not None:
            _check_source_kinds(text, query, source_kinds)
    except QuerySyntaxError as exc:
        raise ValueError(f"invalid query: {exc}") from None


def _check_source_kinds(text: str, query: Query, source_kinds: Collection[str]) -> None:
    stack: list[Query] = [query]
    while stack:
        node = stack.pop()
        if isinstance(node, FieldFilter) and node.name == "source" and (
            node.value not in source_kinds
        ):
            raise QuerySyntaxError(
                f"source: takes one of {', '.join(source_kinds)}, not {node.value!r}",
                _value_column(text, node.value),
            )
        stack.extend(children_of(node))


def _value_column(text: str, value: str) -> int:
    found = re.search(r"source:\s*\"?(" + re.escape(value) + ")", text, re.IGNORECASE)
    return found.start(1) + 1 if found else 1
