"""Full-text search answers the same whichever way the listing runs.

A rare word's matches come from the full-text index; a common word's are checked document by
document while the listing walks its own order (on SQLite by ``match_search_terms``, on
Postgres by the indexed expression). Both must select exactly the same mentions.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.db.repositories import search
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.search import match_search_terms
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed
from tests.listing_keys import document_keys

TEXTS = [
    "Acme's grinder is GOOD, really good.", "Acme goodness: refunds arrived today!",
    "acme… Good-ish service; no refund", "ACME crema, café crème and naïve baristas",
    "Acme 4K screens and 4k60 modes", "Acme price_list leaked", "Acme: Straße closed",
    "Acme ok", "Acme goo", "ACME Refund* policy (goods returned)",
]
QUERIES = ["good", "goo", "refund", "acme good", "café", "crème", "naïve", "4k", "price",
           "list", "straße", "GOOD refund", "ok", "nothing here", "s"]


def _listed(runtime: Runtime, q: str) -> list[int]:
    with runtime.sessions() as session:
        page = MentionRepository(session).list_page(MentionFilter(q=q), limit=100, cursor=None)
        return [row.id for row in page.rows]


def test_index_and_document_checks_select_the_same_mentions(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(runtime, [Doc(f"d{n}", NOW - timedelta(hours=n), text=text, title=f"Post {n}")
                   for n, text in enumerate(TEXTS)])
    from_index = {q: _listed(runtime, q) for q in QUERIES}
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)  # every word counts as common
    from_checks = {q: _listed(runtime, q) for q in QUERIES}
    assert from_checks == from_index
    assert len(from_index["good"]) == 4  # GOOD, goodness, Good-ish, goods (not "goo")
    assert from_index["nothing here"] == []


def test_terms_start_words_of_the_title_or_text() -> None:
    assert match_search_terms(["good"], "", "It is GOOD.")
    assert match_search_terms(["good"], "Goodness", "")
    assert not match_search_terms(["good"], "", "a goo d thing")
    assert not match_search_terms(["ood"], "", "good")  # words start, not substrings
    assert match_search_terms(["acme", "refund"], "Acme", "no refunds")
    assert not match_search_terms(["acme", "refund"], "Acme", "no money back")
    assert match_search_terms(["price"], None, "price_list")  # _ separates words


def test_a_word_is_common_by_the_size_of_the_store() -> None:
    assert search.compute_common_matches(1_000_000) == search.COMMON_MATCHES
    assert search.compute_common_matches(10_000_000) == search.COMMON_MATCHES
    assert search.compute_common_matches(20_000) == 707
    assert search.compute_common_matches(250_000) == 2500
    assert search.compute_common_matches(0) == search.FEWEST_COMMON


def test_a_word_in_an_eighth_of_a_small_store_walks_the_listing_order(
        runtime: Runtime) -> None:
    docs = [Doc(f"d{n}", NOW - timedelta(minutes=n),
                text=f"Acme {'espresso' if n % 8 == 0 else 'grinder'} note {n}")
            for n in range(2400)]
    seed(runtime, docs)
    with runtime.sessions() as session:
        rare = search.text_condition(session, "note 17")
        common = search.text_condition(session, "espresso")  # 300 of 2,400: past 245
        # The store's size is read off its highest id; the Postgres test database keeps its
        # id sequences between tests, so there the size (and the path) is not this test's.
        sized_here = session.get_bind().dialect.name == "sqlite"
    assert search.starts_from_ids(rare)  # a few ids from the index
    assert not search.starts_from_ids(common) or not sized_here  # checked row by row
    assert len(_listed(runtime, "espresso")) == 100
    assert all(n % 8 == 0 for n in _listed_numbers(runtime, "espresso"))


def _listed_numbers(runtime: Runtime, q: str) -> list[int]:
    with runtime.sessions() as session:
        page = MentionRepository(session).list_page(MentionFilter(q=q), limit=100, cursor=None)
        return [int(key[1:]) for key in document_keys(session, page.rows)]
