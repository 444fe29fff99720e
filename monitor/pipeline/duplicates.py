"""Link syndicated copies to the one published first, within the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from monitor.db.repositories.fingerprints import FingerprintRepository, StoredFingerprint
from monitor.domain.dedup import Fingerprint, compute_band_keys, decide_duplicate
from monitor.domain.syndication import decide_canonical


def link_near_duplicate(session: Session, document_id: int, fingerprint: Fingerprint) -> int | None:
    """Store the fingerprint; if the text is a near-copy of a stored one, link it. Returns the
    original's id, or None."""
    return link_near_duplicates(session, [(document_id, fingerprint)])[document_id]


def link_near_duplicates(
    session: Session, documents: Sequence[tuple[int, Fingerprint]]
) -> dict[int, int | None]:
    """Store the fingerprints of newly inserted documents and link each near-copy to its
    original, in order: a document may be the copy of one stored earlier in the same list.

    The store is read in a fixed number of queries whatever the number of documents.
    """
    repo = FingerprintRepository(session)
    keyed = [(doc_id, fp, compute_band_keys(fp)) for doc_id, fp in documents]
    by_band = repo.documents_by_band(k for _, _, keys in keyed for k in keys)
    own_ids = {doc_id for doc_id, _ in documents}
    known = repo.load({i for ids in by_band.values() for i in ids} - own_ids)
    originals: dict[int, int | None] = {}
    for doc_id, fingerprint, keys in keyed:
        root = _find_original(by_band, known, doc_id, fingerprint, keys)
        original = None if root is None else _link(repo, known, doc_id, root)
        originals[doc_id] = original
        if keys:
            _remember(by_band, known, doc_id, fingerprint, keys,
                      None if original == doc_id else original)
    repo.save_many([(doc_id, fp.to_bytes(), keys) for doc_id, fp, keys in keyed if keys])
    return originals


def _find_original(
    by_band: dict[str, set[int]], known: dict[int, StoredFingerprint], doc_id: int,
    fingerprint: Fingerprint, keys: Sequence[str],
) -> int | None:
    ids = sorted({i for k in keys for i in by_band.get(k, ()) if i in known and i != doc_id})
    candidates = [known[i] for i in ids]
    index = decide_duplicate([Fingerprint.from_bytes(c.signature) for c in candidates],
                             fingerprint)
    return None if index is None else candidates[index].root_id


def _remember(
    by_band: dict[str, set[int]], known: dict[int, StoredFingerprint], doc_id: int,
    fingerprint: Fingerprint, keys: Sequence[str], original: int | None,
) -> None:
    """Make a document of this batch a candidate for the ones after it."""
    for key in keys:
        by_band.setdefault(key, set()).add(doc_id)
    known[doc_id] = StoredFingerprint(doc_id, fingerprint.to_bytes(), original)


def _link(repo: FingerprintRepository, known: dict[int, StoredFingerprint], document_id: int,
          root_id: int) -> int:
    """Link the new copy to its group's original, or make it the original when it was published
    first (the group's links move). Returns the group's original."""
    canonical = decide_canonical(repo.copy_times([document_id, root_id]))
    if canonical == root_id:
        repo.mark_duplicate(document_id, root_id)
        return root_id
    repo.move_group(root_id, document_id)
    for stored in list(known.values()):  # later documents of this batch see the moved group
        if stored.root_id == root_id:
            known[stored.document_id] = StoredFingerprint(
                stored.document_id, stored.signature, document_id)
    return canonical
