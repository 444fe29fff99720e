"""The stored keys of listed mentions' items, for tests that name their documents by key."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.db.models import Document
from monitor.db.repositories.listed import ListedMention


def document_keys(session: Session, rows: Sequence[ListedMention]) -> list[str]:
    """Each row's document key, in the rows' order."""
    ids = [row.document_id for row in rows]
    found = session.execute(select(Document.id, Document.key).where(Document.id.in_(ids)))
    keys = {document_id: key for document_id, key in found}
    return [keys[i] for i in ids]
