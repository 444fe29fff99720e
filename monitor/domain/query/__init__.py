"""The query language for brand mentions and topics.

Syntax (see ``parser`` for the grammar)::

    Apple NOT (fruit OR pie OR orchard)          words: whole words, any case, accents ignored
    "exact phrase"   refund*   e-mail            phrase, trailing wildcard, hyphenated words
    a AND b   a b   a OR b   NOT a   ( … )       NOT binds tighter than AND, AND than OR
    Delta NEAR/5 (flight OR gate)                at most 5 words between, either order
    Delta ONEAR/5 flight                         ... and Delta first
    raw:"Apple"   raw:Apple                      exact case and accents
    title:refund   title:(late OR lost)          in the title
    author:dang  site:example.com  url:/blog/  lang:en  source:reddit  kind:comment

Words follow ``monitor.domain.text``: ``Delta`` finds ``Delta's``; ``e-mail`` finds ``e-mail``
and ``e mail`` but not ``email``; in links only the host counts (``acme`` finds
``https://acme.com/x``, ``x`` does not).
"""

from monitor.domain.query.document import MatchInput
from monitor.domain.query.errors import QuerySyntaxError
from monitor.domain.query.matcher import QuerySet, match_query
from monitor.domain.query.nodes import (
    And,
    FieldFilter,
    InTitle,
    MetaField,
    Near,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from monitor.domain.query.parser import parse_query
from monitor.domain.query.printer import render_query

__all__ = [
    "And",
    "FieldFilter",
    "InTitle",
    "MatchInput",
    "MetaField",
    "Near",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "QuerySet",
    "QuerySyntaxError",
    "Term",
    "match_query",
    "parse_query",
    "render_query",
]
