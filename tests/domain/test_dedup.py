from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from datasketch import MinHash
from hypothesis import given
from hypothesis import strategies as st

from monitor.domain.dedup import (
    BANDS,
    MIN_WORDS,
    NUM_PERM,
    SEED,
    Fingerprint,
    compute_band_keys,
    compute_content_hash,
    compute_fingerprint,
    compute_normalised_words,
    compute_shingles,
    decide_duplicate,
    score_similarity,
)

ORIGINAL = """Acme Cloud went down for almost three hours on Tuesday morning, taking with it the
dashboards of several thousand small businesses that rely on the hosted analytics plan. The
company said a configuration change to its load balancers in the Frankfurt region cascaded into
the storage layer, and that engineers rolled it back once they understood which deploy had
caused it. Customers on the status page complained that updates were vague for the first hour.
Acme has promised a full post-mortem by Friday and a credit of ten percent of the monthly bill
for every affected account. Several long-time users said the outage was the first serious one
they had seen in four years, while others pointed out that the same region had a shorter
incident in March. Analysts expect the credits to cost the company a little under one million
dollars this quarter."""

# The same article as a syndication site republishes it: an attribution line on top, a changed
# word, a typo fixed differently, a sign-off appended.
REPOST = """Reposted from acme-watch.example with permission.

Acme Cloud went down for almost three hours on Tuesday morning, taking with it the
dashboards of several thousand small businesses that rely on the hosted analytics plan. The
company said a configuration change to its load balancers in the Frankfurt region cascaded into
the storage layer, and that engineers rolled it back once they understood which deployment had
caused it. Customers on the status page complained that updates were vague for the first hour.
Acme has promised a full post-mortem by Friday and a credit of ten percent of the monthly bill
for every affected account. Several long-time users said the outage was the first serious one
they had seen in four years, while others pointed out that the same region had a shorter
incident in March. Analysts expect the credits to cost the company a little under one million
dollars this quarter. Follow us for more cloud news."""

# Same brand, same event, written independently: must not count as a copy.
OTHER_ARTICLE = """Tuesday's Acme Cloud incident is a reminder that hosted analytics is only as
reliable as the region it runs in. I run a small online shop and our dashboards were blank from
nine until just before noon, which happened to be our busiest morning of the month. Support
answered my ticket quickly but could not say when things would be back. What annoys me most is
not the outage itself, every provider has them, but the silence on the status page while it was
going on. I will wait for the post-mortem before deciding whether to move our reporting to
another vendor, but I have already started exporting our historical data just in case. If the
credit they offered covers a month of the plan I suppose that is fair enough."""


def test_repost_with_attribution_line_is_detected() -> None:
    original, repost = compute_fingerprint(ORIGINAL), compute_fingerprint(REPOST)

    assert score_similarity(original, repost) >= 0.8
    assert decide_duplicate([original], repost) == 0
    assert set(compute_band_keys(original)) & set(compute_band_keys(repost))


def test_independent_articles_on_the_same_topic_are_not_duplicates() -> None:
    original, other = compute_fingerprint(ORIGINAL), compute_fingerprint(OTHER_ARTICLE)

    assert score_similarity(original, other) < 0.2
    assert decide_duplicate([original], other) is None
    assert not set(compute_band_keys(original)) & set(compute_band_keys(other))


def test_decide_picks_the_most_similar_candidate() -> None:
    candidates = [compute_fingerprint(t) for t in (OTHER_ARTICLE, REPOST, ORIGINAL)]

    assert decide_duplicate(candidates, compute_fingerprint(ORIGINAL)) == 2
    assert decide_duplicate(candidates[:2], compute_fingerprint(ORIGINAL)) == 1
    assert decide_duplicate([], compute_fingerprint(ORIGINAL)) is None


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Thanks for sharing, great post on Acme!", "thanks for sharing - great post on ACME"),
        ("Same here, Acme support never answered.", "Same here, Acme support never answered."),
        ("+1", "+1"),
    ],
)
def test_short_comments_are_never_near_duplicates(first: str, second: str) -> None:
    a, b = compute_fingerprint(first), compute_fingerprint(second)

    assert a.is_short
    assert b.is_short
    assert score_similarity(a, b) == 1.0  # they do look alike...
    assert decide_duplicate([a], b) is None  # ...but that is not evidence of a copy
    assert compute_band_keys(a) == []
    assert compute_band_keys(b) == []


def test_short_candidate_does_not_match_a_long_text() -> None:
    short = compute_fingerprint(" ".join(ORIGINAL.split()[: MIN_WORDS - 1]))

    assert decide_duplicate([short], compute_fingerprint(ORIGINAL)) is None


def test_text_at_the_word_floor_is_matched() -> None:
    text = " ".join(ORIGINAL.split()[:MIN_WORDS])
    fp = compute_fingerprint(text)

    assert not fp.is_short
    assert decide_duplicate([compute_fingerprint(text + " Reposted")], fp) == 0


def test_attribution_lines_and_urls_do_not_count_as_words() -> None:
    words = compute_normalised_words(
        "Originally published at https://blog.example/acme.\nAcme rocks https://x.example/a"
    )

    assert words == ["acme", "rocks"]


def test_band_keys_have_one_key_per_band() -> None:
    keys = compute_band_keys(compute_fingerprint(ORIGINAL))

    assert len(keys) == BANDS
    assert len(set(keys)) == BANDS
    assert all(key.startswith("m1:") for key in keys)


def test_fingerprint_bytes_round_trip() -> None:
    fp = compute_fingerprint(ORIGINAL)

    data = fp.to_bytes()

    assert Fingerprint.from_bytes(data) == fp
    assert len(fp.signature) == NUM_PERM


def test_from_bytes_rejects_other_formats() -> None:
    with pytest.raises(ValueError, match="recompute"):
        Fingerprint.from_bytes(b"\x02" + compute_fingerprint(ORIGINAL).to_bytes()[1:])
    with pytest.raises(ValueError, match="recompute"):
        Fingerprint.from_bytes(b"short")


def test_fingerprints_are_identical_in_another_process() -> None:
    script = (
        "import json, sys\n"
        "from monitor.domain.dedup import compute_band_keys, compute_fingerprint\n"
        "fp = compute_fingerprint(sys.stdin.read())\n"
        "print(json.dumps({'sig': fp.signature, 'keys': compute_band_keys(fp)}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", script],
        input=ORIGINAL,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=root,
    )

    other = json.loads(out.stdout)
    fp = compute_fingerprint(ORIGINAL)
    assert tuple(other["sig"]) == fp.signature
    assert other["keys"] == compute_band_keys(fp)


def test_content_hash_ignores_case_spacing_and_unicode_forms() -> None:
    base = compute_content_hash("Acme outage", "Acme Cloud went down.")

    assert compute_content_hash("ACME  outage", "Acme\u00a0Cloud\nwent down.") == base
    assert compute_content_hash("Acme outage", "Acme Cloud went up.") != base
    # The separator keeps title and text apart: moving words across them is a different doc.
    assert compute_content_hash("Acme outage Acme", "Cloud went down.") != base
    assert len(base) == 64


@given(st.text(max_size=400))
def test_a_text_is_fully_similar_to_itself(text: str) -> None:
    fp = compute_fingerprint(text)

    assert score_similarity(fp, compute_fingerprint(text)) == 1.0
    assert Fingerprint.from_bytes(fp.to_bytes()) == fp


def test_scoring_fingerprints_of_different_sizes_fails_clearly() -> None:
    fp = compute_fingerprint(ORIGINAL)
    truncated = Fingerprint(signature=fp.signature[:10], word_count=fp.word_count)

    with pytest.raises(ValueError, match="recompute"):
        score_similarity(fp, truncated)


@given(st.lists(st.text(alphabet="abcdefgh éß", min_size=1, max_size=12), max_size=80))
def test_signatures_are_datasketchs_affine32_minhash(words: list[str]) -> None:
    # Stored signatures were computed by datasketch 2.x before: ours must stay equal to them.
    text = " ".join(words)
    shingles = sorted(compute_shingles(compute_normalised_words(text)))
    reference = MinHash(num_perm=NUM_PERM, seed=SEED, scheme="affine32")
    reference.update_batch(s.encode("utf-8") for s in shingles)
    assert compute_fingerprint(text).signature == tuple(int(v) for v in reference.hashvalues)
