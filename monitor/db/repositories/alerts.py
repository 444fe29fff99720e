"""Alerts, the mention figures their detection reads, and the delivery outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Brand, Document, Mention, Source
from monitor.db.models_alerts import Alert, Delivery
from monitor.db.repositories._cursor import decode_cursor, encode_cursor
from monitor.db.repositories._dialect import insert_ignoring_conflicts
from monitor.db.repositories.claims import ClaimTerms, claim_rows, lock_until_transaction_ends
from monitor.domain.alerts import MentionRow
from monitor.errors import NotFoundError

MAX_RESPONSE_CHARS = 500
ALERT_LOCK_KEY = 0x626D616C  # "bmal": the advisory lock that serialises alert evaluation


@dataclass(frozen=True, slots=True)
class PointRow:
    published_at: datetime | None
    discovered_at: datetime
    label: str
    backfill: bool


@dataclass(frozen=True, slots=True)
class AlertFilter:
    brand: str | None = None
    kind: str | None = None
    severity: str | None = None
    state: str | None = None
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class AlertPage:
    alerts: list[Alert]
    next_cursor: str | None


_LABEL = func.coalesce(Mention.sentiment_override, Mention.sentiment_label)


class AlertRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_evaluation(self) -> None:
        """Until the transaction ends, no other worker evaluates alerts (Postgres; SQLite's
        write lock already serialises)."""
        lock_until_transaction_ends(self.session, ALERT_LOCK_KEY)

    # -- what detection reads -------------------------------------------------------------

    def mention_points(self, brand_id: int, since: datetime) -> list[PointRow]:
        query = (
            select(Document.published_at, Document.discovered_at, _LABEL, Mention.backfill)
            .join(Document, Mention.document_id == Document.id)
            .where(Mention.brand_id == brand_id, Mention.sort_at >= since,
                   Document.duplicate_of_id.is_(None), Mention.hidden_by_id.is_(None))
        )
        return [PointRow(*row) for row in self.session.execute(query)]

    def recent_mentions(self, since: datetime, brand_id: int | None) -> list[tuple[Mention,
                                                                                  Document, str]]:
        """Mentions discovered since ``since`` with their documents and source kind (rules)."""
        query = (
            select(Mention, Document, Source.kind)
            .join(Document, Mention.document_id == Document.id)
            .join(Source, Document.source_id == Source.id)
            .where(Document.discovered_at >= since, Document.duplicate_of_id.is_(None),
                   Mention.hidden_by_id.is_(None))
        )
        if brand_id is not None:
            query = query.where(Mention.brand_id == brand_id)
        return [(m, d, k or "") for m, d, k in self.session.execute(query)]

    def background_texts(self, brand_id: int, start: datetime, end: datetime,
                         limit: int = 2000) -> list[str]:
        """Title and text of the brand's mentions in ``(start, end]``, newest first: what
        the brand's usual conversation sounds like."""
        query = (
            select(Document.title, Document.text)
            .join(Mention, Mention.document_id == Document.id)
            .where(Mention.brand_id == brand_id, Mention.sort_at > start,
                   Mention.sort_at <= end, Document.duplicate_of_id.is_(None),
                   Mention.hidden_by_id.is_(None))
            .order_by(Mention.sort_at.desc()).limit(limit)
        )
        return [f"{title}\n{text}" for title, text in self.session.execute(query)]

    def explain_rows(
        self, *, mention_ids: Sequence[int] = (), brand_id: int | None = None,
        window: tuple[datetime, datetime] | None = None, limit: int = 500,
    ) -> list[MentionRow]:
        query = (
            select(Mention, Document, Source.name)
            .join(Document, Mention.document_id == Document.id)
            .join(Source, Document.source_id == Source.id)
        )
        if mention_ids:
            query = query.where(Mention.id.in_(list(mention_ids)))
        else:
            start, end = window or (datetime.min.replace(tzinfo=UTC), datetime.now(UTC))
            query = query.where(Mention.brand_id == brand_id, Mention.sort_at > start,
                                Mention.sort_at <= end, Mention.backfill.is_(False),
                                Mention.hidden_by_id.is_(None))
        rows = self.session.execute(query.order_by(Mention.sort_at.desc()).limit(limit))
        return [_explain_row(m, d, name) for m, d, name in rows]

    # -- alerts ---------------------------------------------------------------------------

    def recent(self, *, kind: str, brand_id: int | None, subject_id: int | None,
               since: datetime) -> list[Alert]:
        query = select(Alert).where(
            Alert.kind == kind, _same(Alert.brand_id, brand_id),
            _same(Alert.subject_id, subject_id),
            or_(Alert.resolved_at.is_(None), Alert.last_seen_at >= since),
        )
        return list(self.session.scalars(query))

    def unresolved(self) -> list[Alert]:
        return list(self.session.scalars(select(Alert).where(Alert.resolved_at.is_(None))))

    def add(self, alert: Alert) -> Alert:
        self.session.add(alert)
        self.session.flush()
        return alert

    def get(self, alert_id: int) -> Alert:
        alert = self.session.get(Alert, alert_id)
        if alert is None:
            raise NotFoundError(f"no alert with id {alert_id}")
        return alert

    def list_page(self, filters: AlertFilter, *, limit: int, cursor: str | None) -> AlertPage:
        query = select(Alert).where(*self._conditions(filters))
        if cursor:
            created, alert_id = decode_cursor(cursor)
            query = query.where(or_(Alert.created_at < created,
                                    and_(Alert.created_at == created, Alert.id < alert_id)))
        query = query.order_by(Alert.created_at.desc(), Alert.id.desc()).limit(limit + 1)
        alerts = list(self.session.scalars(query))
        more, alerts = len(alerts) > limit, alerts[:limit]
        last = alerts[-1] if more and alerts else None
        return AlertPage(alerts, encode_cursor(last.created_at, last.id) if last else None)

    def count_brandless_hidden(self, filters: AlertFilter) -> int:
        """With a brand filter: how many alerts about no brand (rules without one, failing
        sources) the same filters would show without it."""
        if not filters.brand:
            return 0
        query = select(func.count(Alert.id)).where(
            Alert.brand_id.is_(None), *self._conditions(replace(filters, brand=None)))
        return self.session.scalar(query) or 0

    def _conditions(self, filters: AlertFilter) -> list[Any]:
        conditions: list[Any] = []
        if filters.brand:
            conditions.append(Alert.brand_id.in_(
                select(Brand.id).where(Brand.name == filters.brand)))
        for column, value in ((Alert.kind, filters.kind), (Alert.severity, filters.severity),
                              (Alert.state, filters.state)):
            if value:
                conditions.append(column == value)
        if filters.since:
            conditions.append(Alert.created_at >= filters.since)
        return conditions

    # -- the outbox -------------------------------------------------------------------------

    def enqueue(self, rows: Sequence[dict[str, Any]]) -> int:
        """Add deliveries; a key already present is skipped, so a message is queued once."""
        if not rows:
            return 0
        table = Delivery.__table__
        statement = insert_ignoring_conflicts(self.session, table)  # type: ignore[arg-type]
        result = self.session.execute(statement.returning(table.c.id), list(rows))
        return len(result.all())

    def claim_due_deliveries(self, now: datetime, *, limit: int, terms: ClaimTerms
                             ) -> list[Delivery]:
        conditions = (Delivery.status == "pending", Delivery.next_attempt_at <= now)
        return claim_rows(self.session, Delivery, conditions,
                          (Delivery.next_attempt_at, Delivery.id),
                          limit=limit, now=now, terms=terms)

    def oldest_unsent(self, channel: str, besides: Sequence[int]) -> Delivery | None:
        """The channel's earliest queued delivery (by when it was queued), ``besides`` aside."""
        query = select(Delivery).where(
            Delivery.channel == channel, Delivery.status == "pending",
            Delivery.id.not_in(list(besides)),
        ).order_by(Delivery.created_at, Delivery.id).limit(1)
        return self.session.scalar(query)

    def defer(self, delivery_ids: Sequence[int], until: datetime) -> None:
        """Put claimed deliveries back, unsent and unattempted, due again at ``until``."""
        self.session.execute(update(Delivery).where(Delivery.id.in_(list(delivery_ids)))
                             .values(next_attempt_at=until, claimed_until=None, claimed_by=None))

    def deliveries_for(self, alert_ids: Sequence[int]) -> dict[int, list[Delivery]]:
        found: dict[int, list[Delivery]] = {i: [] for i in alert_ids}
        query = select(Delivery).where(Delivery.alert_id.in_(list(alert_ids))).order_by(
            Delivery.id)
        for delivery in self.session.scalars(query):
            found.setdefault(delivery.alert_id or 0, []).append(delivery)
        return found

    def delivery(self, delivery_id: int) -> Delivery:
        delivery = self.session.get(Delivery, delivery_id)
        if delivery is None:
            raise NotFoundError(f"no delivery with id {delivery_id}")
        return delivery

    def delivery_by_key(self, key: str) -> Delivery | None:
        return self.session.scalar(select(Delivery).where(Delivery.key == key))


def _same(column: Any, value: int | None) -> Any:
    return column.is_(None) if value is None else column == value


def _explain_row(mention: Mention, doc: Document, source_name: str) -> MentionRow:
    return MentionRow(
        mention_id=mention.id, url=doc.url, title=doc.title or doc.thread_title or "",
        text=doc.text, source_name=source_name, published_at=doc.published_at,
        discovered_at=doc.discovered_at,
        label=mention.sentiment_override or mention.sentiment_label,
        score=mention.sentiment_score, author=doc.author, thread_url=doc.thread_url,
        thread_title=doc.thread_title, topics=tuple(mention.topics),
    )


@dataclass(frozen=True, slots=True)
class DigestRow:
    """A mention as the weekly digest counts it."""

    at: datetime
    label: str
    topics: tuple[str, ...]
    text: str
    thread_url: str
    thread_title: str
    source_name: str
    state: str
    language: str | None = None


class DigestRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def mentions(self, brand_id: int, start: datetime, end: datetime) -> list[DigestRow]:
        query = (
            select(Mention, Document, Source.name)
            .join(Document, Mention.document_id == Document.id)
            .join(Source, Document.source_id == Source.id)
            .where(Mention.brand_id == brand_id, Mention.sort_at >= start, Mention.sort_at < end,
                   Document.duplicate_of_id.is_(None), Mention.hidden_by_id.is_(None))
        )
        return [
            DigestRow(m.sort_at, m.sentiment_override or m.sentiment_label, tuple(m.topics),
                      f"{d.title}\n{d.text}", d.thread_url or d.url,
                      d.thread_title or d.title or d.url, name, d.state, d.language)
            for m, d, name in self.session.execute(query)
        ]

    def alerts(self, brand_id: int, start: datetime, end: datetime) -> list[Alert]:
        query = select(Alert).where(Alert.brand_id == brand_id, Alert.created_at >= start,
                                    Alert.created_at < end).order_by(Alert.created_at)
        return list(self.session.scalars(query))

    def alerts_outside(self, brand_ids: list[int], start: datetime, end: datetime
                       ) -> list[Alert]:
        """The week's alerts of no brand in ``brand_ids`` (brand-less ones included)."""
        query = select(Alert).where(
            or_(Alert.brand_id.is_(None), Alert.brand_id.not_in(brand_ids)),
            Alert.created_at >= start, Alert.created_at < end).order_by(Alert.created_at)
        return list(self.session.scalars(query))
