"""Migration 0040 carries per-mention triage onto the item, on SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from monitor.db.engine import build_engine, build_sessionmaker
from monitor.db.migrate import upgrade_database
from monitor.db.models import Document
from monitor.db.repositories.inbox import InboxRepository

AT = datetime(2026, 11, 20, tzinfo=UTC).isoformat()
LATER = datetime(2026, 11, 21, tzinfo=UTC).isoformat()


def _old_rows(connection: object) -> None:
    run = connection.execute  # type: ignore[attr-defined]
    run(text("INSERT INTO sources (id, name, url, host, interval_s, enabled, options,"
             " from_config, next_check_at, error_count, created_at) VALUES (1, 's',"
             " 'https://x.example/f', 'x.example', 60, true, '{}', true, :at, 0, :at)"),
        {"at": AT})
    for brand_id, name in ((1, "Acme"), (2, "Globex")):
        run(text("INSERT INTO brands (id, name, query, enabled, from_config, created_at,"
                 " updated_at) VALUES (:id, :name, :query, true, true, :at, :at)"),
            {"id": brand_id, "name": name, "query": name, "at": AT})
    for doc_id in (1, 2):
        run(text("INSERT INTO documents (id, source_id, key, url, kind, discovered_at, title,"
                 " text, engagement, content_hash) VALUES (:id, 1, :key, :url, 'post', :at,"
                 " '', 'Acme and Globex', '{}', 'h')"),
            {"id": doc_id, "key": f"k{doc_id}", "url": f"https://x.example/{doc_id}", "at": AT})
    # Document 1: Acme's mention was marked seen, then Globex's needs_reply (the latest).
    for mention_id, doc_id, brand_id, state, changed in (
            (1, 1, 1, "seen", AT), (2, 1, 2, "needs_reply", LATER), (3, 2, 1, "new", None)):
        run(text("INSERT INTO mentions (id, document_id, brand_id, sort_at, spans, snippet,"
                 " sentiment_score, sentiment_label, sentiment_confidence, topics, state,"
                 " created_at, site, engagement, state_changed_at) VALUES (:id, :doc, :brand,"
                 " :at, '[]', 's', 0, 'neutral', 0, '[]', :state, :at, 'x.example', 0,"
                 " :changed)"), {"id": mention_id, "doc": doc_id, "brand": brand_id,
                                 "state": state, "changed": changed, "at": AT})
    for mention_id, tag in ((1, "vip"), (2, "vip"), (2, "refund")):
        run(text("INSERT INTO mention_tags (mention_id, tag) VALUES (:m, :t)"),
            {"m": mention_id, "t": tag})
    for mention_id, body in ((1, "first"), (2, "second")):
        run(text("INSERT INTO mention_notes (mention_id, author, body, created_at)"
                 " VALUES (:m, 'nadia', :b, :at)"), {"m": mention_id, "b": body, "at": AT})


def test_mention_triage_moves_onto_the_item(empty_url: str) -> None:
    engine = build_engine(empty_url)
    upgrade_database(engine, "0005")
    with engine.begin() as connection:
        _old_rows(connection)
    upgrade_database(engine)
    with build_sessionmaker(engine)() as session:
        first, second = session.get(Document, 1), session.get(Document, 2)
        assert first is not None
        assert second is not None
        assert (first.state, second.state) == ("needs_reply", "new")
        assert first.thread_id is not None  # 0041: each post is its own thread
        assert second.thread_id not in (None, first.thread_id)
        inbox = InboxRepository(session)
        assert inbox.item_tags_for([1, 2]) == {1: ["refund", "vip"]}
        assert [n.body for n in inbox.item_notes_for(1)] == ["first", "second"]
        assert inbox.tags_for([1, 2, 3]) == {1: ["refund", "vip"], 2: ["refund", "vip"]}
    engine.dispose()
