"""The desk's storage on SQLite and Postgres: triage, filters, search, sort, exclusions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from monitor.db.engine import unit_of_work
from monitor.db.models import Document, Mention, Source
from monitor.db.repositories import DocumentRepository, MentionRepository
from monitor.db.repositories.exclusions import ExclusionRepository, as_rule
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.mentions import MentionFilter
from monitor.db.repositories.users import DeskUserRepository
from monitor.db.repositories.views import ViewRepository
from monitor.errors import ConflictError, InvalidInputError
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed
from tests.listing_keys import document_keys


def _count(runtime: Runtime, **filters: object) -> int:
    with runtime.sessions() as session:
        return MentionRepository(session).count(MentionFilter(as_of=NOW, **filters))  # type: ignore[arg-type]


def _keys(runtime: Runtime, sort: str = "time", **filters: object) -> list[str]:
    with runtime.sessions() as session:
        page = MentionRepository(session).list_page(
            MentionFilter(as_of=NOW, **filters), limit=200, cursor=None, sort=sort)  # type: ignore[arg-type]
        return document_keys(session, page.rows)


def test_state_changes_snooze_and_override(runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW), Doc("b", NOW - timedelta(hours=1))])
    with unit_of_work(runtime.sessions) as session:
        inbox = InboxRepository(session)
        inbox.apply([ids["a"]], TriageChange(state="needs_reply"), NOW)
        inbox.apply([ids["b"]], TriageChange(snoozed_until=NOW + timedelta(hours=2)), NOW)
        inbox.apply([ids["a"]], TriageChange(change_sentiment=True, sentiment="negative"), NOW)
    assert _keys(runtime, state="needs_reply") == ["a"]
    assert _keys(runtime, state="snoozed") == ["b"]
    assert _keys(runtime, sentiment="negative") == ["a"]
    with runtime.sessions() as session:  # three hours later the snooze is over: "new" again
        later = MentionFilter(as_of=NOW + timedelta(hours=3), state="new")
        assert document_keys(session, MentionRepository(session).list_page(
            later, limit=10, cursor=None).rows) == ["b"]


@pytest.mark.parametrize("change", [
    TriageChange(state="snoozed"),
    TriageChange(state="snoozed", snoozed_until=NOW - timedelta(minutes=1)),
    TriageChange(state="seen", snoozed_until=NOW + timedelta(hours=1)),
    TriageChange(state="archived"),
    TriageChange(change_sentiment=True, sentiment="angry"),
    TriageChange(add_tags=["<b>"]),
    TriageChange(set_tags=[f"t{i}" for i in range(21)]),
])
def test_triage_refuses_what_makes_no_sense(runtime: Runtime, change: TriageChange) -> None:
    ids = seed(runtime, [Doc("a", NOW)])
    with runtime.sessions() as session, pytest.raises(InvalidInputError):
        InboxRepository(session).apply([ids["a"]], change, NOW)


def test_override_survives_reanalysis(runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW, brands={"Acme": "positive"})])
    with unit_of_work(runtime.sessions) as session:
        InboxRepository(session).apply(
            [ids["a"]], TriageChange(change_sentiment=True, sentiment="negative"), NOW)
    with unit_of_work(runtime.sessions) as session:  # what a re-analysis writes
        session.execute(update(Mention).values(sentiment_label="neutral", sentiment_score=0.0))
    with runtime.sessions() as session:
        row = MentionRepository(session).get_row(ids["a"])
        assert (row.mention.sentiment_override, row.mention.sentiment_label) == (
            "negative", "neutral")
    assert _keys(runtime, sentiment="negative") == ["a"]


def test_tags_set_add_remove_and_filter(runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW), Doc("b", NOW)])
    with unit_of_work(runtime.sessions) as session:
        inbox = InboxRepository(session)
        inbox.apply([ids["a"], ids["b"]], TriageChange(add_tags=["Support ", "vip"]), NOW)
        inbox.apply([ids["b"]], TriageChange(remove_tags=["vip"]), NOW)
        inbox.apply([ids["a"]], TriageChange(add_tags=["vip"]), NOW)  # twice is once
        assert inbox.tags_for([ids["a"], ids["b"]]) == {
            ids["a"]: ["support", "vip"], ids["b"]: ["support"]}
        inbox.apply([ids["a"]], TriageChange(set_tags=["press"]), NOW)
        assert inbox.all_tags() == ["press", "support"]
    assert _keys(runtime, tag="support") == ["b"]


def test_notes_are_kept_in_order(runtime: Runtime) -> None:
    ids = seed(runtime, [Doc("a", NOW)])
    with unit_of_work(runtime.sessions) as session:
        inbox = InboxRepository(session)
        inbox.add_note(ids["a"], "nadia", "Called them", NOW)
        inbox.add_note(ids["a"], "omar", "  Sent a voucher ", NOW)
        with pytest.raises(InvalidInputError):
            inbox.add_note(ids["a"], "omar", "   ", NOW)
    with runtime.sessions() as session:
        notes = InboxRepository(session).notes_for(ids["a"])
        assert [(n.author, n.body) for n in notes] == [
            ("nadia", "Called them"), ("omar", "Sent a voucher")]


def test_every_filter(runtime: Runtime) -> None:
    seed(runtime, [
        Doc("forum", NOW, author="Nadia", topics=["price"], language="en"),
        Doc("reddit", NOW - timedelta(hours=1), source="https://www.reddit.com/r/espresso/.rss",
            url="https://www.reddit.com/r/espresso/comments/1/x/", kind="comment",
            topics=["support", "price"], language="de", author="omar"),
        Doc("blog", NOW - timedelta(hours=2), source="https://blog.example.org/feed/",
            url="https://news.blog.example.org/2026/acme", brands={"Globex": "negative"},
            author=None),
    ])
    assert _keys(runtime, source_kind="reddit") == ["reddit"]
    assert _keys(runtime, site="reddit.com") == ["reddit"]  # www. is ignored
    assert _keys(runtime, site="blog.example.org") == ["blog"]  # subdomains count
    assert _keys(runtime, site="example.org") == ["blog"]
    assert _keys(runtime, author="nadia") == ["forum"]  # case does not matter
    assert _keys(runtime, topic="price") == ["forum", "reddit"]
    assert _keys(runtime, topic="pri") == []
    assert _keys(runtime, language="de") == ["reddit"]
    assert _keys(runtime, kind="comment") == ["reddit"]
    assert _keys(runtime, brand="Globex", sentiment="negative") == ["blog"]
    assert _keys(runtime, until=NOW - timedelta(minutes=30)) == ["reddit", "blog"]


def test_full_text_search_follows_inserts_updates_and_deletes(runtime: Runtime) -> None:
    seed(runtime, [
        Doc("a", NOW, title="Crema report", text="Acme grinder: burrs wore out after a year"),
        Doc("b", NOW, text="Acme customer service was quick"),
        Doc("c", NOW, text="Nothing to see; l'Acme café est très bon"),
    ])
    assert _keys(runtime, q="grinder") == ["a"]
    assert _keys(runtime, q="CREMA") == ["a"]  # title too, any case
    assert _keys(runtime, q="serv quick") == ["b"]  # every word, as a prefix
    assert _keys(runtime, q="CAFÉ") == ["c"]
    assert _keys(runtime, q='"grinder') == ["a"]  # query syntax is just words
    assert _keys(runtime, q='grinder" OR * NEAR( AND') == []  # …all of which must be there
    assert _keys(runtime, q="%_") == []
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Document).where(Document.key == "b").values(text="Acme refunds"))
    assert _keys(runtime, q="quick") == []
    assert _keys(runtime, q="refunds") == ["b"]
    with unit_of_work(runtime.sessions) as session:  # cascade from a source deletes documents
        source = session.scalar(select(Source).where(Source.url.like("%forum%")))
        session.delete(source)
    assert _keys(runtime, q="acme") == []


def test_engagement_sort_pages_stay_stable_under_inserts(runtime: Runtime) -> None:
    docs = [Doc(f"d{i}", NOW - timedelta(minutes=i), engagement={"score": i % 4, "comments": 1})
            for i in range(12)]
    seed(runtime, docs)
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        first = repo.list_page(MentionFilter(), limit=5, cursor=None, sort="engagement")
        seen = document_keys(session, first.rows)
    seed(runtime, [Doc("late", NOW, engagement={"score": 2})])  # lands in the middle
    cursor = first.next_cursor
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        while cursor:
            page = repo.list_page(MentionFilter(), limit=5, cursor=cursor, sort="engagement")
            seen += document_keys(session, page.rows)
            cursor = page.next_cursor
        engagement = dict(session.execute(select(Document.key, Mention.engagement).join(
            Mention, Mention.document_id == Document.id)).all())
    assert sorted(set(seen) - {"late"}) == sorted(d.key for d in docs)
    assert len(seen) == len(set(seen))
    values = [engagement[k] for k in seen]
    assert values == sorted(values, reverse=True)
    assert engagement["d3"] == 4  # score 3 + 1 comment


def test_a_time_cursor_is_refused_for_the_engagement_sort(runtime: Runtime) -> None:
    seed(runtime, [Doc(f"d{i}", NOW - timedelta(minutes=i)) for i in range(3)])
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        page = repo.list_page(MentionFilter(), limit=1, cursor=None)
        assert page.next_cursor
        with pytest.raises(InvalidInputError, match="sort order"):
            repo.list_page(MentionFilter(), limit=1, cursor=page.next_cursor, sort="engagement")


def test_muting_counts_first_hides_on_request_and_catches_new_mentions(runtime: Runtime
                                                                       ) -> None:
    seed(runtime, [Doc("a", NOW, author="Spammer"), Doc("b", NOW, author="spammer"),
                   Doc("c", NOW, author="nadia"),
                   Doc("g", NOW, author="spammer", brands={"Globex": "neutral"})])
    with unit_of_work(runtime.sessions) as session:
        repo = ExclusionRepository(session)
        rule = repo.create("author", " SPAMMER ", None, "user:nadia", NOW)
        assert rule.value == "spammer"
        assert repo.count_matching(as_rule(rule)) == 3
    assert _count(runtime) == 4  # a dry run hides nothing
    with unit_of_work(runtime.sessions) as session:
        repo = ExclusionRepository(session)
        assert repo.hide_matching(as_rule(rule)) == 3
        with pytest.raises(ConflictError):
            repo.create("author", "spammer", None, "user:omar", NOW)
    assert _keys(runtime) == ["c"]
    assert _count(runtime, include_hidden=True) == 4
    seed(runtime, [Doc("later", NOW, author="Spammer"), Doc("ok", NOW, author="omar")])
    assert sorted(_keys(runtime)) == ["c", "ok"]  # new mentions arrive hidden
    with unit_of_work(runtime.sessions) as session:
        ExclusionRepository(session).delete(rule.id)
    assert _count(runtime) == 6


def test_muting_a_site_for_one_brand(runtime: Runtime) -> None:
    ids = seed(runtime, [
        Doc("r1", NOW, url="https://old.reddit.com/r/x/1", brands={"Acme": "neutral",
                                                                  "Globex": "neutral"}),
        Doc("f1", NOW),
    ])
    with unit_of_work(runtime.sessions) as session:
        brand_id = MentionRepository(session).get_row(ids["r1"]).brand.id
        repo = ExclusionRepository(session)
        rule = repo.create("site", "https://www.reddit.com/r/espresso", brand_id, "u", NOW)
        assert rule.value == "reddit.com"
        assert repo.hide_matching(as_rule(rule)) == 1
    assert _count(runtime, brand="Acme") == 1
    assert _count(runtime, brand="Globex") == 1


def test_saved_views_and_visits(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        views = ViewRepository(session)
        views.save("user:nadia", "Angry", {"sentiment": "negative"}, NOW)
        views.save("user:nadia", "Angry", {"sentiment": "negative", "brand": "Acme"}, NOW)
        views.save("user:omar", "Mine", {}, NOW)
        [view] = views.list_for("user:nadia")
        assert view.params == {"sentiment": "negative", "brand": "Acme"}
        users = DeskUserRepository(session)
        assert users.record_visit("user:nadia", NOW) is None
        assert users.record_visit("user:nadia", NOW + timedelta(minutes=10)) is None
        later = NOW + timedelta(hours=3)
        assert users.record_visit("user:nadia", later) == NOW + timedelta(minutes=10)
        assert users.record_visit("user:nadia", later + timedelta(minutes=5)) == (
            NOW + timedelta(minutes=10))  # same visit, same mark


def test_created_after_and_ids_matching(runtime: Runtime) -> None:
    seed(runtime, [Doc("old", NOW - timedelta(days=2)), Doc("new", NOW)])
    assert _keys(runtime, created_after=NOW - timedelta(days=1)) == ["new"]
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        assert len(repo.ids_matching(MentionFilter(), limit=1)) == 1
        everything = replace(MentionFilter(), include_duplicates=True)
        assert len(repo.ids_matching(everything, limit=10)) == 2


def test_documents_without_mentions_are_not_listed(runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW)])
    with unit_of_work(runtime.sessions) as session:
        source_id = session.scalars(select(Source.id)).first()
        DocumentRepository(session).insert_new([{
            "source_id": source_id, "key": "lonely", "url": "https://x.example/", "kind": "post",
            "author": None, "published_at": NOW, "discovered_at": NOW, "title": "espresso",
            "text": "espresso", "thread_url": None, "thread_title": None, "parent_key": None,
            "language": None, "engagement": {}, "content_hash": "0" * 64,
            "sentiment_score": None, "duplicate_of_id": None}])
    assert _keys(runtime, q="espresso") == ["a"]
