"""The one entry point config and API use to validate a brand's query."""

from __future__ import annotations

from monitor.domain.query import QuerySyntaxError, parse_query


def check_query(text: str) -> None:
    """Raise ValueError naming the position and the problem when ``text`` does not parse."""
    try:
        parse_query(text)
    except QuerySyntaxError as exc:
        raise ValueError(f"invalid query: {exc}") from None
