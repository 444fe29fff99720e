"""Stored priorities on SQLite and Postgres: scored on insert, rescored when signals change."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from monitor.db.engine import build_engine, build_sessionmaker, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.maintenance import refresh_planner_statistics
from monitor.db.repositories.mentions import MentionFilter, _joined
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed
from tests.storage.test_item_migration import AT

POST_URL = "https://forum.example/t/kettle"


def _stored(runtime: Runtime) -> dict[str, tuple[int, list[str], set[int]]]:
    """Document key → (priority, reasons, the priorities its mentions carry)."""
    with runtime.sessions() as session:
        docs = session.execute(select(Document.id, Document.key, Document.priority,
                                      Document.priority_reasons)).all()
        copies: dict[int, set[int]] = {}
        for doc_id, priority in session.execute(select(Mention.document_id, Mention.priority)):
            copies.setdefault(doc_id, set()).add(priority)
        return {key: (p, list(r), copies.get(i, set())) for i, key, p, r in docs}


def test_items_are_scored_when_stored_and_mentions_carry_the_score(runtime: Runtime) -> None:
    seed(runtime, [
        Doc("question", NOW, text="Acme, why was I charged twice? Still waiting on a refund.",
            score=-0.7, brands={"Acme": "negative", "Globex": "neutral"}),
        Doc("popular", NOW, text="Acme makes espresso machines.",
            engagement={"score": 400, "comments": 80}),
        Doc("quiet", NOW),
    ])
    stored = _stored(runtime)
    assert stored["question"][1] == ["needs reply", "very negative"]
    assert stored["question"][0] == 40 + 21
    assert stored["question"][2] == {61}  # both brands' mentions
    assert stored["popular"][:2] == (35, ["high engagement", "engagement rising"])
    assert stored["quiet"] == (0, [], {0})


def test_new_comments_grow_the_thread_of_earlier_items(runtime: Runtime) -> None:
    seed(runtime, [Doc("post", NOW - timedelta(hours=1), url=POST_URL, thread_url=POST_URL)])
    assert _stored(runtime)["post"][1] == []
    comments = [Doc(f"c{i}", NOW + timedelta(minutes=i), brands={}, kind="comment",
                    text="Same here.", url=f"{POST_URL}#c{i}", thread_url=POST_URL)
                for i in range(10)]
    late = Doc("late", NOW + timedelta(days=3), brands={}, kind="comment", text="Bump.",
               url=f"{POST_URL}#late", thread_url=POST_URL)
    seed(runtime, [*comments, late])
    priority, reasons, copies = _stored(runtime)["post"]
    assert reasons == ["thread growing"]
    assert copies == {priority}
    assert priority == 10  # ten comments within its first day; the late one does not count


def test_triage_moves_the_needs_reply_signal(runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("question", NOW, text="Does Acme ship to Norway?"),
                         Doc("quiet", NOW)])
    with unit_of_work(runtime.sessions) as session:
        inbox = InboxRepository(session)
        inbox.apply([ids["question"]], TriageChange(state="replied"), NOW)
        inbox.apply([ids["quiet"]], TriageChange(state="needs_reply"), NOW)
    stored = _stored(runtime)
    assert stored["question"][:2] == (0, [])
    assert stored["quiet"][:2] == (40, ["needs reply"])
    assert stored["quiet"][2] == {40}
    with unit_of_work(runtime.sessions) as session:
        InboxRepository(session).apply(
            [ids["quiet"]], TriageChange(change_sentiment=True, sentiment="negative"), NOW)
    assert _stored(runtime)["quiet"][1] == ["needs reply", "very negative"]


def test_the_migration_scores_existing_items(empty_url: str) -> None:
    engine = build_engine(empty_url)
    upgrade_database(engine, "0020")
    with engine.begin() as connection:
        run = connection.execute
        run(text("INSERT INTO sources (id, name, url, host, interval_s, enabled, options,"
                 " from_config, next_check_at, error_count, created_at) VALUES (1, 's',"
                 " 'https://x.example/f', 'x.example', 60, true, '{}', true, :at, 0, :at)"),
            {"at": AT})
        run(text("INSERT INTO brands (id, name, query, enabled, from_config, created_at,"
                 " updated_at) VALUES (1, 'Acme', 'Acme', true, true, :at, :at)"), {"at": AT})
        for doc_id, body in ((1, "Acme, can you help me? My order never arrived."),
                             (2, "Acme makes kettles.")):
            run(text("INSERT INTO documents (id, source_id, key, url, kind, discovered_at,"
                     " title, text, engagement, content_hash, state) VALUES (:id, 1, :key,"
                     " :url, 'post', :at, '', :body, '{}', 'h', 'new')"),
                {"id": doc_id, "key": f"k{doc_id}", "url": f"https://x.example/{doc_id}",
                 "at": AT, "body": body})
            run(text("INSERT INTO mentions (id, document_id, brand_id, sort_at, spans, snippet,"
                     " sentiment_score, sentiment_label, sentiment_confidence, topics,"
                     " created_at, site, engagement) VALUES (:id, :id, 1, :at, '[]', 's', 0,"
                     " 'neutral', 0, '[]', :at, 'x.example', 0)"), {"id": doc_id, "at": AT})
    upgrade_database(engine)
    with build_sessionmaker(engine)() as session:
        rows = session.execute(select(Document.id, Document.priority, Document.priority_reasons)
                               .order_by(Document.id)).all()
        assert [tuple(r) for r in rows] == [(1, 40, ["needs reply"]), (2, 0, [])]
        assert set(session.scalars(select(Mention.priority).where(Mention.document_id == 1))
                   ) == {40}
    engine.dispose()


@pytest.mark.parametrize("state", ["ignored", "replied"])
def test_an_answered_item_keeps_its_other_reasons(runtime: Runtime, state: str) -> None:
    ids = seed(runtime, [Doc("q", NOW, text="Acme, why is my order late?", score=-0.8,
                             brands={"Acme": "negative"})])
    with unit_of_work(runtime.sessions) as session:
        InboxRepository(session).apply([ids["q"]], TriageChange(state=state), NOW)
    assert _stored(runtime)["q"][:2] == (24, ["very negative"])


def _plan(runtime: Runtime, query: Any) -> str:
    with runtime.reads() as session:
        dialect = session.get_bind().dialect
        sql = str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        prefix = "EXPLAIN QUERY PLAN " if dialect.name == "sqlite" else "EXPLAIN "
        if dialect.name == "postgresql":
            # A few thousand rows are cheaper to sort than to walk, which Postgres knows; at
            # scale it walks. Here: is there an index that gives the order without a sort?
            session.connection().exec_driver_sql("SET LOCAL enable_sort = off")
        rows = session.connection().exec_driver_sql(prefix + sql)
        return " | ".join(str(row[-1]) for row in rows)


def test_priority_pages_walk_the_index_without_sorting(runtime: Runtime) -> None:
    """The first page of sort=priority (mentions) and the inbox's walk read an index in
    order: a page's cost does not grow with the store."""
    seed(runtime, [Doc(f"d{i}", NOW - timedelta(minutes=i), engagement={"score": i % 97},
                       text="Does Acme ship to Oslo?" if i % 9 == 0 else "Acme is fine.")
                   for i in range(2000)])
    with runtime.engine.connect() as connection:
        refresh_planner_statistics(connection)
        connection.commit()
    with runtime.reads() as session:
        repo = MentionRepository(session)
        listing = repo.filtered(_joined(), MentionFilter()).order_by(
            Mention.priority.desc(), Mention.id.desc()).limit(51)
        walk = repo.filtered(
            select(Mention.priority, Mention.document_id).select_from(Mention)
            .join(Document, Mention.document_id == Document.id)
            .join(Brand, Mention.brand_id == Brand.id)
            .join(Source, Document.source_id == Source.id), MentionFilter()).order_by(
            Mention.priority.desc(), Mention.document_id.desc()).limit(102)
    for query, index in ((listing, "ix_mentions_priority"), (walk, "ix_mentions_item_priority")):
        plan = _plan(runtime, query)
        assert index in plan, plan
        assert "TEMP B-TREE" not in plan, plan  # SQLite sorting the rows itself
        assert not re.search(r"\bSort\b", plan), plan  # Postgres sorting the rows itself
