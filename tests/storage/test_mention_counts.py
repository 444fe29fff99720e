"""Pre-aggregated mention counts stay exact through every kind of write, on both engines.

Trends read them for whole hours and days; whatever the store goes through (new mentions,
sentiment overrides, mutes and unmutes, syndicated copies linked and regrouped, deletions of
mentions, documents and brands), the trend buckets and shares must equal what the mentions
listing holds for the same filters.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import delete, select

from api.routes.trends import trend_request
from monitor.db.engine import unit_of_work
from monitor.db.models import Brand, Document, Mention
from monitor.db.models_counts import DAY, MentionCount
from monitor.db.repositories.exclusions import ExclusionRepository, as_rule
from monitor.db.repositories.fingerprints import FingerprintRepository
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.mention_counts import MentionCountRepository
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.trends import TrendRepository
from monitor.domain.buckets import Bucket, compute_buckets
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

LABELS = ("positive", "negative", "neutral", "unscored")
FILTERS = [MentionFilter(), MentionFilter(brand="Acme"), MentionFilter(brand="Globex"),
           MentionFilter(sentiment="negative"), MentionFilter(brand="Acme", sentiment="positive")]
# The listing's window ends at an odd minute, as "now" does: the ends come from the mentions.
WINDOWS = [(NOW - timedelta(days=10, minutes=7), NOW + timedelta(minutes=13)),
           (NOW - timedelta(days=3), NOW - timedelta(hours=30))]


def _docs(prefix: str, count: int, rng: random.Random) -> list[Doc]:
    docs = []
    for n in range(count):
        brands = {"Acme": rng.choice(LABELS)}
        if n % 3 == 0:
            brands["Globex"] = rng.choice(LABELS)
        at = NOW - timedelta(minutes=rng.randrange(10 * 24 * 60))
        docs.append(Doc(f"{prefix}{n}", at, brands=brands, author=f"author{n % 4}",
                        score=round(rng.uniform(-1, 1), 3), text=f"Acme and Globex {n}"))
    return docs


def _assert_counts_match_listing(runtime: Runtime, brands: tuple[str, ...] = ("Acme", "Globex")
                                 ) -> None:
    with runtime.sessions() as session:
        trends, mentions = TrendRepository(session), MentionRepository(session)
        for since, until in WINDOWS:
            for base in (f for f in FILTERS if f.brand in (None, *brands)):
                filters = replace(base, since=since, until=until)
                exact = trends.points(filters)
                assert sum(b.mentions for b in compute_buckets(
                    trends.counted_points(filters, "day"), since, until, "day")) == \
                    mentions.count(filters)
                for interval in ("hour", "day", "week"):
                    counted = compute_buckets(trends.counted_points(filters, interval), since,
                                              until, interval)
                    listed = compute_buckets(exact, since, until, interval)
                    assert [_key(b) for b in counted] == [_key(b) for b in listed], (
                        interval, filters)
                shares = trends.brand_counts(filters)
                assert shares == {name: mentions.count(replace(filters, brand=name))
                                  for name in brands
                                  if mentions.count(replace(filters, brand=name))}


def _key(bucket: Bucket) -> tuple[object, ...]:
    average = bucket.avg_sentiment
    return (bucket.start, bucket.mentions, bucket.positive, bucket.negative, bucket.neutral,
            bucket.unscored, None if average is None else round(average, 3))


def _ids(runtime: Runtime) -> tuple[list[int], list[int]]:
    with runtime.sessions() as session:
        mentions = list(session.scalars(select(Mention.id).order_by(Mention.id)))
        documents = list(session.scalars(select(Document.id).order_by(Document.id)))
    return mentions, documents


def test_counts_equal_the_listing_through_every_kind_of_write(runtime: Runtime) -> None:
    rng = random.Random(7)
    seed(runtime, _docs("a", 60, rng))
    _assert_counts_match_listing(runtime)

    seed(runtime, _docs("b", 30, rng))  # a second batch into the same buckets
    mention_ids, document_ids = _ids(runtime)
    with unit_of_work(runtime.sessions) as session:  # sentiment overrides, set and cleared
        inbox = InboxRepository(session)
        inbox.apply(mention_ids[::4], TriageChange(change_sentiment=True, sentiment="negative"),
                    NOW)
        inbox.apply(mention_ids[::8], TriageChange(change_sentiment=True, sentiment=None), NOW)
        inbox.apply_items(document_ids[1::9], TriageChange(change_sentiment=True,
                                                           sentiment="positive"), NOW)
    _assert_counts_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # syndicated copies linked, regrouped
        fingerprints = FingerprintRepository(session)
        for copy in document_ids[10:16]:
            fingerprints.mark_duplicate(copy, document_ids[3])
        fingerprints.move_group(document_ids[3], document_ids[20])
    _assert_counts_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # a mute hides past mentions
        exclusions = ExclusionRepository(session)
        rule = exclusions.create("author", "author1", None, "tests", NOW)
        assert exclusions.hide_matching(as_rule(rule)) > 0
        muted = rule.id
    _assert_counts_match_listing(runtime)
    with unit_of_work(runtime.sessions) as session:  # and unmuting shows them again
        ExclusionRepository(session).delete(muted)
    _assert_counts_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # deletions: mentions, then old documents
        acme = session.scalar(select(Brand.id).where(Brand.name == "Acme"))
        assert acme is not None
        MentionRepository(session).delete_for_brand_except(acme, set(document_ids[::2]))
        session.execute(delete(Document).where(Document.id.in_(document_ids[20:40])))
    _assert_counts_match_listing(runtime)

    with unit_of_work(runtime.sessions) as session:  # a brand removed with its mentions
        session.execute(delete(Brand).where(Brand.name == "Globex"))
    _assert_counts_match_listing(runtime, brands=("Acme",))


def test_trends_read_the_counts_for_whole_days(runtime: Runtime) -> None:
    seed(runtime, _docs("a", 20, random.Random(3)))
    request = trend_request(MentionFilter(brand="Acme"), "day", NOW + timedelta(minutes=5))
    since, until = request.filters.since, request.filters.until
    assert since is not None
    assert until is not None
    with unit_of_work(runtime.sessions) as session:
        counted = MentionCountRepository(session).points(DAY, since, NOW, request.filters)
        assert sum(p.count for p in counted) == 20
        # Proof the counts are what trends read: a count changed behind the triggers' back
        # shows in the trend (and only there).
        row = session.scalars(select(MentionCount).join(
            Brand, Brand.id == MentionCount.brand_id).where(
            MentionCount.span_hours == DAY, Brand.name == "Acme", MentionCount.mentions > 0)
            .order_by(MentionCount.bucket_at)).first()
        assert row is not None
        row.mentions += 100
        session.flush()
        buckets = compute_buckets(TrendRepository(session).counted_points(
            request.filters, "day"), since, until, "day")
        assert sum(b.mentions for b in buckets) == 120
        session.rollback()
