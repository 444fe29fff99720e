"""Migration 0003 on a database that already holds mentions: backfill and search index."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from monitor.db.engine import build_engine, build_sessionmaker
from monitor.db.migrate import upgrade_database
from monitor.db.repositories.mentions import MentionFilter, MentionRepository

AT = datetime(2026, 11, 20, tzinfo=UTC).isoformat()


def test_existing_mentions_get_site_engagement_and_are_searchable(empty_url: str) -> None:
    engine = build_engine(empty_url)
    upgrade_database(engine, "0002")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO sources (id, name, url, host, interval_s, enabled, options, from_config,"
            " next_check_at, error_count, created_at) VALUES (1, 's', 'https://x.example/f',"
            " 'x.example', 60, true, '{}', true, :at, 0, :at)"), {"at": AT})
        connection.execute(text(
            "INSERT INTO brands (id, name, query, enabled, from_config, created_at, updated_at)"
            " VALUES (1, 'Acme', 'Acme', true, true, :at, :at)"), {"at": AT})
        connection.execute(text(
            "INSERT INTO documents (id, source_id, key, url, kind, discovered_at, title, text,"
            " engagement, content_hash) VALUES (1, 1, 'k', 'https://WWW.Forum.example/t/1',"
            " 'post', :at, 'Old post', 'Acme grinder squeaks', :eng, 'h')"),
            {"at": AT, "eng": '{"score": 5, "comments": 2, "reads": 90}'})
        connection.execute(text(
            "INSERT INTO mentions (id, document_id, brand_id, sort_at, spans, snippet,"
            " sentiment_score, sentiment_label, sentiment_confidence, topics, state, created_at)"
            " VALUES (1, 1, 1, :at, '[]', 's', 0, 'neutral', 0, '[]', 'new', :at)"), {"at": AT})
    upgrade_database(engine)
    with build_sessionmaker(engine)() as session:
        row = MentionRepository(session).get_row(1)
        assert (row.mention.site, row.mention.engagement) == ("forum.example", 7)
        found = MentionRepository(session).count(MentionFilter(q="squeaks"))
        assert found == 1
    engine.dispose()
