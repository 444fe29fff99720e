"""Mentions: stored once per document and brand, listed with filters and a stable cursor.

Listings are keyset-paginated on (sort key, id): rows inserted while someone pages never shift
or repeat the rows they have not seen yet.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.models_alerts import Alert
from monitor.db.models_desk import ItemTag
from monitor.db.prepared import prepared
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
from monitor.db.repositories.exclusions import (
    MentionCandidate,
    load_exclusions,
    match_exclusion,
    site_of,
)
from monitor.db.repositories.listed import LISTED_COLUMNS, ListedMention
from monitor.db.repositories.search import SearchPath, text_condition
from monitor.domain.priority import compute_engagement_total
from monitor.errors import InvalidInputError, NotFoundError

SortOrder = Literal["time", "engagement", "priority"]
# Integer sort keys and the tag their cursors carry (a time cursor carries a timestamp).
NUMERIC_SORTS = {"engagement": "e:", "priority": "p:"}
ALERT_MENTION_IDS = "mention_ids"  # the explanation key holding a rule alert's matches
WINDOW_ALERTS = ("volume_spike", "sentiment_shift")


@dataclass(frozen=True, slots=True)
class MentionFilter:
    brand: str | None = None
    sentiment: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str | None = None
    include_duplicates: bool = False
    source_kind: str | None = None
    site: str | None = None
    author: str | None = None
    topic: str | None = None
    state: str | None = None  # as shown: a snooze that has run out reads as "new"
    tag: str | None = None
    language: str | None = None
    include_hidden: bool = False  # mentions muted by an exclusion
    created_after: datetime | None = None  # "new since last visit"
    as_of: datetime | None = None  # the moment snoozes are judged at; default: now
    source: int | None = None  # a source's id
    alert: int | None = None  # an alert's id: exactly the mentions behind it


class DocumentFacts(NamedTuple):
    """What a mention takes from its document: where it is (site, exclusions) and its
    engagement counts."""

    url: str
    author: str | None
    thread_url: str | None
    engagement: Mapping[str, Any] | None


NO_FACTS = DocumentFacts("", None, None, {})


@dataclass(frozen=True, slots=True)
class MentionRow:
    mention: Mention
    document: Document
    brand: Brand
    source: Source


@dataclass(frozen=True, slots=True)
class DetailRow:
    """One mention as its detail shows it: the listing's columns, the item's text, the
    mention's spans and, when the item answers a stored post or comment, that parent."""

    listed: ListedMention
    text: str
    spans: list[Any]
    parent: ParentRow | None


class ParentRow(NamedTuple):
    author: str | None
    text: str
    url: str


@dataclass(frozen=True, slots=True)
class ExportRow:
    mention_id: int
    item_id: int
    thread_id: int | None
    brand: str
    sort_at: datetime
    published_at: datetime | None
    kind: str
    source: str
    source_kind: str | None
    site: str
    author: str | None
    url: str
    title: str
    snippet: str
    sentiment: str
    sentiment_score: float
    state: str
    snoozed_until: datetime | None
    topics: list[Any]
    engagement: int
    language: str | None


@dataclass(frozen=True, slots=True)
class MentionPage:
    rows: list[ListedMention]
    next_cursor: str | None


def compute_engagement(counts: Mapping[str, Any]) -> int:
    """One number to sort by: votes, points, comments and replies added up (the figure the
    priority score's engagement signal reads too)."""
    return compute_engagement_total(counts)


def compute_shown_state(state: str, snoozed_until: datetime | None, now: datetime) -> str:
    """The state people see: a snoozed mention comes back as ``new`` once its time is up."""
    if state == "snoozed" and (snoozed_until is None or snoozed_until <= now):
        return "new"
    return state


class MentionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def insert_many(
        self, rows: Sequence[dict[str, Any]],
        documents: Mapping[int, DocumentFacts] | None = None,
    ) -> int:
        """Insert mentions, skipping any (document, brand) pair already stored.

        Each row gets its site and engagement from its document, and is stored hidden when an
        exclusion mutes it. ``documents`` gives those facts for documents the caller has just
        written (so they are not read back); the others are read.
        """
        if not rows:
            return 0
        rules = load_exclusions(self.session)
        count = 0
        for batch in batched(list(rows)):
            enriched = self._enrich(batch, rules, documents or {})
            statement = insert_ignoring_conflicts(self.session, Mention.__table__)  # type: ignore[arg-type]
            result = self.session.execute(statement.returning(Mention.__table__.c.id), enriched)
            count += len(result.all())
        return count

    def _enrich(self, batch: list[dict[str, Any]], rules: Sequence[Any],
                known: Mapping[int, DocumentFacts]) -> list[dict[str, Any]]:
        documents = dict(known)
        missing = {row["document_id"] for row in batch} - documents.keys()
        if missing:
            query = select(Document.id, Document.url, Document.author, Document.thread_url,
                           Document.engagement).where(Document.id.in_(missing))
            documents.update((found[0], DocumentFacts(*found[1:]))
                             for found in self.session.execute(query))
        enriched = []
        for row in batch:
            facts = documents.get(row["document_id"], NO_FACTS)
            rule = match_exclusion(rules, MentionCandidate(
                row["brand_id"], facts.url, facts.author, facts.thread_url))
            enriched.append({
                "site": site_of(facts.url),
                "engagement": compute_engagement(facts.engagement or {}),
                "hidden_by_id": rule.id if rule else None, "snoozed_until": None,
                "state_changed_at": None, **row,
            })
        return enriched

    def get_row(self, mention_id: int) -> MentionRow:
        row = self.session.execute(_joined().where(Mention.id == mention_id)).first()
        if row is None:
            raise NotFoundError(f"no mention with id {mention_id}")
        return MentionRow(row[0], row[1], row[2], row[3])

    def get_detail(self, mention_id: int) -> DetailRow:
        """Plain columns, no ORM objects: the detail is half of what the desk asks for."""
        found = self.session.connection().execute(
            _DETAIL, {"mention_id": mention_id}).first()
        if found is None:
            raise NotFoundError(f"no mention with id {mention_id}")
        *listed, text, spans, parent_key = found
        return DetailRow(ListedMention(*listed), text, list(spans), self._parent(parent_key))

    def _parent(self, key: str | None) -> ParentRow | None:
        if not key:
            return None
        found = self.session.connection().execute(_PARENT, {"key": key}).first()
        return ParentRow(*found) if found else None

    def parents_of(self, documents: Sequence[Document]) -> dict[str, Document]:
        """The stored posts and comments the given documents answer, by key."""
        keys = sorted({d.parent_key for d in documents if d.parent_key})
        if not keys:
            return {}
        found = self.session.scalars(select(Document).where(Document.key.in_(keys)))
        return {doc.key: doc for doc in found}

    def list_page(
        self, filters: MentionFilter, *, limit: int, cursor: str | None,
        sort: SortOrder = "time",
    ) -> MentionPage:
        query = self._filtered(_LISTED, filters)
        keys = sort_keys(sort)
        if cursor:
            first, mention_id = decode_cursor(cursor, sort)
            # A row-value comparison, which both engines answer from the (key, id) index.
            query = query.where(tuple_(keys[0], Mention.id) < tuple_(first, mention_id))
        query = query.order_by(keys[0].desc(), Mention.id.desc()).limit(limit + 1)
        rows = [ListedMention(*r) for r in self.session.connection().execute(query).all()]
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = _listed_cursor(rows[-1], sort) if more and rows else None
        return MentionPage(rows, next_cursor)

    def export_page(self, filters: MentionFilter, *, limit: int, cursor: str | None
                    ) -> tuple[list[ExportRow], str | None]:
        """Newest first like ``list_page``, but only the columns an export writes: no
        document text, no ORM objects, so a batch stays small."""
        columns = (Mention.id, Document.id, Document.thread_id, Brand.name, Mention.sort_at,
                   Document.published_at, Document.kind, Source.name, Source.kind,
                   Mention.site, Document.author, Document.url, Document.title,
                   Mention.snippet, shown_label(), Mention.sentiment_score, Document.state,
                   Document.snoozed_until, Mention.topics, Mention.engagement,
                   Document.language)
        query = self._filtered(_joined().with_only_columns(*columns), filters)
        if cursor:
            first, mention_id = decode_cursor(cursor)
            query = query.where(tuple_(Mention.sort_at, Mention.id) < tuple_(first, mention_id))
        query = query.order_by(Mention.sort_at.desc(), Mention.id.desc()).limit(limit + 1)
        rows = [ExportRow(*r) for r in self.session.connection().execute(query)]
        more, rows = len(rows) > limit, rows[:limit]
        last = rows[-1] if more and rows else None
        return rows, encode_key_cursor(last.sort_at, last.mention_id) if last else None

    def count(self, filters: MentionFilter) -> int:
        query = self._filtered(_joined(), filters).with_only_columns(func.count(Mention.id))
        return self.session.scalar(query) or 0

    def ids_matching(self, filters: MentionFilter, *, limit: int) -> list[int]:
        """Ids of up to ``limit`` mentions matching ``filters``, newest first."""
        query = self._filtered(_joined(), filters).with_only_columns(Mention.id)
        query = query.order_by(Mention.sort_at.desc(), Mention.id.desc()).limit(limit)
        return list(self.session.scalars(query))

    def filtered(self, query: Select[*tuple[Any, ...]], filters: MentionFilter
                 ) -> Select[*tuple[Any, ...]]:
        """``query`` (already joined to mentions, documents, brands, sources) narrowed down."""
        return self._filtered(query, filters)

    def _filtered(self, query: Select[*tuple[Any, ...]], filters: MentionFilter
                  ) -> Select[*tuple[Any, ...]]:
        brand_id = self.check_brand(filters.brand)
        dialect = self.session.get_bind().dialect.name
        per_document = _document_conditions(filters)
        query = query.where(*_conditions(filters, dialect))
        if brand_id is not None:
            # The id as a constant lets Postgres walk the (brand, sort key) index in order; a
            # join on the name leaves it sorting every mention of the brand.
            query = query.where(Mention.brand_id == brand_id)
        if filters.q:
            found = text_condition(self.session, filters.q)
            if found.path is SearchPath.EACH_DOCUMENT:
                per_document.append(found.condition)
            else:
                query = query.where(found.condition)
        query = query.where(*_checked_per_mention(per_document, dialect))
        if filters.alert is not None:
            query = query.where(self._behind_alert(filters.alert))
        return query

    def _behind_alert(self, alert_id: int) -> ColumnElement[bool]:
        """The mentions an alert counted: the ids a rule matched, else the brand's mentions in
        the alert's window as detection read them (no backfill); none for a silence."""
        alert = self.session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"no alert with id {alert_id}")
        ids = (alert.explanation or {}).get(ALERT_MENTION_IDS)
        if isinstance(ids, list):
            return Mention.id.in_([i for i in ids if type(i) is int])
        if alert.kind not in WINDOW_ALERTS or alert.brand_id is None:
            return false()
        return and_(Mention.brand_id == alert.brand_id, Mention.sort_at > alert.window_start,
                    Mention.sort_at <= alert.window_end, Mention.backfill.is_(False))

    def check_brand(self, name: str | None) -> int | None:
        """A filter on a brand nobody configured is a mistake to report, not an empty list.
        Returns the brand's id."""
        if name is None:
            return None
        found = self.session.connection().scalar(_BRAND_ID, {"name": name})
        if found is None:
            raise InvalidInputError(f"unknown brand {name[:200]!r}: no brand has that name")
        return found

    def delete_for_brand_except(self, brand_id: int, keep_document_ids: set[int]) -> int:
        """Remove a brand's mentions on documents that no longer match its query."""
        ids = set(self.session.scalars(select(Mention.document_id).where(
            Mention.brand_id == brand_id)))
        stale = sorted(ids - keep_document_ids)
        for chunk in batched([{"id": i} for i in stale]):
            self.session.execute(delete(Mention).where(
                Mention.brand_id == brand_id,
                Mention.document_id.in_([c["id"] for c in chunk])))
        return len(stale)


def _joined() -> Select[Mention, Document, Brand, Source]:
    return (
        select(Mention, Document, Brand, Source)
        .join(Document, Mention.document_id == Document.id)
        .join(Brand, Mention.brand_id == Brand.id)
        .join(Source, Document.source_id == Source.id)
    )


# Built once: a statement object used again keeps its cache key and compiled form, where one
# built for each request is constructed, keyed and looked up anew (its 30 columns coerced).
_LISTED = _joined().with_only_columns(*LISTED_COLUMNS)
_DETAIL = prepared(_LISTED.add_columns(Document.text, Mention.spans, Document.parent_key)
                   .where(Mention.id == bindparam("mention_id")))
_BRAND_ID = prepared(select(Brand.id).where(Brand.name == bindparam("name")))
_PARENT = prepared(select(Document.author, Document.text, Document.url).where(
    Document.key == bindparam("key")).limit(1))


def shown_label() -> ColumnElement[str]:
    """The sentiment label people see: their override, else the computed one."""
    return func.coalesce(Mention.sentiment_override, Mention.sentiment_label)


def shown_state_is(state: str, now: datetime) -> ColumnElement[bool]:
    """SQL twin of ``compute_shown_state(...) == state``, written so indexes stay usable."""
    expired = and_(Document.state == "snoozed",
                   or_(Document.snoozed_until.is_(None), Document.snoozed_until <= now))
    if state == "new":
        return or_(Document.state == "new", expired)
    if state == "snoozed":
        return and_(Document.state == "snoozed", Document.snoozed_until > now)
    return Document.state == state


def _conditions(filters: MentionFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The filters' conditions but the broad ones on the document (_document_conditions)."""
    conditions = _triage_conditions(filters, dialect)
    if filters.author:
        author = filters.author.strip()
        conditions.append(or_(Document.author == author,
                              func.lower(Document.author) == author.lower()))
    if filters.brand:
        conditions.append(Brand.name == filters.brand)
    if filters.sentiment:
        conditions.append(shown_label() == filters.sentiment)
    if filters.since:
        conditions.append(Mention.sort_at >= filters.since)
    if filters.until:
        conditions.append(Mention.sort_at < filters.until)
    if filters.source_kind:
        conditions.append(Source.kind == filters.source_kind)
    if filters.source is not None:
        conditions.append(Source.id == filters.source)
    if filters.site:
        site = site_of("http://" + filters.site.strip())
        conditions.append(or_(Mention.site == site,
                              Mention.site.like("%." + _escape_like(site), escape="\\")))
    return conditions


def _document_conditions(filters: MentionFilter) -> list[ColumnElement[bool]]:
    """Conditions on the mention's document that most documents pass: the listing should walk
    its own order and check each (see _checked_per_mention)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.kind:
        conditions.append(Document.kind == filters.kind)
    if filters.language:
        conditions.append(Document.language == filters.language)
    if not filters.include_duplicates:
        conditions.append(Document.duplicate_of_id.is_(None))
    if filters.state:
        conditions.append(shown_state_is(filters.state, filters.as_of or datetime.now(UTC)))
    return conditions


def _checked_per_mention(conditions: list[ColumnElement[bool]], dialect: str
                         ) -> list[ColumnElement[bool]]:
    """On SQLite, ``conditions`` on the document as one correlated EXISTS on a copy of it.

    Joined as they are, any of them lets SQLite (3.38 and later) put a Bloom filter on the
    documents when it expects more mentions than documents, and building it applies the
    conditions to every document before the first row: 35 ms at 100,000 for the inbox's
    state filter, 1.2 s for a common word, where the EXISTS form walks the listing's index
    and checks the documents of one page (0.1 ms). Postgres plans the join well.
    """
    if dialect != "sqlite" or not conditions:
        return conditions
    return [exists().where(_CHECKED.c.id == Mention.document_id,
                           *(_TO_CHECKED.traverse(c) for c in conditions))]


# Built once: aliasing the table builds its column collection, a good part of a millisecond.
_CHECKED = Document.__table__.alias("checked")
_TO_CHECKED = ClauseAdapter(_CHECKED)


def _triage_conditions(filters: MentionFilter, dialect: str) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.tag:
        conditions.append(exists().where(ItemTag.document_id == Mention.document_id,
                                         ItemTag.tag == filters.tag))
    if filters.topic:
        conditions.append(_has_topic(filters.topic, dialect))
    if not filters.include_hidden:
        # Written so the planner cannot pick the hidden_by_id index: nearly every mention is
        # visible, and that index would trade the (sort key, id) walk for a full sort.
        conditions.append(func.coalesce(Mention.hidden_by_id, 0) == 0)
    if filters.created_after:
        conditions.append(Mention.created_at > filters.created_after)
    return conditions


def _has_topic(topic: str, dialect: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        return cast(Mention.topics, JSONB).contains([topic])
    each = func.json_each(Mention.topics).table_valued("value")
    return exists(select(literal_column("1")).select_from(each).where(each.c.value == topic))


def sort_keys(sort: SortOrder) -> tuple[Any, ...]:
    if sort == "priority":
        return (Mention.priority,)
    return (Mention.engagement,) if sort == "engagement" else (Mention.sort_at,)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _listed_cursor(row: ListedMention, sort: SortOrder) -> str:
    keys: dict[str, Any] = {"engagement": row.engagement, "priority": row.mention_priority}
    return encode_key_cursor(keys.get(sort, row.sort_at), row.id, sort)


def encode_key_cursor(key: Any, row_id: int, sort: SortOrder = "time", *,
                      prefix: str = "") -> str:
    """A cursor after the row with sort key ``key`` and id ``row_id``; ``prefix`` tells
    listings apart (an inbox cursor pages items, not mentions)."""
    if sort in NUMERIC_SORTS:
        raw = f"{prefix}{NUMERIC_SORTS[sort]}{key}|{row_id}"
    else:
        raw = f"{prefix}{key.astimezone(UTC).isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: SortOrder = "time", *, prefix: str = "") -> tuple[Any, int]:
    """The (sort key, id) a cursor points after; InvalidInputError when it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        raw = base64.urlsafe_b64decode(padded).decode()
        if prefix and not raw.startswith(prefix):
            raise ValueError("a cursor of another listing")
        key, _, row_id = raw[len(prefix):].partition("|")
        if sort in NUMERIC_SORTS:
            if not key.startswith(NUMERIC_SORTS[sort]):
                raise ValueError(f"not a {sort} cursor")
            return _bounded(key[2:], signed=True), _bounded(row_id)
        moment = datetime.fromisoformat(key)
        return moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC), _bounded(row_id)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
        raise InvalidInputError(
            "cursor is not one this API returned for this listing and sort order") from None


def _bounded(text: str, *, signed: bool = False) -> int:
    value = int(text)
    if not (-(2**62) if signed else 0) <= value < 2**62:
        raise ValueError("number out of range")
    return value
