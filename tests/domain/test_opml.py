"""OPML read, import decisions and writing, without a database."""

from __future__ import annotations

import pytest

from monitor.domain.opml import (
    OpmlError,
    OpmlFeed,
    decide_import,
    parse_opml,
    render_opml,
    url_problem,
)

FEEDLY = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>Subscriptions in feedly Cloud</title></head>
  <body>
    <outline text="Coffee" title="Coffee">
      <outline type="rss" text="Brew blog" title="Brew blog"
               xmlUrl="https://brew.example/feed/" htmlUrl="https://brew.example/"/>
      <outline type="rss" text="Bean news" xmlUrl="https://beans.example/rss"/>
      <outline text="Nested folder">
        <outline type="rss" text="Deep" xmlUrl="https://deep.example/atom.xml"/>
      </outline>
    </outline>
    <outline type="rss" text="No feed URL" htmlUrl="https://page.example/"/>
    <outline type="reddit" text="r/espresso" xmlUrl="https://www.reddit.com/r/espresso/new.json"/>
  </body>
</opml>"""


def test_outlines_with_feed_urls_are_read_in_order_folders_flattened() -> None:
    feeds = parse_opml(FEEDLY, known_kinds=("rss", "reddit"))
    assert feeds == [  # type="rss" is what readers write for anything: detection decides
        OpmlFeed("https://brew.example/feed/", "Brew blog"),
        OpmlFeed("https://beans.example/rss", "Bean news"),
        OpmlFeed("https://deep.example/atom.xml", "Deep"),
        OpmlFeed("https://www.reddit.com/r/espresso/new.json", "r/espresso", "reddit"),
    ]


def test_unknown_types_leave_the_kind_to_detection() -> None:
    body = b'<opml><body><outline type="link" xmlUrl="https://a.example/f"/></body></opml>'
    assert parse_opml(body, known_kinds=("rss",)) == [
        OpmlFeed("https://a.example/f", "https://a.example/f", None)]


@pytest.mark.parametrize(
    "body",
    [b"<html><body/></html>", b"not xml at all", b"<opml><head/></opml>",
     b'<!DOCTYPE opml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><opml><body>&b;</body></opml>'],
)
def test_what_is_not_opml_is_refused(body: bytes) -> None:
    with pytest.raises(OpmlError):
        parse_opml(body)


def test_import_plan_reports_duplicates_and_refusals() -> None:
    feeds = [
        OpmlFeed("https://brew.example/feed/", "Brew"),
        OpmlFeed("HTTPS://Brew.Example/feed/#top", "Brew again"),
        OpmlFeed("https://stored.example/rss", "Stored"),
        OpmlFeed("ftp://files.example/feed", "FTP"),
        OpmlFeed("http://127.0.0.1/feed", "Loopback"),
        OpmlFeed("http://192.168.1.2/feed", "LAN"),
        OpmlFeed("https://new.example/rss", "New"),
    ]
    plan = decide_import(feeds, ["https://stored.example/rss"])
    assert [f.name for f in plan.new] == ["Brew", "New"]
    assert plan.duplicates == [("HTTPS://Brew.Example/feed/#top", "listed twice in the file"),
                               ("https://stored.example/rss", "already a source")]
    assert [why for _, why in plan.refused] == [
        "not an http:// or https:// URL", "points at a private or local address",
        "points at a private or local address"]
    assert decide_import(feeds[4:5], [], allow_private=True).new == feeds[4:5]


def test_url_problems() -> None:
    assert url_problem("https://ok.example/feed") is None
    assert url_problem("https://" + "a" * 2000) == "longer than 2000 characters"
    assert url_problem("https://exa mple.com/") == "not an http:// or https:// URL"
    assert url_problem("http://localhost:8080/feed") == "points at a private or local address"


def test_render_escapes_and_reads_back() -> None:
    feeds = [OpmlFeed('https://a.example/?q=1&x="2"', 'Tom & Jerry <"fans">'),
             OpmlFeed("https://forum.example/", "Forum", "discourse"),
             OpmlFeed("https://hn.algolia.com/api/v1", "HN", "search",
                      {"engine": "hackernews", "query": 'Acme "x & y"'})]
    text = render_opml(feeds)
    assert 'type="rss"' in text
    assert parse_opml(text.encode(), known_kinds=("rss", "discourse", "search")) == feeds
