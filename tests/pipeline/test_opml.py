"""OPML import and export against real databases: 5,000 feeds round trip, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from monitor.cli import app
from monitor.db.engine import unit_of_work
from monitor.db.models import Source
from monitor.domain.opml import OpmlFeed, render_opml
from monitor.errors import InvalidInputError
from monitor.pipeline.opml import export_opml, import_opml
from monitor.runtime import Runtime

FEEDS = 5000


def _feeds(count: int) -> list[OpmlFeed]:
    feeds = [OpmlFeed(f"https://blog{i}.example/feed/", f"Blog {i} & friends")
             for i in range(count - 2)]
    return [*feeds, OpmlFeed("https://forum.example/", "Forum", "discourse"),
            OpmlFeed("https://hn.algolia.com/api/v1", "HN", "search", {"engine": "hackernews"})]


def _stored(runtime: Runtime) -> list[tuple[str, str, str | None, dict[str, str]]]:
    with runtime.sessions() as session:
        return [(s.url, s.name, s.kind, dict(s.options))
                for s in session.scalars(select(Source).order_by(Source.id))]


def test_five_thousand_feeds_round_trip_and_a_rerun_adds_nothing(runtime: Runtime) -> None:
    body = render_opml(_feeds(FEEDS)).encode()
    first = import_opml(runtime, body)
    assert first.added == FEEDS
    assert first.plan.duplicates == []
    assert first.plan.refused == []
    again = import_opml(runtime, body)
    assert again.added == 0
    assert len(again.plan.duplicates) == FEEDS
    stored = _stored(runtime)
    exported = export_opml(runtime)

    with unit_of_work(runtime.sessions) as session:
        for source in session.scalars(select(Source)):
            session.delete(source)
    assert import_opml(runtime, exported.encode()).added == FEEDS
    assert _stored(runtime) == stored
    assert stored[-1] == ("https://hn.algolia.com/api/v1", "HN", "search",
                          {"engine": "hackernews"})


def test_refusals_are_reported_and_nothing_else_is_lost(runtime: Runtime) -> None:
    feeds = [OpmlFeed("https://ok.example/feed", "OK"),
             OpmlFeed("javascript:alert(1)", "Script"),
             OpmlFeed("https://hn.algolia.com/api/v1", "HN", "search", {"engine": "altavista"}),
             OpmlFeed("https://ok.example/feed", "OK twice")]
    report = import_opml(runtime, render_opml(feeds).encode())
    assert report.added == 1
    assert [why for _, why in report.plan.refused] == [
        "not an http:// or https:// URL",
        "option 'engine' takes one of hackernews, lemmy, mastodon, reddit, rss, stackexchange,"
        " not 'altavista'"]
    assert report.plan.duplicates == [("https://ok.example/feed", "listed twice in the file")]
    with pytest.raises(InvalidInputError, match="not an OPML file"):
        import_opml(runtime, b"<rss/>")


def test_cli_import_and_export(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"database": {"url": f"sqlite:///{tmp_path / 'm.db'}"}}))
    opml = tmp_path / "feeds.opml"
    opml.write_text(render_opml([OpmlFeed("https://a.example/feed", "A"),
                                 OpmlFeed("ftp://b.example/", "B")]))
    runner = CliRunner()
    first = runner.invoke(app, ["sources", "import", str(opml), "--config", str(config)])
    assert first.exit_code == 0, first.output
    assert "1 added, 0 duplicates, 1 refused" in first.output
    assert "refused: ftp://b.example/: not an http:// or https:// URL" in first.output
    second = runner.invoke(app, ["sources", "import", str(opml), "--config", str(config)])
    assert "0 added, 1 duplicates, 1 refused" in second.output
    exported = runner.invoke(app, ["sources", "export", "--config", str(config)])
    assert 'xmlUrl="https://a.example/feed"' in exported.output
    missing = runner.invoke(app, ["sources", "import", str(tmp_path / "nope.opml"),
                                  "--config", str(config)])
    assert missing.exit_code == 2
    assert "cannot read" in missing.output
