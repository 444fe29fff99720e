"""Fingerprints of stored documents, looked up by LSH band key to find syndicated copies."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from monitor.db.models import Document, DocumentBand, DocumentFingerprint
from monitor.db.repositories._dialect import batched
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

    def documents_by_band(self, band_keys: Iterable[str]) -> dict[str, set[int]]:
        """Band key → the stored documents having it (only keys some document has)."""
        found: dict[str, set[int]] = {}
        for chunk in batched(sorted(set(band_keys))):
            rows = self.session.execute(select(DocumentBand.band_key, DocumentBand.document_id)
                                        .where(DocumentBand.band_key.in_(chunk)))
            for key, document_id in rows:
                found.setdefault(key, set()).add(document_id)
        return found

    def load(self, document_ids: Iterable[int]) -> dict[int, StoredFingerprint]:
        found: dict[int, StoredFingerprint] = {}
        for chunk in batched(sorted(set(document_ids))):
            query = (
                select(DocumentFingerprint.document_id, DocumentFingerprint.signature,
                       Document.duplicate_of_id)
                .join(Document, Document.id == DocumentFingerprint.document_id)
                .where(DocumentFingerprint.document_id.in_(chunk))
            )
            found.update((row[0], StoredFingerprint(*row)) for row in self.session.execute(query))
        return found

    def save_many(self, fingerprints: Sequence[tuple[int, bytes, Sequence[str]]]) -> None:
        """Store (document id, signature, band keys) for each document, in bulk: one
        multi-row INSERT per table and batch, a single round trip on either engine."""
        signatures = [{"document_id": doc_id, "signature": signature}
                      for doc_id, signature, _ in fingerprints]
        bands = [{"band_key": key, "document_id": doc_id}
                 for doc_id, _, keys in fingerprints for key in sorted(set(keys))]
        for table, rows in ((DocumentFingerprint.__table__, signatures),
                            (DocumentBand.__table__, bands)):
            for batch in batched(rows):
                self.session.execute(insert(table).values(batch))  # type: ignore[arg-type]

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
        on each document)."""
        self.session.execute(
            update(Document)
            .where(or_(Document.id == old_root_id, Document.duplicate_of_id == old_root_id))
            .values(duplicate_of_id=new_root_id)
        )
        self.session.execute(
            update(Document).where(Document.id == new_root_id).values(duplicate_of_id=None))
