"""Link syndicated copies to the one published first, within the caller's transaction."""

from __future__ import annotations

from sqlalchemy.orm import Session

from monitor.db.repositories.fingerprints import FingerprintRepository
from monitor.domain.dedup import Fingerprint, compute_band_keys, decide_duplicate
from monitor.domain.syndication import decide_canonical


def link_near_duplicate(session: Session, document_id: int, fingerprint: Fingerprint) -> int | None:
    """Store the fingerprint; if the text is a near-copy of a stored one, link it into that
    group, whose original is the copy published first. Returns the original's id, or None."""
    repo = FingerprintRepository(session)
    keys = compute_band_keys(fingerprint)
    candidates = repo.candidates(keys, exclude_id=document_id)
    index = decide_duplicate([Fingerprint.from_bytes(c.signature) for c in candidates],
                             fingerprint)
    original = None if index is None else candidates[index].root_id
    if original is not None:
        original = _link(repo, document_id, original)
    if keys:
        repo.save(document_id, fingerprint.to_bytes(), keys)
    return original


def _link(repo: FingerprintRepository, document_id: int, root_id: int) -> int:
    """Link the new copy to the group's original, or make it the original when it is older."""
    canonical = decide_canonical(repo.copy_times([document_id, root_id]))
    if canonical == root_id:
        repo.mark_duplicate(document_id, root_id)
    else:
        repo.move_group(root_id, document_id)
    return canonical
