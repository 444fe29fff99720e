"""Full-text search over documents: FTS5 on SQLite, a GIN-indexed tsvector on Postgres.

Both sides see the same words: the user's text is cut into letter/digit runs here, and each
becomes a prefix term, all required. No user text reaches the engines' query syntax, so a
stray quote or operator can never turn into a syntax error.

Which way round a listing should run depends on how many documents match, which neither
planner can tell from a prefix query: a rare word is best looked up in the full-text index
and its few matches sorted, a common one by walking the listing's own order and checking each
document against the index until the page is full (sorting a third of the store for fifty
rows took seconds). ``text_condition`` asks the index first, for at most
``compute_common_matches`` ids, and picks the form. Checking one document is cheap on
Postgres (its expression); FTS5 answers "does this row match?" no faster than the whole
query (about 10 ms a row at a million documents, a prefix term far more), so on SQLite the
check is ``match_search_terms`` run on the document's own words, registered on every
connection as a SQL function.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, ColumnElement, false, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql import operators

from monitor.db.models import Document

MAX_TERMS = 16
# Up to this many matching documents in a store of REFERENCE_DOCUMENTS, the listing starts from
# their ids; past it, from its own order (at 1% of a million documents, a 50-row page is found
# after about 5,000 checks). See compute_common_matches for other sizes.
COMMON_MATCHES = 5000
REFERENCE_DOCUMENTS = 1_000_000
FEWEST_COMMON = 200
SEARCH_FUNCTION = "monitor_text_matches"  # registered on SQLite connections by the engine
_WORD = re.compile(r"[^\W_]+")

# Must stay identical to the indexed expression of migration 0003 (ix_documents_search).
POSTGRES_VECTOR = (
    "to_tsvector('simple', coalesce(documents.title, '') || ' ' || coalesce(documents.text, ''))"
)


def compute_search_terms(query: str) -> list[str]:
    """The words of ``query``, lower-cased, in order, without repeats."""
    words = [w.casefold() for w in _WORD.findall(query)]
    return list(dict.fromkeys(words))[:MAX_TERMS]


def match_search_terms(terms: Sequence[str], title: str | None, text: str | None) -> bool:
    """True when every term starts some word of the title or text: what the FTS5 query of
    ``render_fts5_query(terms)`` matches (unicode61 words, lower-cased)."""
    body = f"{title or ''} {text or ''}".lower()
    if not all(term in body for term in terms):  # most misses end here, without tokenising
        return False
    words = _WORD.findall(body)
    return all(any(word.startswith(term) for word in words) for term in terms)


def sqlite_text_matches(terms: str, title: str | None, text: str | None) -> int:
    """``match_search_terms`` as the SQL function SEARCH_FUNCTION (terms space-separated)."""
    return int(match_search_terms(terms.split(), title, text))


def compute_common_matches(documents: int) -> int:
    """How many matches make a word common in a store of ``documents``.

    Starting from the ids costs about one row per match; walking the listing's order costs
    about one check per ``documents / matches`` rows for each row of the page. The two meet
    where matches grow as the square root of the store, so the threshold measured at a
    million scales by it: about 700 at 20,000 documents, where a word in an eighth of them
    took 19 ms from its 2,500 ids and 4 ms by the walk.
    """
    scaled = round(COMMON_MATCHES * math.sqrt(max(0, documents) / REFERENCE_DOCUMENTS))
    return min(COMMON_MATCHES, max(FEWEST_COMMON, scaled))


def render_fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def render_tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


def text_condition(session: Session, query: str) -> ColumnElement[bool]:
    """A condition on ``Document`` true when its title or text holds every word of ``query``,
    in the form that lets the listing use the full-text index best (see the module's note)."""
    terms = compute_search_terms(query)
    if not terms:
        return false()
    dialect = session.get_bind().dialect.name
    common = compute_common_matches(session.scalar(select(func.max(Document.id))) or 0)
    if dialect == "postgresql" and _postgres_estimate(session, terms) > common:
        return text_match(dialect, query)  # fetching thousands of ids would read as many rows
    found = list(session.scalars(_matching_ids(dialect, terms, common)))
    if len(found) <= common:
        return Document.id.in_(found) if found else false()
    return text_match(dialect, query)


def starts_from_ids(condition: ColumnElement[bool]) -> bool:
    """Whether ``text_condition`` chose the matching ids (a rare word): the listing should
    start from them rather than check documents one by one."""
    return getattr(condition, "operator", None) is operators.in_op


def _postgres_estimate(session: Session, terms: list[str]) -> int:
    """How many documents the planner expects to match: its statistics on the indexed
    expression are good at this (within a few percent for common words at a million)."""
    plan = session.execute(text(
        # Only the constant expression is formatted in; the user's words are a parameter.
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM documents WHERE {POSTGRES_VECTOR} "  # noqa: S608
        "@@ to_tsquery('simple', :search_terms)"), {"search_terms": render_tsquery(terms)}
    ).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])


def _matching_ids(dialect: str, terms: list[str], common: int) -> Any:
    if dialect == "postgresql":
        return select(Document.id).where(_postgres_match(terms)).limit(common + 1)
    return text(
        "SELECT rowid FROM documents_fts WHERE documents_fts MATCH :search_terms LIMIT :most"
    ).bindparams(search_terms=render_fts5_query(terms), most=common + 1)


def text_match(dialect: str, query: str) -> ColumnElement[bool]:
    """A condition on ``Document`` true when its title or text holds every word of ``query``,
    checked document by document (the index answers "does this one match?")."""
    terms = compute_search_terms(query)
    if not terms:
        return false()
    if dialect == "postgresql":
        return _postgres_match(terms)
    check: ColumnElement[int] = getattr(func, SEARCH_FUNCTION)(
        " ".join(terms), Document.title, Document.text)
    return check == 1


def _postgres_match(terms: list[str]) -> ColumnElement[bool]:
    vector: ColumnElement[Any] = literal_column(POSTGRES_VECTOR)
    tsquery = text("to_tsquery('simple', :search_terms)").bindparams(
        search_terms=render_tsquery(terms)
    )
    matched: ColumnElement[bool] = vector.op("@@", return_type=Boolean)(tsquery)
    return matched
