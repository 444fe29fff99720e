"""Fingerprints of stored documents, looked up by LSH band key to find syndicated copies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, DocumentBand, DocumentFingerprint
from monitor.domain.syndication import CopyTimes


@dataclass(frozen=True, slots=True)
class StoredFingerprint:
    document_id: int
    signature: bytes
    duplicate_of_id: int | None

    @property
    def root_id(self) -> int:
        """The first copy: a copy of a copy links to the original."""
        return self.duplicate_of_id or self.document_id


class FingerprintRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def candidates(self, band_keys: Sequence[str], exclude_id: int) -> list[StoredFingerprint]:
        if not band_keys:
            return []
        ids = select(DocumentBand.document_id).where(
            DocumentBand.band_key.in_(list(band_keys)), DocumentBand.document_id != exclude_id
        ).distinct()
        query = (
            select(DocumentFingerprint.document_id, DocumentFingerprint.signature,
                   Document.duplicate_of_id)
            .join(Document, Document.id == DocumentFingerprint.document_id)
            .where(DocumentFingerprint.document_id.in_(ids))
            .order_by(DocumentFingerprint.document_id)
        )
        return [StoredFingerprint(*row) for row in self.session.execute(query)]

    def save(self, document_id: int, signature: bytes, band_keys: Sequence[str]) -> None:
        self.session.add(DocumentFingerprint(document_id=document_id, signature=signature))
        self.session.add_all(DocumentBand(band_key=k, document_id=document_id)
                             for k in set(band_keys))
        self.session.flush()

    def mark_duplicate(self, document_id: int, original_id: int) -> None:
        self.session.execute(
            update(Document).where(Document.id == document_id).values(duplicate_of_id=original_id)
        )

    def copy_times(self, document_ids: Sequence[int]) -> list[CopyTimes]:
        query = select(Document.id, Document.published_at, Document.discovered_at).where(
            Document.id.in_(list(document_ids)))
        return [CopyTimes(*row) for row in self.session.execute(query)]

    def move_group(self, old_root_id: int, new_root_id: int) -> None:
        """Link the old original and its copies to a new original (triage stays put: it lives
        on each document's mentions)."""
        self.session.execute(
            update(Document)
            .where(or_(Document.id == old_root_id, Document.duplicate_of_id == old_root_id))
            .values(duplicate_of_id=new_root_id)
        )
        self.session.execute(
            update(Document).where(Document.id == new_root_id).values(duplicate_of_id=None))
