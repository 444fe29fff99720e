"""Feed parsing: golden files, comment-feed conventions, and hostile or broken input."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.errors import ParseError
from collectors.feeds import (
    ThreadHint,
    comment_body,
    comment_documents,
    is_excerpt,
    parse_feed,
    post_document,
)
from tests.collectors.conftest import FIXTURES
from tests.collectors.golden import feed_result

FEEDS = FIXTURES / "feeds"
GOLDEN = sorted(FEEDS.glob("*.expected.json"))
RSS = {"content-type": "application/rss+xml; charset=UTF-8"}


def feed_path(golden: Path) -> Path:
    stem = golden.name.removesuffix(".expected.json")
    (found,) = [p for p in FEEDS.iterdir() if p.stem == stem and p.suffix != ".json"]
    return found


@pytest.mark.parametrize("golden", GOLDEN, ids=lambda p: p.name)
def test_parser_matches_golden_file(golden: Path) -> None:
    expected = json.loads(golden.read_text())
    path = feed_path(golden)
    assert {
        "url": expected["url"],
        **feed_result(path.read_bytes(), expected["url"], path.suffix),
    } == expected


def test_golden_files_cover_posts_and_comments() -> None:
    # Guards the golden set itself: a regenerated empty expectation would pass silently.
    names = {p.name for p in GOLDEN}
    assert {"wordpress_posts.expected.json", "blogger_post_comments.expected.json"} <= names
    assert json.loads((FEEDS / "wordpress_posts.expected.json").read_text())["posts"]
    assert json.loads((FEEDS / "blogger_post_comments.expected.json").read_text())["comments"]


def wordpress_feed(items: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wfw="http://wellformedweb.org/CommentAPI/">
<channel><title>Site</title><link>https://site.example/</link>{items}</channel></rss>""".encode()


def test_sitewide_and_per_post_comment_feeds_give_same_keys() -> None:
    sitewide = parse_feed(
        (FEEDS / "wordpress_sitewide_comments.rss").read_bytes(),
        "https://acmewatch.example/comments/feed/",
        RSS,
    )
    per_post_body = (FIXTURES / "sites/wordpress/2024/05/hello-acme/feed/index.rss").read_bytes()
    per_post = parse_feed(
        per_post_body.replace(b"{{BASE}}", b"https://acmewatch.example"),
        "https://acmewatch.example/2024/05/hello-acme/feed/",
        RSS,
    )
    hint = ThreadHint(
        "https://acmewatch.example/?p=101",
        "https://acmewatch.example/2024/05/hello-acme/",
        "Hello Acme",
    )
    from_post = {d.key: d for d in comment_documents(per_post, hint)}
    from_site = {d.key: d for d in comment_documents(sitewide) if d.key in from_post}
    assert len(from_post) == 3
    assert from_site == from_post


def test_wordpress_reply_marker_names_parent_and_is_not_text() -> None:
    reply_to, text = comment_body(
        '<p>In reply to <a href="https://s.example/p/#comment-201">Alice</a>.</p>\n<p>Agreed.</p>'
    )
    assert (reply_to, text) == ("201", "Agreed.")
    ordinary = '<p>See <a href="https://s.example/p/#comment-9">this</a> for more details.</p>'
    assert comment_body(ordinary) == (None, "See this for more details.")


def test_excerpt_detection() -> None:
    def entry(content: str, summary: str) -> bool:
        item = f"<item><title>t</title><link>https://s.example/a</link><description><![CDATA[{summary}]]></description>"
        if content:
            item += f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        feed = parse_feed(wordpress_feed(item + "</item>"), "https://s.example/feed/", RSS)
        return is_excerpt(feed.entries[0])

    assert entry("", "Teaser text [&#8230;]")
    assert entry("", "<p>Teaser.</p><p>The post <a>T</a> appeared first on <a>S</a>.</p>")
    assert entry("", "A short summary.")
    assert not entry("<p>Full body</p>", "Teaser [&#8230;]")
    assert not entry("", "<p>" + "Long full text in the description. " * 60 + "</p>")


def test_appeared_first_footer_is_dropped_from_text() -> None:
    item = """<item><title>T</title><link>https://s.example/t/</link><guid>g1</guid>
<description><![CDATA[<p>Acme did a thing &#8230;</p>
<p>The post <a href="https://s.example/t/">T</a> appeared first on <a href="https://s.example">S</a>.</p>]]></description></item>"""
    feed = parse_feed(wordpress_feed(item), "https://s.example/feed/", RSS)
    assert post_document(feed.entries[0]).text == "Acme did a thing …"


def test_scripts_and_markup_never_reach_text() -> None:
    item = """<item><title>T</title><guid>g</guid><content:encoded><![CDATA[<p>Hi <b>there</b></p>
<script>steal()</script><style>p{}</style><p>Bye&nbsp;now</p>]]></content:encoded></item>"""
    feed = parse_feed(wordpress_feed(item), "https://s.example/feed/", RSS)
    assert post_document(feed.entries[0]).text == "Hi there\nBye now"


def test_dates_are_utc_and_missing_dates_are_none() -> None:
    items = """<item><title>a</title><guid>a</guid>
<pubDate>Tue, 07 May 2024 14:30:00 +0200</pubDate></item>
<item><title>b</title><guid>b</guid><pubDate>sometime last week</pubDate></item>"""
    first, second = parse_feed(wordpress_feed(items), "https://s.example/feed/", RSS).entries
    assert first.published_at == datetime(2024, 5, 7, 12, 30, tzinfo=UTC)
    assert second.published_at is None


def test_missing_charset_falls_back_sensibly() -> None:
    body = b'<rss version="2.0"><channel><title>x</title><item><title>Caf\xe9</title><guid>c</guid>'
    feed = parse_feed(body + b"</item></channel></rss>", "https://s.example/feed/", {})
    assert feed.entries[0].title == "Café"


def test_wrong_charset_is_recovered_with_a_warning() -> None:
    body = wordpress_feed("<item><title>Café Acme</title><guid>c</guid></item>")
    latin1 = body.decode().encode("latin-1")  # still declares UTF-8
    feed = parse_feed(latin1, "https://s.example/feed/", {"content-type": "application/rss+xml"})
    assert feed.entries[0].title == "Café Acme"
    assert feed.warning is not None
    assert "encoding" in feed.warning.lower()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>t</title>
<item><title>&lol9;</title><guid>a</guid></item></channel></rss>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&xxe;</title>
<item><title>x</title><guid>x</guid></item></channel></rss>"""


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (BILLION_LAUGHS, "entities"),
        (BILLION_LAUGHS.decode().encode("utf-16"), "entities"),
        (EXTERNAL_ENTITY, "entities"),
        (b"<rss version='2.0'><channel><title>cut off", "not a usable feed"),
        (b"<html><body><p>Just a web page</p></body></html>", "not a usable feed"),
        (b"\x00\x01\x02 binary garbage \xff\xfe", "not a usable feed"),
        (b"", "not a usable feed"),
    ],
    ids=[
        "billion-laughs",
        "billion-laughs-utf16",
        "external-entity",
        "truncated",
        "html",
        "binary",
        "empty",
    ],
)
def test_hostile_or_broken_feeds_raise_parse_error(body: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as caught:
        parse_feed(body, "https://s.example/feed/", {"content-type": "application/rss+xml"})
    assert "https://s.example/feed/" in str(caught.value)


def test_empty_but_valid_feed_is_not_an_error() -> None:
    feed = parse_feed(wordpress_feed(""), "https://s.example/feed/", RSS)
    assert feed.entries == ()
    assert feed.warning is None


def test_malformed_feed_with_recoverable_items_keeps_them() -> None:
    body = wordpress_feed(
        "<item><title>A &amp; B</title><guid>1</guid>"
        "<description>x &nbsp; <b>y</description></item>"
    )
    feed = parse_feed(body, "https://s.example/feed/", RSS)
    assert [e.title for e in feed.entries] == ["A & B"]
    assert feed.warning is not None


def test_parsed_feed_is_picklable() -> None:
    import pickle

    feed = parse_feed(
        (FEEDS / "wordpress_posts.rss").read_bytes(), "https://acmewatch.example/feed/", RSS
    )
    assert pickle.loads(pickle.dumps(feed)) == feed
    assert dataclasses.is_dataclass(feed)
