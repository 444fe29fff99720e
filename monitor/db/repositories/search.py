"""Full-text search over documents: FTS5 on SQLite, a GIN-indexed tsvector on Postgres.

Both sides see the same words: the user's text is cut into letter/digit runs here, and each
becomes a prefix term, all required. No user text reaches the engines' query syntax, so a
stray quote or operator can never turn into a syntax error.

Which way round a listing should run depends on how many documents match, which neither
planner can tell from a prefix query. A rare word is best looked up in the full-text index
and its few matches sorted. A common one is best found by walking the listing's own order
and checking each document against the index until the page is full (sorting a third of the
store for fifty rows took seconds). Between the two (about 1% of a million documents), a page
needs thousands of checks, each reading a document row from a random page; there the listing
fetches the matching ids once and walks its own order checking each mention's document id
against that set, so only the page's own documents are read. ``text_condition`` asks the
index first and picks the path (``SearchPath``). Checking one document is cheap on Postgres
(its expression); FTS5 answers "does this row match?" no faster than the whole query (about
10 ms a row at a million documents, a prefix term far more), so on SQLite the check is
``match_search_terms`` run on the document's own words, registered on every connection as a
SQL function.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from enum import Enum
from typing import Any, NamedTuple

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    String,
    any_,
    bindparam,
    cast,
    false,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention

MAX_TERMS = 16
# Up to this many matching documents in a store of REFERENCE_DOCUMENTS, the listing starts from
# their ids; past it, from its own order (at 1% of a million documents, a 50-row page is found
# after about 5,000 checks). See compute_common_matches for other sizes.
COMMON_MATCHES = 5000
REFERENCE_DOCUMENTS = 1_000_000
FEWEST_COMMON = 200
# Up to this many matches (at REFERENCE_DOCUMENTS; compute_id_set_matches for other sizes), a
# word too common to start from its ids is found by walking the listing's order against the
# set of its ids; past it, by checking each document. Fetching an id costs about a
# microsecond on SQLite and two on Postgres (a heap read), a document check ten and thirty:
# the two meet near 20,000 matches at a million documents.
ID_SET_MATCHES = 20_000
FEWEST_ID_SET = 800
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
    return _scaled(COMMON_MATCHES, FEWEST_COMMON, documents)


def compute_id_set_matches(documents: int) -> int:
    """Up to how many matches a word is found through the set of its ids in a store of
    ``documents``: the fetch grows with the matches, the walk as the store over the matches,
    so this too scales as the square root of the store."""
    return _scaled(ID_SET_MATCHES, FEWEST_ID_SET, documents)


def _scaled(at_reference: int, fewest: int, documents: int) -> int:
    scaled = round(at_reference * math.sqrt(max(0, documents) / REFERENCE_DOCUMENTS))
    return min(at_reference, max(fewest, scaled))


def render_fts5_query(terms: list[str]) -> str:
    return " ".join(f'"{term}"*' for term in terms)


def render_tsquery(terms: list[str]) -> str:
    return " & ".join(f"{term}:*" for term in terms)


class SearchPath(Enum):
    """How a listing finds a word's matches (see the module's note)."""

    IDS = "ids"  # start from the few matching documents
    ID_SET = "id set"  # walk the listing's order, each mention's document id against the set
    EACH_DOCUMENT = "each document"  # walk the listing's order, checking each document


class TextCondition(NamedTuple):
    """The condition a search adds to a listing and the path it takes. ``IDS`` and ``ID_SET``
    conditions go on the listing itself; ``EACH_DOCUMENT`` ones go with the other checks of
    the mention's document."""

    condition: ColumnElement[bool]
    path: SearchPath


def text_condition(session: Session, query: str) -> TextCondition:
    """A condition true when the document's title or text holds every word of ``query``, in
    the form that lets the listing use the full-text index best (see the module's note)."""
    terms = compute_search_terms(query)
    if not terms:
        return TextCondition(false(), SearchPath.IDS)
    dialect = session.get_bind().dialect.name
    documents = session.scalar(select(func.max(Document.id))) or 0
    common = compute_common_matches(documents)
    most = max(common, compute_id_set_matches(documents))
    if dialect == "postgresql":
        # Fetching ids reads a row each: only worth it when the planner expects a set.
        found: list[int] = []
        expected = _postgres_estimate(session, terms)
    else:
        found = _fetch_ids(session, _matching_ids(dialect, terms, common + 1))
        if len(found) <= common:
            return _from_ids(found)
        expected = estimate_matches(found, documents)
    if expected > most:
        return _checking_each_document(dialect, terms)
    found += _fetch_ids(session, _matching_ids(dialect, terms, most + 1 - len(found),
                                               after=max(found, default=0)))
    if len(found) <= common:
        return _from_ids(found)
    if len(found) <= most:
        return TextCondition(_in_id_set(dialect, found), SearchPath.ID_SET)
    return _checking_each_document(dialect, terms)


def estimate_matches(first: Sequence[int], documents: int) -> int:
    """How many of ``documents`` match, from the ``first`` matching ids (the lowest ones),
    supposing matches spread evenly over the ids. A word bunched in the newest documents is
    underestimated; the id fetch that follows is capped, so the cost of that mistake is
    bounded."""
    highest = max(first, default=0)
    if highest <= 0:
        return 0
    return len(first) * max(documents, highest) // highest


def _fetch_ids(session: Session, query: Any) -> list[int]:
    found = session.execute(query).scalar()
    if isinstance(found, str):  # SQLite's JSON array
        found = json.loads(found)
    return list(found or [])


def _from_ids(found: list[int]) -> TextCondition:
    return TextCondition(Document.id.in_(found) if found else false(), SearchPath.IDS)


def _checking_each_document(dialect: str, terms: list[str]) -> TextCondition:
    return TextCondition(_matches_each(dialect, terms), SearchPath.EACH_DOCUMENT)


def _in_id_set(dialect: str, ids: list[int]) -> ColumnElement[bool]:
    """The mention's document is one of ``ids``: tested on the listing's own index walk, so a
    mention whose document does not match is passed over without reading either row."""
    if dialect == "postgresql":
        # Written in as one constant array, which Postgres hashes once per statement; a
        # parameter would be searched element by element on every row once the statement is
        # prepared and planned generically.
        array = "{" + ",".join(str(int(i)) for i in sorted(ids)) + "}"
        constant = bindparam("search_ids", array, type_=String, literal_execute=True)
        return Mention.document_id == any_(cast(constant, ARRAY(Integer)))
    # "+ 0" keeps SQLite off the document_id index: it would start from the ids and sort every
    # match, the slow path this one exists to avoid. json_each hands the set over as one value.
    listed = func.json_each(bindparam("search_ids", json.dumps(ids))).table_valued("value")
    return (Mention.document_id + 0).in_(select(listed.c.value))


def _postgres_estimate(session: Session, terms: list[str]) -> int:
    """How many documents the planner expects to match: its statistics on the indexed
    expression are good at this (within a few percent for common words at a million)."""
    plan = session.execute(text(
        # Only the constant expression is formatted in; the user's words are a parameter.
        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM documents WHERE {POSTGRES_VECTOR} "  # noqa: S608
        "@@ to_tsquery('simple', :search_terms)"), {"search_terms": render_tsquery(terms)}
    ).scalar_one()
    return int(plan[0]["Plan"]["Plan Rows"])


def _matching_ids(dialect: str, terms: list[str], most: int, *, after: int = 0) -> Any:
    """Up to ``most`` matching ids as one value (on SQLite the lowest above ``after``).

    One value rather than a row each: thousands of result rows are as many objects for the
    garbage collector, whose full passes added 20-30 ms to one request in five at a million."""
    if dialect == "postgresql":
        # No order: it would sort what the bitmap scan reads in the table's order.
        found = select(Document.id).where(_postgres_match(terms)).limit(most).subquery()
        return select(func.array_agg(found.c.id))
    return text(
        "SELECT json_group_array(rowid) FROM (SELECT rowid FROM documents_fts "
        "WHERE documents_fts MATCH :search_terms AND rowid > :after ORDER BY rowid LIMIT :most)"
    ).bindparams(search_terms=render_fts5_query(terms), after=after, most=most)


def _matches_each(dialect: str, terms: list[str]) -> ColumnElement[bool]:
    """A condition on ``Document`` true when its title or text holds every one of ``terms``,
    checked document by document (the index answers "does this one match?")."""
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
