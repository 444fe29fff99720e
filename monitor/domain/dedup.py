"""Duplicate detection: exact content hashes and MinHash fingerprints for syndicated copies.

A fingerprint is a MinHash signature over normalised word shingles. Its LSH band keys are
plain strings meant for an indexed table (band_key → document), so finding candidates is
one ``WHERE band_key IN (...)`` query and nothing needs to be held in memory between runs.
Every parameter is fixed and the permutations are seeded, so a fingerprint computed today
in one process matches one computed next month in another.
"""

from __future__ import annotations

import hashlib
import re
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

NUM_PERM = 120
BANDS = 20
ROWS = NUM_PERM // BANDS  # 6 rows: pairs at Jaccard 0.8 share a band with p ≈ 0.998
SEED = 20240601
SHINGLE_WORDS = 3
# Below this many words, texts are mostly greetings, thanks and sign-offs that look alike
# everywhere; calling two of them copies of each other would merge unrelated mentions.
MIN_WORDS = 30
DEFAULT_THRESHOLD = 0.8

_FORMAT_VERSION = 1
_HEADER = struct.Struct("<BI")  # format version, word count
_KEY_PREFIX = f"m{_FORMAT_VERSION}"
_WORD = re.compile(r"\w+")
_URL = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
# Lines syndication adds to a copy; dropping them lets the copy hash like the original.
_ATTRIBUTION_LINE = re.compile(
    r"^\s*(?:re-?posted|cross-?posted|syndicated|originally\s+(?:published|posted)"
    r"|the\s+post\s.+\sappeared\s+first\s+on|source\s*:|via\s*:?\s+\S+\s*$).*$",
    re.IGNORECASE | re.MULTILINE,
)


def _affine32_permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's "affine32" permutations (h -> a*h + b mod 2**32, ``a`` odd), drawn from
    the same seeded generator in the same order, so signatures are the ones datasketch 2.x
    computes (tests/domain/test_dedup.py compares them). Computed here because importing
    datasketch imports SciPy, a large part of every process's start-up."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


_A, _B = _affine32_permutations(NUM_PERM, SEED)
_EMPTY = np.full(NUM_PERM, (1 << 32) - 1, dtype=np.uint32)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A MinHash signature of a text plus the text's length in words."""

    signature: tuple[int, ...]
    word_count: int

    @property
    def is_short(self) -> bool:
        """Too short to tell a copy from a coincidence; never matched as a near-duplicate."""
        return self.word_count < MIN_WORDS

    def to_bytes(self) -> bytes:
        """Compact form for a BLOB/bytea column (485 bytes)."""
        header = _HEADER.pack(_FORMAT_VERSION, self.word_count)
        return header + np.asarray(self.signature, dtype="<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Fingerprint:
        """Inverse of ``to_bytes``; raises ValueError on data from another format."""
        expected = _HEADER.size + 4 * NUM_PERM
        if len(data) != expected or data[0] != _FORMAT_VERSION:
            raise ValueError(
                f"not a version-{_FORMAT_VERSION} fingerprint: expected {expected} bytes, "
                f"got {len(data)}; recompute it from the text"
            )
        _, word_count = _HEADER.unpack_from(data)
        values = np.frombuffer(data, dtype="<u4", offset=_HEADER.size)
        return cls(signature=tuple(int(v) for v in values), word_count=word_count)


def compute_normalised_words(text: str) -> list[str]:
    """Words of ``text`` after NFKC, case folding, and removal of URLs and attribution lines."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    without_attribution = _ATTRIBUTION_LINE.sub(" ", folded)
    return _WORD.findall(_URL.sub(" ", without_attribution))


def compute_shingles(words: Sequence[str]) -> set[str]:
    """Overlapping ``SHINGLE_WORDS``-word sequences; a shorter text is its own single shingle."""
    if len(words) < SHINGLE_WORDS:
        return {" ".join(words)} if words else set()
    last = len(words) - SHINGLE_WORDS + 1
    return {" ".join(words[i : i + SHINGLE_WORDS]) for i in range(last)}


def compute_fingerprint(text: str) -> Fingerprint:
    """MinHash fingerprint of ``text``; stable across processes and runs."""
    words = compute_normalised_words(text)
    shingles = sorted(compute_shingles(words))
    return Fingerprint(signature=tuple(int(v) for v in _minhash(shingles)), word_count=len(words))


def _minhash(shingles: Sequence[str]) -> np.ndarray:
    """Per permutation, the least permuted hash of the shingles (the 32-bit SHA-1 prefix of
    each, pre-mixed with MurmurHash3's finaliser); all ones for no shingle."""
    if not shingles:
        return _EMPTY
    # SHA-1 as a fixed spreading function (what datasketch used), not for security.
    digests = (hashlib.sha1(s.encode("utf-8"), usedforsecurity=False).digest() for s in shingles)
    hashes = np.array([struct.unpack_from("<I", d)[0] for d in digests],
                      dtype=np.uint32).reshape(-1, 1)
    permuted: np.ndarray = _fmix32(hashes) * _A + _B
    return np.minimum(_EMPTY, permuted.min(axis=0))  # type: ignore[no-any-return]


def _fmix32(h: np.ndarray) -> np.ndarray:
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: np.ndarray = h ^ (h >> np.uint32(16))
    return mixed


def compute_band_keys(fp: Fingerprint) -> list[str]:
    """LSH band keys to store and to look up; empty for short texts so they find no candidates.

    Two fingerprints share at least one key with probability ``1 - (1 - J**ROWS)**BANDS``
    for Jaccard similarity J: about 0.998 at 0.8, 0.61 at 0.6, 0.015 at 0.3.
    """
    if fp.is_short:
        return []
    return [_band_key(band, fp.signature[band * ROWS : (band + 1) * ROWS]) for band in range(BANDS)]


def _band_key(band: int, rows: Sequence[int]) -> str:
    digest = hashlib.blake2b(struct.pack(f"<{len(rows)}I", *rows), digest_size=8).hexdigest()
    return f"{_KEY_PREFIX}:{band:02d}:{digest}"


def score_similarity(a: Fingerprint, b: Fingerprint) -> float:
    """Estimated Jaccard similarity of the two texts' shingle sets, in [0, 1]."""
    if len(a.signature) != len(b.signature):
        raise ValueError(
            f"fingerprints of different sizes ({len(a.signature)} vs {len(b.signature)}) "
            "cannot be compared; recompute the older one"
        )
    if not a.signature:
        return 0.0
    same = sum(1 for x, y in zip(a.signature, b.signature, strict=True) if x == y)
    return same / len(a.signature)


def decide_duplicate(
    candidate_fps: Sequence[Fingerprint], fp: Fingerprint, threshold: float = DEFAULT_THRESHOLD
) -> int | None:
    """Index of the candidate ``fp`` is a near-copy of (the most similar one), or None.

    Short texts on either side never match: identical two-line comments on two sites are
    usually coincidence ("Thanks for sharing!"), not syndication.
    """
    if fp.is_short:
        return None
    best: tuple[float, int] | None = None
    for index, candidate in enumerate(candidate_fps):
        if candidate.is_short:
            continue
        score = score_similarity(candidate, fp)
        if score >= threshold and (best is None or score > best[0]):
            best = (score, index)
    return None if best is None else best[1]


def compute_content_hash(title: str, text: str) -> str:
    """SHA-256 (hex) of title and text after NFKC, case folding and whitespace collapsing.

    Equal hashes mean the same words in the same order: an exact copy, whatever the markup,
    spacing or letter case.
    """
    parts = (" ".join(unicodedata.normalize("NFKC", s).casefold().split()) for s in (title, text))
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
