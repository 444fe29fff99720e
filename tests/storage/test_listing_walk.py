"""Listings filtered on their documents (the inbox's state, kind, language, duplicates, a
common word) walk their own order and check each page's documents, whatever the planner's
statistics say: SQLite (3.38 and later) would otherwise filter every document into a Bloom
filter before the first row when it expects more mentions than documents. On SQLite and
Postgres the pages are those a plain reading of the store gives."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import event, text

from monitor.db.repositories.items import ItemRepository
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed
from tests.listing_keys import document_keys

FILTERS = [MentionFilter(state="new", as_of=NOW), MentionFilter(kind="comment"),
           MentionFilter(language="en", state="new", as_of=NOW), MentionFilter(q="espresso")]


def _store(runtime: Runtime) -> list[Doc]:
    # Two brands in every document: more mentions than documents, as in a store built by
    # search discovery.
    docs = [Doc(f"d{n}", NOW - timedelta(minutes=n), brands={"Acme": "neutral",
                                                              "Globex": "negative"},
                kind="comment" if n % 3 else "post", language="en" if n % 5 else "de",
                text=f"Acme and Globex {'espresso' if n % 2 else 'grinder'} {n}")
            for n in range(1500)]
    seed(runtime, docs)
    with runtime.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return docs


@contextmanager
def _plans(runtime: Runtime, sqlite: bool) -> Iterator[list[str]]:
    """The query plans of the listing statements run in the block (on SQLite)."""
    plans: list[str] = []
    if not sqlite:
        yield plans
        return

    def explain(conn: Any, cursor: Any, statement: str, params: Any, context: Any,
                executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "ORDER BY" in statement:
            rows = cursor.connection.execute("EXPLAIN QUERY PLAN " + statement, params)
            plans.append(" | ".join(str(row[3]) for row in rows))

    event.listen(runtime.engine, "before_cursor_execute", explain)
    try:
        yield plans
    finally:
        event.remove(runtime.engine, "before_cursor_execute", explain)


def _expected(docs: list[Doc], filters: MentionFilter) -> list[str]:
    def passes(doc: Doc) -> bool:
        return ((filters.kind is None or doc.kind == filters.kind)
                and (filters.language is None or doc.language == filters.language)
                and (filters.q is None or filters.q in doc.text))
    return [d.key for d in sorted(docs, key=lambda d: d.at, reverse=True) if passes(d)][:20]


def test_document_filters_walk_the_listing_and_keep_its_pages(runtime: Runtime) -> None:
    docs = _store(runtime)
    sqlite = runtime.engine.dialect.name == "sqlite"
    for filters in FILTERS:
        with runtime.sessions() as session, _plans(runtime, sqlite) as plans:
            items = ItemRepository(session).list_page(filters, limit=20, cursor=None)
            mentions = MentionRepository(session).list_page(filters, limit=40, cursor=None)
            mention_keys = document_keys(session, mentions.rows)
        assert [item.document.key for item in items.rows] == _expected(docs, filters)
        assert mention_keys[::2] == _expected(docs, filters)
        if sqlite:
            assert plans, filters
            assert not any("BLOOM FILTER" in plan for plan in plans), (filters, plans)
            # A search's own lookup in the full-text index (documents_fts) is no such scan.
            assert not any("SCAN documents" in plan.replace("SCAN documents_fts", "")
                           for plan in plans), (filters, plans)
