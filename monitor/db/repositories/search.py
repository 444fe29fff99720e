"""Full-text search over documents: FTS5 on SQLite, a GIN-indexed tsvector on Postgres.

Both sides see the same words: the user's text is cut into letter/digit runs here, and each
becomes a prefix term, all required. No user text reaches the engines' query syntax, so a
stray quote or operator can never turn into a syntax error.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, column, false, literal_column, text

from monitor.db.models import Document

MAX_TERMS = 16
_WORD = re.compile(r"[^\W_]+")

# Must stay identical to the indexed expression of migration 0003 (ix_documents_search).
POSTGRES_VECTOR = (
    "to_tsvector('simple', coalesce(documents.title, '') || ' ' || coalesce(documents.text, ''))"
)


def compute_search_terms(query: str) -> list[str]:
    """The words of ``query``, lower-cased, in order, without repeats."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def render_fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def render_tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def text_match(dialect: str, query: str) -> ColumnElement[bool]:
    """A condition on ``Document`` true when its title or text holds every word of ``query``."""
    terms = compute_search_terms(query)
    if not terms:
        return false()
    if dialect == "postgresql":
        vector: ColumnElement[Any] = literal_column(POSTGRES_VECTOR)
        tsquery = text("to_tsquery('simple', :search_terms)").bindparams(
            search_terms=render_tsquery(terms)
        )
        matched: ColumnElement[bool] = vector.op("@@", return_type=Boolean)(tsquery)
        return matched
    matches = text(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH :search_terms"
    ).bindparams(search_terms=render_fts5_query(terms)).columns(column("rowid", Integer))
    return Document.id.in_(matches)
