"""Documents: bulk inserts that store each item once, however often it is collected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, Mention
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
from monitor.db.repositories.conversations import ConversationRepository
from monitor.domain.priority import compute_engagement_total


@dataclass(frozen=True, slots=True)
class KnownDocument:
    id: int
    engagement: dict[str, Any]


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in batched(sorted(set(keys))):
            found.update(self.session.scalars(select(Document.key).where(Document.key.in_(chunk))))
        return found

    def stored_documents(self, keys: Iterable[str]) -> dict[str, KnownDocument]:
        """key → id and engagement figures of the stored documents among ``keys``."""
        found: dict[str, KnownDocument] = {}
        for chunk in batched(sorted(set(keys))):
            for key, doc_id, engagement in self.session.execute(
                    select(Document.key, Document.id, Document.engagement)
                    .where(Document.key.in_(chunk))):
                found[key] = KnownDocument(doc_id, engagement or {})
        return found

    def update_engagement(self, changes: Sequence[tuple[int, dict[str, Any]]],
                          read_at: datetime) -> None:
        """Store re-read engagement figures (document id, figures) with the time they were
        read, and the total the mentions of each document sort by."""
        if not changes:
            return
        documents, mentions = cast(Table, Document.__table__), cast(Table, Mention.__table__)
        rows = [{"doc": doc_id, "figures": figures, "read_at": read_at,
                 "total": compute_engagement_total(figures)} for doc_id, figures in changes]
        connection = self.session.connection()
        connection.execute(
            update(documents).where(documents.c.id == bindparam("doc"))
            .values(engagement=bindparam("figures"), engagement_read_at=bindparam("read_at")),
            rows)
        connection.execute(
            update(mentions).where(mentions.c.document_id == bindparam("doc"))
            .values(engagement=bindparam("total")), rows)

    def insert_new(self, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
        """Insert the rows whose key is not stored yet; return key → id of those inserted.

        Each row is put in its thread (created when new).
        """
        inserted: dict[str, int] = {}
        table = Document.__table__
        rows = [dict(row) for row in rows]
        ConversationRepository(self.session).assign(rows, datetime.now(UTC))
        for batch in batched(rows):
            statement = insert_ignoring_conflicts(self.session, table).returning(  # type: ignore[arg-type]
                table.c.key, table.c.id
            )
            for key, doc_id in self.session.execute(statement, batch):
                inserted[key] = doc_id
        return inserted

    def count(self) -> int:
        return self.session.scalar(select(func.count(Document.id))) or 0

