"""What trends are computed from: the same filtered mentions the listing shows, aggregated.

Every query here narrows ``MentionRepository``'s joined select with the very same filter, so
trend counts and ``/mentions`` counts cannot drift apart.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    bindparam,
    exists,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.models_counts import DAY, HOUR
from monitor.db.repositories.mention_counts import (
    FacetCountRepository,
    MentionCountRepository,
    decide_counts_answer,
    decide_facet_counts_answer,
)
from monitor.db.repositories.mentions import MentionFilter, MentionRepository, shown_label
from monitor.domain.buckets import CountPlan, Interval, Point, compute_count_plan

# Rising terms read about this many mentions per window at most: counting their words is
# most of the trends response's time (tens of microseconds a text).
MAX_TEXTS = 150
THREAD_CANDIDATES = 2  # per thread shown, threads a sample puts forward to be counted
# A thread is its url; a post outside any thread is its own.
THREAD_KEY = func.coalesce(Document.thread_url, Document.url)


@dataclass(frozen=True, slots=True)
class ThreadCount:
    url: str
    title: str
    mentions: int
    id: int | None = None  # GET /api/v1/threads/{id}


# (start, length, mentions) of consecutive stretches of a window.
Spread = Sequence[tuple[datetime, timedelta, int]]


@dataclass(frozen=True, slots=True)
class TextSample:
    texts: list[str]  # title and snippet of each mention drawn
    threads: list[str]  # the thread of each (THREAD_KEY)
    whole: bool  # every mention of the window, not a sample


@dataclass(frozen=True, slots=True)
class SourceCount:
    id: int
    name: str
    mentions: int


def _base() -> Select[Mention, Document, Brand, Source]:
    return (
        select(Mention, Document, Brand, Source)
        .join(Document, Mention.document_id == Document.id)
        .join(Brand, Mention.brand_id == Brand.id)
        .join(Source, Document.source_id == Source.id)
    )


class _Mentions(MentionRepository):
    """The listing's filters, with the brand looked up once: a trends response filters a
    dozen statements by the same brand."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._brands: dict[str | None, int | None] = {}

    def check_brand(self, name: str | None) -> int | None:
        if name not in self._brands:
            self._brands[name] = super().check_brand(name)
        return self._brands[name]


class TrendRepository:
    """Lives for one request (brand ids are remembered)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.mentions: MentionRepository = _Mentions(session)
        self._edges: dict[tuple[datetime, datetime, str | None], list[Any]] = {}

    def _select(self, filters: MentionFilter, *columns: Any) -> Select[*tuple[Any, ...]]:
        return self.mentions.filtered(_base(), filters).with_only_columns(*columns)

    def points(self, filters: MentionFilter) -> list[Point]:
        query = self._select(filters, Mention.sort_at, shown_label(), Mention.sentiment_score)
        return [Point(at, label, score) for at, label, score in self.session.execute(query)]

    def counted_points(self, filters: MentionFilter, interval: Interval) -> list[Point]:
        """What ``points`` returns, tallied: from the pre-aggregated counts when they answer
        ``filters`` (whole hours and days), else, and for the ends of the window short of an
        hour, from the mentions. ``filters`` must have its window set."""
        plan = self._plan(filters, interval)
        if plan is None:
            return self.points(filters)
        counts = MentionCountRepository(self.session)
        found = [Point(r.sort_at, r.label, r.score) for a, b in plan.exact
                 for r in self._edge(filters, a, b)]
        for span, ranges in ((DAY, plan.days), (HOUR, plan.hours)):
            found += [p for a, b in ranges for p in counts.points(span, a, b, filters)]
        return found

    def brand_counts(self, filters: MentionFilter) -> dict[str, int]:
        """Mentions per brand under ``filters`` with the brand filter lifted (share of voice)."""
        filters = replace(filters, brand=None)
        plan = self._plan(filters, "day")
        if plan is None:
            return self._exact_brand_counts(filters)
        counts = MentionCountRepository(self.session)
        totals: Counter[str] = Counter()
        for a, b in plan.exact:
            totals.update(r.brand for r in self._edge(filters, a, b))
        for span, ranges in ((DAY, plan.days), (HOUR, plan.hours)):
            for a, b in ranges:
                totals.update(counts.brand_totals(span, a, b, filters))
        return {name: count for name, count in totals.items() if count}

    def _exact_brand_counts(self, filters: MentionFilter) -> dict[str, int]:
        query = self._select(filters, Brand.name, func.count(Mention.id))
        return {name: count for name, count in self.session.execute(query.group_by(Brand.name))}

    def _plan(self, filters: MentionFilter, interval: Interval) -> CountPlan | None:
        """None when the counts cannot answer ``filters`` (see decide_counts_answer)."""
        if filters.since is None or filters.until is None or not decide_counts_answer(filters):
            return None
        self.mentions.check_brand(filters.brand)
        return compute_count_plan(filters.since, filters.until, interval)

    def topic_counts(self, filters: MentionFilter) -> Counter[str]:
        """Mentions per topic under ``filters``: what the listing filtered by that topic holds."""
        plan = self._facet_plan(filters)
        if plan is None:
            return self._exact_topic_counts(filters)
        brand_id, facets = self.mentions.check_brand(filters.brand), FacetCountRepository(
            self.session)
        counts: Counter[str] = Counter()
        for a, b in plan.exact:
            for row in self._edge(filters, a, b):
                counts.update(_topics_of(row.topics))
        counts.update(facets.topic_totals(plan, brand_id, filters.sentiment))
        return +counts

    def _exact_topic_counts(self, filters: MentionFilter) -> Counter[str]:
        counts: Counter[str] = Counter()
        for (topics,) in self.session.execute(self._select(filters, Mention.topics)):
            counts.update(_topics_of(topics))
        return counts

    def _edge(self, filters: MentionFilter, since: datetime, until: datetime
              ) -> list[Any]:
        """The mentions of [since, until), an end of the window short of an hour, that
        ``filters`` (which the counts answer) select. Read once for every part of the
        response: points, shares (which lift the brand filter), topics and sources."""
        key = (since, until, filters.sentiment)
        if key not in self._edges:
            query = self._select(replace(filters, brand=None, since=since, until=until),
                                 Brand.name.label("brand"), Mention.sort_at,
                                 shown_label().label("label"),
                                 Mention.sentiment_score.label("score"), Mention.topics,
                                 Source.id.label("source"))
            self._edges[key] = list(self.session.execute(query))
        rows = self._edges[key]
        return rows if filters.brand is None else [r for r in rows if r.brand == filters.brand]

    def top_sources(self, filters: MentionFilter, top: int) -> list[SourceCount]:
        """The ``top`` sources with most mentions under ``filters`` (ties: lowest id first),
        each count what the listing filtered by that source holds."""
        plan = self._facet_plan(filters)
        if plan is None:
            return self._exact_top_sources(filters, top)
        brand_id, facets = self.mentions.check_brand(filters.brand), FacetCountRepository(
            self.session)
        counts: Counter[int] = Counter()
        for a, b in plan.exact:
            counts.update(r.source for r in self._edge(filters, a, b))
        counts.update(facets.source_totals(plan, brand_id, filters.sentiment))
        ranked = sorted(+counts, key=lambda i: (-counts[i], i))[:top]
        names = {i: name for i, name in self.session.execute(
            select(Source.id, Source.name).where(Source.id.in_(ranked)))} if ranked else {}
        return [SourceCount(i, names[i], counts[i]) for i in ranked if i in names]

    def _exact_top_sources(self, filters: MentionFilter, top: int | None) -> list[SourceCount]:
        query = self._select(filters, Source.id, Source.name, func.count(Mention.id))
        query = query.group_by(Source.id, Source.name)
        query = query.order_by(func.count(Mention.id).desc(), Source.id).limit(top)
        return [SourceCount(i, name, n) for i, name, n in self.session.execute(query)]

    def _facet_plan(self, filters: MentionFilter) -> CountPlan | None:
        if filters.since is None or filters.until is None or not decide_facet_counts_answer(
                filters):
            return None
        return compute_count_plan(filters.since, filters.until, "day")

    def top_threads(self, filters: MentionFilter, top: int,
                    sample: TextSample | None = None) -> list[ThreadCount]:
        """The ``top`` threads with most mentions under ``filters`` (ties: by url), each
        count exact. Given a ``sample`` that is not the whole window, the threads ranked are
        those the sample found most often (a thread of many mentions is the likeliest to be
        in it): counting every thread of a large window means reading all of its mentions."""
        query = self._select(filters, THREAD_KEY, func.max(func.coalesce(
            Document.thread_title, Document.title)), func.count(Mention.id),
            func.max(Document.thread_id))
        if sample is not None and not sample.whole:
            found = Counter(sample.threads)
            candidates = sorted(found, key=lambda k: (-found[k], k))[:THREAD_CANDIDATES * top]
            query = query.where(THREAD_KEY.in_(candidates))
        query = query.group_by(THREAD_KEY)
        query = query.order_by(func.count(Mention.id).desc(), THREAD_KEY).limit(top)
        return [ThreadCount(u, t or "", n, i) for u, t, n, i in self.session.execute(query)]

    def texts(self, filters: MentionFilter) -> list[str]:
        return self.sample(filters).texts

    def sample(self, filters: MentionFilter, spread: Spread | None = None) -> TextSample:
        """Titles and snippets for term statistics and the threads they are in: every
        mention of the window, or about ``MAX_TEXTS`` of them when there are more (counting
        words is the costly part).

        When the counts answer ``filters`` the sample is drawn through the (brand, time)
        index: ``MAX_TEXTS`` moments spread over the window in proportion to its hourly and
        daily counts, and the first mention at or after each, so a busy day has its share
        and no more than that many mentions are read. Otherwise it is an even sample by id
        of the matching mentions, which reads them all. ``spread``: how the window's
        mentions fall over time, when already counted (``(start, length, mentions)``)."""
        columns = (Document.title, Mention.snippet, THREAD_KEY)
        moments = self._sample_moments(filters, spread)
        if moments is None:
            total = self.session.scalar(self._select(filters, func.count(Mention.id))) or 0
            stride = -(-total // MAX_TEXTS)
            query = self._select(filters, *columns)
            if stride > 1:
                query = query.where(Mention.id % stride == 0)
            return _text_sample(self.session.execute(query).all(), whole=stride <= 1)
        if not moments:
            return _text_sample(self.session.execute(self._select(filters, *columns)).all(),
                                whole=True)
        at = self._moments(moments)
        # Only brand, sentiment and the window can be set here (the counts answer them).
        # The seek is written on mentions alone, so both planners walk the (brand, time) or
        # time index from the moment; without a sentiment it reads that index only, and a
        # moment that lands on a muted mention or a syndicated copy (a few in a hundred)
        # draws nothing. Every moment is inside the window: a second lower bound on the
        # time would leave the planners free to seek from the window's start instead.
        assert filters.until is not None
        visible = (
            # Constants written out, not bound: Postgres plans a statement run often once for
            # any values, and took a bound "visible" and LIMIT for rare, fetching and sorting
            # the brand's every mention after the moment, for each moment.
            func.coalesce(Mention.hidden_by_id, literal_column("0")) == literal_column("0"),
            exists().where(Document.id == Mention.document_id,
                           Document.duplicate_of_id.is_(None)))
        seek = select(Mention.id).where(Mention.sort_at >= at, Mention.sort_at < filters.until)
        if filters.brand is not None:
            seek = seek.where(Mention.brand_id == self.mentions.check_brand(filters.brand))
        if filters.sentiment is not None:
            seek = seek.where(shown_label() == filters.sentiment, *visible)
        first = (seek.order_by(Mention.sort_at, Mention.id).limit(literal_column("1"))
                 .scalar_subquery())
        # What is left is reading the texts. The moment is selected too, which puts its
        # table in the subquery for the seek to correlate to. Materialized: else Postgres
        # ran each seek twice, to group the ids and to look them up.
        drawn = select(first.label("id"), at).cte("drawn").prefix_with("MATERIALIZED")
        rows = self.session.execute(select(*columns).join(
            Document, Document.id == Mention.document_id).where(
            Mention.id.in_(select(drawn.c.id)), visible[0],
            Document.duplicate_of_id.is_(None)).order_by(Mention.id)).all()
        return _text_sample(rows, whole=False)

    def _moments(self, moments: list[datetime]) -> ColumnElement[Any]:
        """The moments as a one-column table expression: one bound value, not one per
        moment (building hundreds of SQL values costs more than the seeks they drive)."""
        if self.session.get_bind().dialect.name == "postgresql":
            return func.unnest(bindparam("moments", moments, type_=ARRAY(
                DateTime(timezone=True)))).column_valued("moment")
        # SQLite keeps UTC times as text in this form; equal forms compare as times do.
        stored = [m.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for m in moments]
        return func.json_each(json.dumps(stored)).table_valued("value").c.value

    def _sample_moments(self, filters: MentionFilter, spread: Spread | None
                        ) -> list[datetime] | None:
        """Where the sample is drawn: [] for a window small enough to read whole, None
        when the counts cannot say how the window's mentions spread over time."""
        plan = self._plan(filters, "day")
        if plan is None:
            return None
        pieces = list(spread) if spread is not None else MentionCountRepository(
            self.session).bucket_totals(plan, filters)
        pieces = [(start, length, n) for start, length, n in pieces
                  if n > 0 and length > timedelta(0)]
        total = sum(n for _, _, n in pieces)
        if total <= MAX_TEXTS:
            return []
        # The moment at each (k + 1/2)/MAX_TEXTS quantile of the window's mentions, taking
        # them as spread evenly over each bucket; the minutes at either end short of an
        # hour are left to chance (the buckets after them are still drawn).
        pieces.sort()
        moments: list[datetime] = []
        seen, index = 0, 0
        for k in range(MAX_TEXTS):
            wanted = (k + 0.5) * total / MAX_TEXTS
            while seen + pieces[index][2] < wanted:
                seen += pieces[index][2]
                index += 1
            start, length, count = pieces[index]
            moments.append(start + length * ((wanted - seen) / count))
        return moments


def _topics_of(topics: Any) -> set[str]:
    # Strings only: the listing's topic filter matches nothing else.
    return {t for t in topics if isinstance(t, str)} if isinstance(topics, list) else set()


def _text_sample(rows: Sequence[Any], *, whole: bool) -> TextSample:
    return TextSample([f"{title} {snippet}".strip() for title, snippet, _ in rows],
                      [str(thread) for _, _, thread in rows], whole)
