"""Documents: bulk inserts that store each item once, however often it is collected."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.db.models import Document
from monitor.db.repositories._dialect import batched, insert_ignoring_conflicts
from monitor.db.repositories.conversations import ConversationRepository


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_keys(self, keys: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for chunk in batched(sorted(set(keys))):
            found.update(self.session.scalars(select(Document.key).where(Document.key.in_(chunk))))
        return found

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

