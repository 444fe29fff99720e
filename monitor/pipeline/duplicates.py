"""Link syndicated copies to the first copy seen, within the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.db.repositories.fingerprints import FingerprintRepository
from monitor.domain.dedup import Fingerprint, compute_band_keys, decide_duplicate


def link_near_duplicate(session: Session, document_id: int, fingerprint: Fingerprint) -> int | None:
    """Store the fingerprint; if the text is a near-copy of a stored one, link it. Returns the
    original's id, or None."""
    repo = FingerprintRepository(session)
    keys = compute_band_keys(fingerprint)
    candidates = repo.candidates(keys, exclude_id=document_id)
    index = decide_duplicate([Fingerprint.from_bytes(c.signature) for c in candidates],
                             fingerprint)
    original = None if index is None else candidates[index].root_id
    if original is not None:
        repo.mark_duplicate(document_id, original)
    if keys:
        repo.save(document_id, fingerprint.to_bytes(), keys)
    return original
