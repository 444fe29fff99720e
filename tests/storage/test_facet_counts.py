"""Per-source and per-topic counts stay exact through every kind of write, on both engines,
and the trends' top threads and text sample keep to the listing.

Each topic and source on the trends page links to the listing filtered by it: whatever the
store goes through, the counts trends read from the pre-aggregates must equal what that
listing holds, and what the exact query over the mentions finds.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from monitor.db import models_counts
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.repositories import trends as trends_module
from monitor.db.repositories.exclusions import ExclusionRepository, as_rule
from monitor.db.repositories.fingerprints import FingerprintRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.trends import TrendRepository
from monitor.runtime import Runtime
from tests.desk_seed import NOW, SOURCES, Doc, seed

LABELS = ("positive", "negative", "neutral", "unscored")
TOPICS = ("price", "service", "delivery", "quality")
FILTERS = [MentionFilter(), MentionFilter(brand="Acme"), MentionFilter(brand="Globex"),
           MentionFilter(sentiment="negative"), MentionFilter(brand="Acme", sentiment="neutral")]
# Odd minutes at the ends, as "now" has: the ends come from the mentions, the rest from the
# hourly and daily counts.
WINDOWS = [(NOW - timedelta(days=10, minutes=7), NOW + timedelta(minutes=13)),
           (NOW - timedelta(days=3, hours=5), NOW - timedelta(hours=30, minutes=1))]


def _docs(prefix: str, count: int, rng: random.Random) -> list[Doc]:
    docs = []
    for n in range(count):
        brands = {"Acme": rng.choice(LABELS)}
        if n % 3 == 0:
            brands["Globex"] = rng.choice(LABELS)
        # Repeated and odd topics too: a mention counts once per distinct string topic.
        topics = rng.sample(TOPICS, rng.randrange(3)) + rng.choice([[], ["price"], ["x y"]])
        docs.append(Doc(f"{prefix}{n}", NOW - timedelta(minutes=rng.randrange(10 * 24 * 60)),
                        brands=brands, author=f"author{n % 4}", topics=topics,
                        source=rng.choice(list(SOURCES)),
                        thread_url=rng.choice([None, "https://forum.example/t/1",
                                               "https://forum.example/t/2"]),
                        score=round(rng.uniform(-1, 1), 3), text=f"Acme and Globex {n}"))
    return docs


def _assert_facets_match_listing(runtime: Runtime, brands: tuple[str, ...] = ("Acme", "Globex")
                                 ) -> None:
    with runtime.sessions() as session:
        trends, mentions = TrendRepository(session), MentionRepository(session)
        sources = list(session.scalars(select(Source.id)))
        for since, until in WINDOWS:
            for base in (f for f in FILTERS if f.brand in (None, *brands)):
                filters = replace(base, since=since, until=until)
                topics = trends.topic_counts(filters)
                assert topics == trends._exact_topic_counts(filters), filters
                for topic in (*TOPICS, "x y"):
                    assert topics.get(topic, 0) == mentions.count(
                        replace(filters, topic=topic)), (filters, topic)
                ranked = trends.top_sources(filters, 10)
                assert ranked == trends._exact_top_sources(filters, 10), filters
                listed = {s: mentions.count(replace(filters, source=s)) for s in sources}
                assert {s.id: s.mentions for s in ranked} == {
                    s: n for s, n in listed.items() if n}, filters


def _ids(runtime: Runtime) -> tuple[list[int], list[int]]:
    with runtime.sessions() as session:
        mentions = list(session.scalars(select(Mention.id).order_by(Mention.id)))
        documents = list(session.scalars(select(Document.id).order_by(Document.id)))
    return mentions, documents


def test_facet_counts_equal_the_listing_through_every_kind_of_write(runtime: Runtime) -> None:
    rng = random.Random(11)
    seed(runtime, _docs("a", 60, rng))
    _assert_facets_match_listing(runtime)

    seed(runtime, _docs("b", 30, rng))  # a second batch into the same buckets
    mention_ids, document_ids = _ids(runtime)
    with unit_of_work(runtime.sessions) as session:  # sentiment overrides, set and cleared
        inbox = InboxRepository(session)
        inbox.apply(mention_ids[::4], TriageChange(change_sentiment=True, sentiment="negative"),
                    NOW)
        inbox.apply(mention_ids[::8], TriageChange(change_sentiment=True, sentiment=None), NOW)
        inbox.apply_items(document_ids[1::9], TriageChange(change_sentiment=True,
                                                           sentiment="positive"), NOW)
    _assert_facets_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # topics rewritten, a document moved
        session.execute(update(Mention).where(Mention.id.in_(mention_ids[::5])).values(
            topics=["delivery", "delivery"]))
        other = session.scalar(select(Source.id).order_by(Source.id.desc()))
        session.execute(update(Document).where(Document.id.in_(document_ids[2::7])).values(
            source_id=other))
    _assert_facets_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # syndicated copies linked, regrouped
        fingerprints = FingerprintRepository(session)
        for copy in document_ids[10:16]:
            fingerprints.mark_duplicate(copy, document_ids[3])
        fingerprints.move_group(document_ids[3], document_ids[20])
    _assert_facets_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # a mute hides past mentions
        exclusions = ExclusionRepository(session)
        rule = exclusions.create("author", "author1", None, "tests", NOW)
        assert exclusions.hide_matching(as_rule(rule)) > 0
        muted = rule.id
    _assert_facets_match_listing(runtime)
    with unit_of_work(runtime.sessions) as session:  # and unmuting shows them again
        ExclusionRepository(session).delete(muted)
    _assert_facets_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # deletions: mentions, then old documents
        acme = session.scalar(select(Brand.id).where(Brand.name == "Acme"))
        assert acme is not None
        MentionRepository(session).delete_for_brand_except(acme, set(document_ids[::2]))
        session.execute(delete(Document).where(Document.id.in_(document_ids[20:40])))
    _assert_facets_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # a brand removed with its mentions
        session.execute(delete(Brand).where(Brand.name == "Globex"))
    _assert_facets_match_listing(runtime, brands=("Acme",))


def test_facet_counts_after_random_writes(runtime: Runtime) -> None:
    """Random inserts, overrides, topic changes, mutes, copies and deletions, in any order:
    the pre-aggregates always equal the exact count over the mentions."""
    rng = random.Random(5)
    seed(runtime, _docs("s", 40, rng))
    with unit_of_work(runtime.sessions) as session:
        rule = ExclusionRepository(session).create("author", "nobody", None, "tests", NOW).id
    for step in range(8):
        mention_ids, document_ids = _ids(runtime)
        action = rng.choice(["insert", "override", "topics", "mute", "copy", "delete",
                             "delete_documents"])
        with unit_of_work(runtime.sessions) as session:
            picked = rng.sample(mention_ids, min(len(mention_ids), 6))
            docs = rng.sample(document_ids, min(len(document_ids), 4))
            if action == "override":
                InboxRepository(session).apply(picked, TriageChange(
                    change_sentiment=True, sentiment=rng.choice(["positive", "negative", None])),
                    NOW)
            elif action == "topics":
                session.execute(update(Mention).where(Mention.id.in_(picked)).values(
                    topics=rng.sample(TOPICS, 2)))
            elif action == "mute":
                session.execute(update(Mention).where(Mention.id.in_(picked)).values(
                    hidden_by_id=rng.choice([None, rule])))
            elif action == "copy" and len(docs) > 1:
                FingerprintRepository(session).mark_duplicate(docs[0], docs[1])
            elif action == "delete":
                session.execute(delete(Mention).where(Mention.id.in_(picked)))
            elif action == "delete_documents":
                session.execute(delete(Document).where(Document.id.in_(docs[:2])))
        if action == "insert":
            seed(runtime, _docs(f"r{step}-", 8, rng))
        _assert_facets_match_listing(runtime)


def test_top_threads_from_a_sample_count_exactly(runtime: Runtime,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    seed(runtime, _docs("t", 80, rng))
    since, until = WINDOWS[0]
    with runtime.sessions() as session:
        trends = TrendRepository(session)
        for base in FILTERS:
            filters = replace(base, since=since, until=until)
            exact = trends.top_threads(filters, 10)
            whole = trends.sample(filters)
            assert whole.whole  # fewer mentions than the sample's size: all of them
            assert trends.top_threads(filters, 10, whole) == exact
            assert len(whole.texts) == MentionRepository(session).count(filters)

            monkeypatch.setattr(trends_module, "MAX_TEXTS", 5)
            sample = trends.sample(filters)
            monkeypatch.undo()
            assert not sample.whole
            assert 0 < len(sample.texts) <= 5
            counted = {t.url: t.mentions for t in trends.top_threads(filters, 1000)}
            for thread in trends.top_threads(filters, 10, sample):
                assert thread.url in sample.threads
                assert thread.mentions == counted.get(thread.url), (filters, thread)


def test_the_sample_keeps_to_the_filters(runtime: Runtime,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(9)
    seed(runtime, _docs("u", 60, rng))
    monkeypatch.setattr(trends_module, "MAX_TEXTS", 12)
    with unit_of_work(runtime.sessions) as session:  # muted mentions and copies stay out
        rule = ExclusionRepository(session).create("author", "nobody", None, "tests", NOW).id
        session.execute(update(Mention).where(Mention.id % 3 == 0).values(hidden_by_id=rule))
        copies = list(session.scalars(select(Document.id).order_by(Document.id)))[5:10]
        for copy in copies:
            FingerprintRepository(session).mark_duplicate(copy, copies[0] - 1)
    since, until = WINDOWS[0]
    with runtime.sessions() as session:
        trends, mentions = TrendRepository(session), MentionRepository(session)
        for base in FILTERS:
            filters = replace(base, since=since, until=until)
            shown = Counter(f"{title} {snippet}".strip() for title, snippet in session.execute(
                mentions.filtered(select(Mention, Document, Brand, Source).join(
                    Document, Mention.document_id == Document.id).join(
                    Brand, Mention.brand_id == Brand.id).join(
                    Source, Document.source_id == Source.id), filters).with_only_columns(
                    Document.title, Mention.snippet)))
            sample = trends.sample(filters)
            assert 0 < len(sample.texts) <= 12
            assert not Counter(sample.texts) - shown, filters


def test_counts_are_what_trends_read(runtime: Runtime) -> None:
    seed(runtime, _docs("c", 10, random.Random(1)))
    since, until = WINDOWS[0]
    filters = MentionFilter(brand="Acme", since=since, until=until)
    with unit_of_work(runtime.sessions) as session:
        trends = TrendRepository(session)
        before = trends.topic_counts(filters)
        # A count changed behind the triggers' back shows in the trend (and only there).
        acme = session.scalar(select(Brand.id).where(Brand.name == "Acme"))
        counts = models_counts.TopicBucketCount
        row = session.scalars(select(counts).where(
            counts.span_hours == models_counts.DAY, counts.brand_id == acme,
            counts.bucket_at >= since + timedelta(days=1),
            counts.bucket_at < until - timedelta(days=1), counts.mentions > 0)).first()
        assert row is not None
        row.mentions += 100
        session.flush()
        assert sum(trends.topic_counts(filters).values()) == sum(before.values()) + 100
        session.rollback()
