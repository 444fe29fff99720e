"""Lookups by key run from statements built once (prepared on Postgres) and answer for each
value they are given; listings are planned for their own values every time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from monitor.db.engine import unit_of_work
from monitor.db.repositories import MentionRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.mentions import MentionFilter
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

DOCS = [
    Doc("post", NOW, text="Acme makes espresso machines."),
    Doc("reply", NOW + timedelta(minutes=1), kind="comment", parent_key="post",
        text="Acme support answered me within the hour.", author="omar"),
    Doc("other", NOW + timedelta(minutes=2), {"Globex": "negative"}, text="Globex again."),
]


def _tag_and_note(runtime: Runtime, ids: dict[str, int]) -> None:
    with unit_of_work(runtime.sessions) as session:
        inbox = InboxRepository(session)
        inbox.apply([ids["post"]], TriageChange(set_tags=["urgent", "billing"]), NOW)
        inbox.apply([ids["reply"]], TriageChange(set_tags=["praise"]), NOW)
        inbox.add_note(ids["reply"], "sam", "thanked them", NOW)


def test_each_lookup_answers_for_the_value_it_is_given_run_after_run(runtime: Runtime) -> None:
    ids = seed(runtime, DOCS)
    _tag_and_note(runtime, ids)
    with runtime.reads() as session:
        repo, inbox = MentionRepository(session), InboxRepository(session)
        for _ in range(8):  # past the runs after which Postgres may settle on one plan
            post, reply = repo.get_detail(ids["post"]), repo.get_detail(ids["reply"])
            assert (post.listed.id, post.parent) == (ids["post"], None)
            assert reply.listed.id == ids["reply"]
            assert reply.parent is not None
            assert reply.parent.text == DOCS[0].text
            tags = inbox.item_tags_for([post.listed.document_id, reply.listed.document_id])
            assert tags == {post.listed.document_id: ["billing", "urgent"],
                            reply.listed.document_id: ["praise"]}
            assert [n.body for n in inbox.item_notes_for(reply.listed.document_id)] == [
                "thanked them"]
            assert inbox.item_notes_for(post.listed.document_id) == []
            assert repo.check_brand("Globex") != repo.check_brand("Acme")
            brand_page = repo.list_page(MentionFilter(brand="Globex"), limit=10, cursor=None)
            assert [r.id for r in brand_page.rows] == [ids["other"]]


def test_on_postgres_lookups_are_prepared_and_listings_are_not(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's driver keeps every statement compiled; nothing is planned again")
    ids = seed(runtime, DOCS)
    with runtime.reads() as session:
        repo = MentionRepository(session)
        repo.get_detail(ids["reply"])
        repo.list_page(MentionFilter(brand="Acme"), limit=10, cursor=None)
        InboxRepository(session).item_tags_for([1])
        prepared = list(session.scalars(text("SELECT statement FROM pg_prepared_statements")))
    assert any("WHERE mentions.id = $1" in s for s in prepared), prepared
    assert any("WHERE brands.name = $1" in s for s in prepared), prepared
    assert any("FROM item_tags" in s for s in prepared), prepared
    assert any("WHERE documents.key = $1" in s for s in prepared), prepared
    assert not any("ORDER BY mentions.sort_at DESC" in s for s in prepared), prepared  # listing
