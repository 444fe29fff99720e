"""Repositories on a migrated SQLite and Postgres database."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from monitor.db.engine import unit_of_work
from monitor.db.models import Mention, Source
from monitor.db.repositories import (
    ApiKeyRepository,
    BrandRepository,
    DocumentRepository,
    MentionRepository,
    SourceRepository,
)
from monitor.db.repositories.brands import BrandSpec
from monitor.db.repositories.claims import ClaimTerms
from monitor.db.repositories.mentions import MentionFilter
from monitor.db.repositories.sources import SourceSpec
from monitor.errors import InvalidInputError
from monitor.runtime import Runtime

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TERMS = ClaimTerms("test-host:1:a", timedelta(minutes=5))


def _source(runtime: Runtime, url: str = "https://blog.example.com/feed/") -> int:
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec("Blog", url, "rss", timedelta(minutes=30))], NOW
        )
        return next(s.id for s in SourceRepository(session).list_all() if s.url == url)


def _doc_row(source_id: int, key: str, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source_id": source_id, "key": key, "url": f"https://blog.example.com/{key}",
        "kind": "post", "author": "Ann", "published_at": NOW, "discovered_at": NOW,
        "title": f"title {key}", "text": "Acme makes coffee machines.", "thread_url": None,
        "thread_title": None, "parent_key": None, "language": "en", "engagement": {},
        "content_hash": key.ljust(64, "0")[:64], "sentiment_score": 0.0, "duplicate_of_id": None,
    }
    row.update(extra)
    return row


def test_same_item_collected_twice_is_stored_once(runtime: Runtime) -> None:
    source_id = _source(runtime)
    with unit_of_work(runtime.sessions) as session:
        first = DocumentRepository(session).insert_new([_doc_row(source_id, "a"),
                                                       _doc_row(source_id, "b")])
    with unit_of_work(runtime.sessions) as session:
        second = DocumentRepository(session).insert_new([_doc_row(source_id, "b"),
                                                        _doc_row(source_id, "c")])
        assert DocumentRepository(session).count() == 3
    assert set(first) == {"a", "b"}
    assert set(second) == {"c"}


def test_existing_keys_finds_only_stored_keys(runtime: Runtime) -> None:
    source_id = _source(runtime)
    with unit_of_work(runtime.sessions) as session:
        DocumentRepository(session).insert_new([_doc_row(source_id, "k1")])
        assert DocumentRepository(session).existing_keys(["k1", "k2"]) == {"k1"}


def test_bulk_insert_crosses_batch_boundaries(runtime: Runtime) -> None:
    source_id = _source(runtime)
    rows = [_doc_row(source_id, f"bulk-{i}") for i in range(1234)]
    with unit_of_work(runtime.sessions) as session:
        inserted = DocumentRepository(session).insert_new(rows)
    assert len(inserted) == 1234
    assert len(set(inserted.values())) == 1234


def _brand(runtime: Runtime, name: str = "Acme") -> int:
    with unit_of_work(runtime.sessions) as session:
        BrandRepository(session).sync_from_config([BrandSpec(name, name)], NOW)
        brand = BrandRepository(session).get_by_name(name)
        assert brand is not None
        return brand.id


def _mention_row(document_id: int, brand_id: int, at: datetime, label: str = "neutral"
                 ) -> dict[str, Any]:
    return {
        "document_id": document_id, "brand_id": brand_id, "sort_at": at, "spans": [],
        "snippet": "s", "sentiment_score": 0.0, "sentiment_label": label,
        "sentiment_confidence": 0.5, "sentiment_override": None, "topics": [],
        "created_at": at,
    }


def _seed_mentions(runtime: Runtime, count: int) -> tuple[int, list[int]]:
    source_id, brand_id = _source(runtime), _brand(runtime)
    with unit_of_work(runtime.sessions) as session:
        docs = DocumentRepository(session).insert_new(
            [_doc_row(source_id, f"d{i}") for i in range(count)]
        )
        rows = [
            _mention_row(docs[f"d{i}"], brand_id, NOW - timedelta(minutes=i // 2),
                         "negative" if i % 3 == 0 else "positive")
            for i in range(count)
        ]
        MentionRepository(session).insert_many(rows)
    return brand_id, [docs[f"d{i}"] for i in range(count)]


def test_mentions_pages_cover_everything_once_newest_first(runtime: Runtime) -> None:
    _seed_mentions(runtime, 25)  # pairs share a timestamp: the cursor must break ties by id
    seen: list[tuple[datetime, int]] = []
    cursor = None
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        while True:
            page = repo.list_page(MentionFilter(), limit=7, cursor=cursor)
            seen.extend((r.sort_at, r.id) for r in page.rows)
            cursor = page.next_cursor
            if cursor is None:
                break
    assert len(seen) == 25
    assert len({mention_id for _, mention_id in seen}) == 25
    assert seen == sorted(seen, reverse=True)


def test_mention_filters_and_count_agree(runtime: Runtime) -> None:
    _seed_mentions(runtime, 12)
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        negative = MentionFilter(brand="Acme", sentiment="negative")
        page = repo.list_page(negative, limit=200, cursor=None)
        assert len(page.rows) == repo.count(negative) == 4
        assert {r.sentiment_label for r in page.rows} == {"negative"}
        since = MentionFilter(since=NOW - timedelta(minutes=1))
        assert repo.count(since) == 4  # minutes 0 and 1 hold two mentions each...
        with pytest.raises(InvalidInputError, match="unknown brand 'Globex'"):
            repo.count(MentionFilter(brand="Globex"))


def test_mention_text_search_treats_wildcards_literally(runtime: Runtime) -> None:
    _seed_mentions(runtime, 3)
    with runtime.sessions() as session:
        repo = MentionRepository(session)
        assert repo.count(MentionFilter(q="coffee")) == 3
        assert repo.count(MentionFilter(q="%")) == 0
        assert repo.count(MentionFilter(q="COFFEE machines")) == 3


def test_a_mention_is_stored_once_per_document_and_brand(runtime: Runtime) -> None:
    brand_id, doc_ids = _seed_mentions(runtime, 2)
    with unit_of_work(runtime.sessions) as session:
        again = MentionRepository(session).insert_many([_mention_row(doc_ids[0], brand_id, NOW)])
        assert again == 0
        assert len(list(session.scalars(select(Mention)))) == 2


def test_bad_cursor_is_a_clear_error(runtime: Runtime) -> None:
    with runtime.sessions() as session, pytest.raises(InvalidInputError, match="cursor"):
        MentionRepository(session).list_page(MentionFilter(), limit=5, cursor="@@not-a-cursor")


def test_claim_due_respects_per_host_cap_and_lease(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).sync_from_config(
            [SourceSpec(f"s{i}", f"https://{'a' if i < 4 else 'b'}.example/{i}", None,
                        timedelta(minutes=30)) for i in range(6)], NOW)
    with unit_of_work(runtime.sessions) as session:
        claimed = SourceRepository(session).claim_due(
            NOW, limit=10, per_host=2, terms=TERMS, include_all=False)
        hosts = sorted(s.host for s in claimed)
    assert hosts == ["a.example", "a.example", "b.example", "b.example"]
    with unit_of_work(runtime.sessions) as session:
        again = SourceRepository(session).claim_due(
            NOW, limit=10, per_host=2, terms=TERMS, include_all=False)
    assert {s.host for s in again} == {"a.example"}  # the two not yet claimed
    assert not {s.id for s in again} & {s.id for s in claimed}


def test_failures_are_counted_and_success_resets(runtime: Runtime) -> None:
    source_id = _source(runtime)
    later = NOW + timedelta(hours=1)
    with unit_of_work(runtime.sessions) as session:
        repo = SourceRepository(session)
        repo.record_failure(source_id, now=NOW, status="error", error="x" * 5000,
                            next_check_at=later)
        repo.record_failure(source_id, now=NOW, status="error", error="boom", next_check_at=later)
    with runtime.sessions() as session:
        source = SourceRepository(session).get(source_id)
        assert (source.error_count, source.last_error) == (2, "boom")
        assert source.next_check_at == later
    with unit_of_work(runtime.sessions) as session:
        SourceRepository(session).record_success(
            source_id, now=NOW, status="200", etag='"v1"', last_modified=None,
            next_check_at=later, kind="rss")
    with runtime.sessions() as session:
        source = SourceRepository(session).get(source_id)
        assert (source.error_count, source.last_error, source.etag) == (0, None, '"v1"')


def test_config_sync_disables_removed_sources_and_brands(runtime: Runtime) -> None:
    _source(runtime, "https://one.example/feed")
    _source(runtime, "https://two.example/feed")  # the second sync lists only this one
    _brand(runtime, "Acme")
    with unit_of_work(runtime.sessions) as session:
        sync = BrandRepository(session).sync_from_config([BrandSpec("Globex", "Globex")], NOW)
        assert len(sync.created) == 1
        assert len(sync.disabled) == 1
    with runtime.sessions() as session:
        enabled = {s.url for s in session.scalars(select(Source).where(Source.enabled))}
        assert enabled == {"https://two.example/feed"}
        assert [b.name for b in BrandRepository(session).list_all(enabled_only=True)] == ["Globex"]


def test_api_keys_store_only_a_hash(runtime: Runtime) -> None:
    with unit_of_work(runtime.sessions) as session:
        new = ApiKeyRepository(session).create("ci", ["read"], NOW)
    with runtime.sessions() as session:
        repo = ApiKeyRepository(session)
        stored = repo.list_all()[0]
        assert new.key not in (stored.key_hash, stored.prefix)
        assert repo.find_valid(new.key) is not None
        assert repo.find_valid(new.key + "x") is None
    with unit_of_work(runtime.sessions) as session:
        ApiKeyRepository(session).revoke(new.id, NOW)
    with runtime.sessions() as session:
        assert ApiKeyRepository(session).find_valid(new.key) is None


def test_concurrent_read_then_write_transactions_wait_instead_of_failing(
    runtime: Runtime,
) -> None:
    """Each thread reads, then writes: deferred SQLite transactions would fail with BUSY."""
    source_id = _source(runtime)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(15):
                with unit_of_work(runtime.sessions) as session:
                    repo = DocumentRepository(session)
                    repo.existing_keys([f"w{worker}-{i}"])
                    repo.insert_new([_doc_row(source_id, f"w{worker}-{i}")])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with runtime.sessions() as session:
        assert DocumentRepository(session).count() == 60
