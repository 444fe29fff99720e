"""A brand query translated for keyword search engines.

Engines know words, phrases and (at best) AND; the query language has more. The translation
is the query's positive terms in disjunctive normal form: groups of words and phrases, any
of which may match, each needing all its members. NOT, fields, NEAR distances, wildcards and
case are dropped here (a wildcard keeps its stem) because the full query runs locally on
what the engines return.
"""

from __future__ import annotations

from itertools import product
from math import prod

from monitor.domain.query import And, FieldFilter, InTitle, Near, Not, Or, Phrase, Query, Term

MAX_GROUPS = 8
MAX_PRODUCT = 64
Group = tuple[str, ...]


def compute_search_terms(queries: list[Query], limit: int = MAX_GROUPS) -> tuple[Group, ...]:
    """The term groups of all ``queries``, without repeats, at most ``limit`` in all."""
    groups: dict[tuple[str, ...], Group] = {}
    for query in queries:
        for group in _limited(_groups(query), limit):
            if not group:
                continue  # nothing an engine could search for: never ask it for everything
            groups.setdefault(tuple(sorted(w.casefold() for w in group)), group)
    return tuple(groups.values())[:limit]


def _limited(groups: list[Group], limit: int) -> list[Group]:
    """Too many groups: keep each group's longest member (a broader search, still exact
    after local matching)."""
    if len(groups) <= limit:
        return groups
    return list(dict.fromkeys((max(g, key=len),) for g in groups if g))


def _groups(node: Query) -> list[Group]:
    if isinstance(node, Term):
        return [(node.text,)]
    if isinstance(node, Phrase):
        return [(node.text,)]
    if isinstance(node, InTitle):
        return _groups(node.child)
    if isinstance(node, Or):
        return [g for child in node.children for g in _groups(child)]
    if isinstance(node, And | Near):
        children = node.children if isinstance(node, And) else (node.left, node.right)
        return _product([_groups(c) for c in children])
    assert isinstance(node, Not | FieldFilter)
    return [()]  # no positive words: matches anything as far as the engine knows


def _product(parts: list[list[Group]]) -> list[Group]:
    kept = [p for p in parts if p != [()]]
    if not kept:
        return [()]
    if prod(len(p) for p in kept) > MAX_PRODUCT:
        # Every match contains each part, so one part's groups alone still find them all.
        return min(kept, key=len)
    combined = (tuple(dict.fromkeys(w for g in combo for w in g)) for combo in product(*kept))
    return list(dict.fromkeys(combined))
