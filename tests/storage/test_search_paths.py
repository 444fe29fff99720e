"""Full-text search answers the same whichever way the listing runs.

A rare word's matches come from the full-text index; a word in about 1% of documents is found
by walking the listing's own order against the set of its ids; a common word's are checked
document by document while the listing walks its own order (on SQLite by
``match_search_terms``, on Postgres by the indexed expression). All three must select exactly
the same mentions, in the same order, page after page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.db.repositories import search
from monitor.db.repositories.mentions import MentionFilter, MentionRepository
from monitor.db.repositories.search import SearchPath, match_search_terms
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


def _force(monkeypatch: pytest.MonkeyPatch, path: SearchPath) -> None:
    """Make every word take ``path`` (the guesses are taken out, so the ids counted decide)."""
    monkeypatch.setattr(search, "_postgres_estimate", lambda session, terms: 0)
    monkeypatch.setattr(search, "estimate_matches", lambda first, documents: 0)
    if path is not SearchPath.IDS:
        monkeypatch.setattr(search, "COMMON_MATCHES", 0)  # no word is rare
    if path is SearchPath.EACH_DOCUMENT:
        monkeypatch.setattr(search, "ID_SET_MATCHES", 0)  # nor in a set of ids
        monkeypatch.setattr(search, "FEWEST_ID_SET", 0)


def _path(runtime: Runtime, q: str) -> SearchPath:
    with runtime.sessions() as session:
        return search.text_condition(session, q).path


def test_index_and_document_checks_select_the_same_mentions(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(runtime, [Doc(f"d{n}", NOW - timedelta(hours=n), text=text, title=f"Post {n}")
                   for n, text in enumerate(TEXTS)])
    from_index = {q: _listed(runtime, q) for q in QUERIES}
    _force(monkeypatch, SearchPath.ID_SET)
    assert _path(runtime, "good") is SearchPath.ID_SET
    from_id_set = {q: _listed(runtime, q) for q in QUERIES}
    _force(monkeypatch, SearchPath.EACH_DOCUMENT)
    assert _path(runtime, "good") is SearchPath.EACH_DOCUMENT
    from_checks = {q: _listed(runtime, q) for q in QUERIES}
    assert from_id_set == from_index
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
        middle = search.text_condition(session, "espresso")  # 300 of 2,400: past 245, not 980
        common = search.text_condition(session, "grinder")  # 2,100: past 980
        # The store's size is read off its highest id; the Postgres test database keeps its
        # id sequences between tests, so there the size (and the path) is not this test's.
        sized_here = session.get_bind().dialect.name == "sqlite"
    assert rare.path is SearchPath.IDS  # a few ids from the index
    if sized_here:
        assert middle.path is SearchPath.ID_SET  # the walk, against the set of ids
        assert common.path is SearchPath.EACH_DOCUMENT  # checked row by row
    assert len(_listed(runtime, "espresso")) == 100
    assert all(n % 8 == 0 for n in _listed_numbers(runtime, "espresso"))
    assert all(n % 8 != 0 for n in _listed_numbers(runtime, "grinder"))


def _listed_numbers(runtime: Runtime, q: str) -> list[int]:
    with runtime.sessions() as session:
        page = MentionRepository(session).list_page(MentionFilter(q=q), limit=100, cursor=None)
        return [int(key[1:]) for key in document_keys(session, page.rows)]


def _every_page(runtime: Runtime, filters: MentionFilter, limit: int
                ) -> list[tuple[list[int], str | None]]:
    """Each page's mention ids and the cursor it hands on, to the end of the listing."""
    pages: list[tuple[list[int], str | None]] = []
    cursor = None
    with runtime.sessions() as session:
        repository = MentionRepository(session)
        while True:
            page = repository.list_page(filters, limit=limit, cursor=cursor)
            pages.append(([row.id for row in page.rows], page.next_cursor))
            if page.next_cursor is None:
                return pages
            cursor = page.next_cursor


def _spread_store(runtime: Runtime) -> None:
    """Words of every selectivity over 1,200 documents, some naming two brands (two mentions at
    the same moment, told apart by id), some at the very same moment as others, some hidden
    as syndicated copies by the default listing."""
    docs = []
    for n in range(1200):
        words = ["filler", f"note{n}"]
        words += ["espresso"] if n % 10 == 0 else []  # one in ten
        words += ["crema"] if n % 3 == 0 else []  # one in three
        words += ["tamper"] if n == 700 else []  # one
        brands = {"Acme": "neutral", "Globex": "positive"} if n % 7 == 0 else {"Acme": "neutral"}
        docs.append(Doc(f"d{n}", NOW - timedelta(minutes=n - n % 4), brands=brands,
                        text=" ".join(words), title=f"Post {n}"))
    seed(runtime, docs)


SPREAD_QUERIES = ["espresso", "crema", "tamper", "espresso crema", "filler", "note1", "nothing"]


@pytest.mark.parametrize("path", [SearchPath.ID_SET, SearchPath.EACH_DOCUMENT])
def test_every_path_pages_through_the_same_mentions(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch, path: SearchPath) -> None:
    _spread_store(runtime)
    from_ids = {q: _every_page(runtime, MentionFilter(q=q), 7) for q in SPREAD_QUERIES}
    _force(monkeypatch, path)
    assert _path(runtime, "espresso") is path
    for q in SPREAD_QUERIES:
        assert _every_page(runtime, MentionFilter(q=q), 7) == from_ids[q], q
    espresso = [i for ids, _ in from_ids["espresso"] for i in ids]
    assert len(espresso) == len(set(espresso)) == 120 + 18  # 18 also name Globex
    assert [i for ids, _ in from_ids["tamper"] for i in ids] != []
    assert from_ids["nothing"] == [([], None)]


@pytest.mark.parametrize("path", [SearchPath.ID_SET, SearchPath.EACH_DOCUMENT])
def test_every_path_keeps_the_other_filters_and_cursors(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch, path: SearchPath) -> None:
    _spread_store(runtime)
    filters = [MentionFilter(q="espresso", brand="Globex"),
               MentionFilter(q="crema", sentiment="positive"),
               MentionFilter(q="espresso", since=NOW - timedelta(minutes=600)),
               MentionFilter(q="espresso", include_duplicates=True)]
    from_ids = [_every_page(runtime, f, 5) for f in filters]
    # A cursor handed out by one path goes on where it left off in another.
    with runtime.sessions() as session:
        first = MentionRepository(session).list_page(filters[0], limit=3, cursor=None)
    _force(monkeypatch, path)
    assert [_every_page(runtime, f, 5) for f in filters] == from_ids
    with runtime.sessions() as session:
        rest = MentionRepository(session).list_page(filters[0], limit=100,
                                                    cursor=first.next_cursor)
    listed = [row.id for row in first.rows + rest.rows]
    assert listed == [i for ids, _ in from_ids[0] for i in ids]


def test_the_path_follows_how_many_documents_match(runtime: Runtime) -> None:
    _spread_store(runtime)  # 1,200 documents: rare up to 200 matches, a set up to 800
    with runtime.sessions() as session:
        # The store's size is read off its highest id; the Postgres test database keeps its id
        # sequences between tests (and its planner guesses), so there the paths may differ.
        sized_here = session.get_bind().dialect.name == "sqlite"
    paths = {q: _path(runtime, q) for q in ("tamper", "espresso", "crema", "filler")}
    if sized_here:
        assert paths == {"tamper": SearchPath.IDS, "espresso": SearchPath.IDS,
                         "crema": SearchPath.ID_SET, "filler": SearchPath.EACH_DOCUMENT}


def test_a_set_bigger_than_expected_falls_back_to_document_checks(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A word bunched in the newest documents looks rarer than it is from its first ids (and
    the planner can guess low): the capped fetch notices and the listing checks documents."""
    _spread_store(runtime)
    expected = _every_page(runtime, MentionFilter(q="filler"), 50)
    monkeypatch.setattr(search, "_postgres_estimate", lambda session, terms: 0)
    monkeypatch.setattr(search, "estimate_matches", lambda first, documents: 0)
    monkeypatch.setattr(search, "COMMON_MATCHES", 0)
    monkeypatch.setattr(search, "ID_SET_MATCHES", 300)  # "filler" is in all 1,200
    monkeypatch.setattr(search, "FEWEST_ID_SET", 300)
    assert _path(runtime, "filler") is SearchPath.EACH_DOCUMENT
    assert _path(runtime, "tamper") is SearchPath.ID_SET
    assert _every_page(runtime, MentionFilter(q="filler"), 50) == expected


def test_matches_are_extrapolated_from_the_first_ids() -> None:
    assert search.estimate_matches(list(range(100, 10_001, 100)), 1_000_000) == 10_000
    assert search.estimate_matches([5, 9], 10) == 2
    assert search.estimate_matches([], 1000) == 0
    assert search.compute_id_set_matches(1_000_000) == search.ID_SET_MATCHES
    assert search.compute_id_set_matches(250_000) == 10_000
    assert search.compute_id_set_matches(100) == search.FEWEST_ID_SET
