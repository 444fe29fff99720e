"""The fast RSS 2.0 path gives exactly what feedparser gives, or falls back to it."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import pytest
from lxml import etree  # type: ignore[import-untyped]

from collectors import fastfeed
from collectors.errors import ParseError
from collectors.fastfeed import parse_rss
from collectors.feeds import ParsedFeed, comment_documents, parse_feed, post_document
from collectors.rss import thread_ref
from tests.collectors.conftest import FIXTURES

URL = "https://blog.example.com/feed/"
RSS = {"content-type": "application/rss+xml; charset=UTF-8"}
NAMESPACES = (
    'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
    'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
    'xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:atom="http://www.w3.org/2005/Atom" '
    'xmlns:sy="http://purl.org/rss/1.0/modules/syndication/" '
    'xmlns:slash="http://purl.org/rss/1.0/modules/slash/"'
)


def rss(items: str, channel: str = "<title>Blog</title><link>https://blog.example.com/</link>",
        *, declaration: str = '<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (f'{declaration}\n<rss version="2.0" {NAMESPACES}><channel>{channel}{items}'
            "</channel></rss>").encode()


WORDPRESS_ITEM = """
<item>
  <title>Acme&#8217;s new kettle &amp; its lid</title>
  <link>https://blog.example.com/2026/11/kettle/?utm_source=rss&amp;utm_medium=rss</link>
  <comments>https://blog.example.com/2026/11/kettle/#respond</comments>
  <dc:creator><![CDATA[Jane Doe]]></dc:creator>
  <pubDate>Fri, 20 Nov 2026 10:00:00 +0000</pubDate>
  <category><![CDATA[Kitchen]]></category>
  <guid isPermaLink="false">https://blog.example.com/?p=42</guid>
  <description><![CDATA[<p>The kettle from Acme [&#8230;]</p>]]></description>
  <content:encoded><![CDATA[<p>The kettle from <b>Acme</b> boils fast.</p>
    <p>Caf\u00e9 owners like it.</p><script>track()</script>
    <p>The post Kettle appeared first on Blog.</p>]]></content:encoded>
  <wfw:commentRss>https://blog.example.com/2026/11/kettle/feed/</wfw:commentRss>
  <slash:comments>3</slash:comments>
  <enclosure url="https://blog.example.com/k.mp3" length="1" type="audio/mpeg"/>
</item>"""
WORDPRESS_CHANNEL = """
<title>Blog &#8211; kitchens</title>
<atom:link href="https://blog.example.com/feed/" rel="self" type="application/rss+xml" />
<link>https://blog.example.com</link>
<description>Cooking</description>
<lastBuildDate>Fri, 20 Nov 2026 10:00:00 +0000</lastBuildDate>
<language>en-US</language>
<sy:updatePeriod>hourly</sy:updatePeriod>
<sy:updateFrequency>1</sy:updateFrequency>
<generator>https://wordpress.org/?v=6.4</generator>
<image><url>https://blog.example.com/icon.png</url><title>Blog</title>
<link>https://blog.example.com</link><width>32</width><height>32</height></image>"""
COMMENT_ITEM = """
<item>
  <title>By: Sam</title>
  <link>https://blog.example.com/2026/11/kettle/#comment-{n}</link>
  <dc:creator><![CDATA[Sam]]></dc:creator>
  <pubDate>Sat, 21 Nov 2026 10:0{n}:00 +0000</pubDate>
  <guid isPermaLink="false">https://blog.example.com/?p=42#comment-{n}</guid>
  <description><![CDATA[In reply to <a href="https://blog.example.com/2026/11/kettle/#comment-1">Ann</a>.
Acme's lid broke.]]></description>
  <content:encoded><![CDATA[<p>In reply to <a href="https://blog.example.com/2026/11/kettle/#comment-1">Ann</a>.</p>
<p>Acme&#8217;s lid broke.</p>]]></content:encoded>
</item>"""


def collector_view(feed: ParsedFeed) -> object:
    comments = [e for e in feed.entries if e.is_comment]
    site_wide = comment_documents(dataclasses.replace(feed, entries=tuple(comments)))
    posts = [(post_document(e), thread_ref(e, post_document(e))) for e in feed.entries
             if not e.is_comment and (e.guid or e.link)]
    return site_wide, posts, comment_documents(feed)


def assert_same(body: bytes, headers: dict[str, str] = RSS, *, fast: bool | None = True) -> None:
    """Both paths agree; ``fast``: whether the fast path must answer (None: either)."""
    answered = parse_rss(body, URL, {**{k.lower(): v for k, v in headers.items()},
                                     "content-location": URL}) is not None
    if fast is not None:
        assert answered is fast
    quick, reference = (parse_feed(body, URL, headers, fast_path=f) for f in (True, False))
    assert quick == reference
    assert collector_view(quick) == collector_view(reference)


def test_wordpress_posts_feed() -> None:
    assert_same(rss(WORDPRESS_ITEM * 1 + WORDPRESS_ITEM.replace("?p=42", "?p=43"),
                    WORDPRESS_CHANNEL))


def test_wordpress_comment_feed() -> None:
    items = "".join(COMMENT_ITEM.format(n=n) for n in range(2, 6))
    assert_same(rss(items, "<title>Comments on: Kettle</title>"
                           "<link>https://blog.example.com/2026/11/kettle/</link>"))


def test_the_fixture_feeds_in_rss_2() -> None:
    for name in ("wordpress_posts.rss", "wordpress_sitewide_comments.rss"):
        assert_same((FIXTURES / "feeds" / name).read_bytes())


@pytest.mark.parametrize("item", [
    # guid as the link, or not; relative links; an author with an address
    "<item><guid>https://blog.example.com/p/1</guid><title>One</title></item>",
    "<item><guid>/p/1</guid><title>One</title></item>",
    "<item><guid isPermaLink='false'>tag:1</guid><description>Only a teaser</description></item>",
    "<item><link>/posts/2?a=1&amp;amp;b=2</link><author>jo@example.com (Jo Bloggs)</author></item>",
    "<item><link> https://blog.example.com/p/3 </link><title>  Spaced\n out  </title></item>",
    "<item><title>Dated</title><link>https://b.example.com/4</link>"
    "<pubDate>Mon, 2 Nov 2026 25:61:00 PST</pubDate><dc:date>2026-11-02T10:00:00Z</dc:date></item>",
    "<item><title>Undated</title><link>https://b.example.com/5</link><pubDate>soon</pubDate></item>",
    # text the way feedparser repairs it: double-encoded UTF-8, Windows-1252 control codes
    "<item><title>Caf\u00c3\u00a9 \u0093quoted\u0094</title><link>https://b.example.com/6</link>"
    "</item>",
    "<item><title>Escaped &lt;b&gt;markup&lt;/b&gt;</title><link>https://b.example.com/7</link>"
    "<description>&lt;p&gt;Entity-escaped &amp;amp; HTML&lt;/p&gt;</description></item>",
    "<item><title></title><link>https://b.example.com/8</link><slash:comments>many"
    "</slash:comments></item>",
    "<item><content:encoded><![CDATA[<p>Content first</p>]]></content:encoded>"
    "<description>then the summary</description><link>https://b.example.com/9</link></item>",
])
def test_item_variants(item: str) -> None:
    assert_same(rss(item))


@pytest.mark.parametrize("headers", [
    {"content-type": "application/rss+xml"},
    {"content-type": "application/xml; charset=utf-8"},
    {"content-type": "text/xml; charset=utf-8"},
])
def test_xml_content_types(headers: dict[str, str]) -> None:
    assert_same(rss(WORDPRESS_ITEM), headers)


def test_latin1_feed() -> None:
    body = rss("<item><title>Caf\u00e9</title><link>https://b.example.com/1</link></item>"
               ).decode().replace("UTF-8", "ISO-8859-1").encode("iso-8859-1")
    assert_same(body, {"content-type": "application/rss+xml"}, fast=None)


@pytest.mark.parametrize(("body", "headers"), [
    # another format, or another RSS version
    (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
     b"<entry><id>1</id><title>E</title></entry></feed>", RSS),
    (rss("<item><title>x</title></item>").replace(b'version="2.0"', b'version="0.91"'), RSS),
    # elements whose meaning this path does not reproduce
    (rss("<item><title>x</title><media:title xmlns:media='http://search.yahoo.com/mrss/'>y"
         "</media:title></item>"), RSS),
    (rss("<item><title>x</title><title>y</title></item>"), RSS),
    (rss("<item><title>x <b>bold</b></title></item>"), RSS),
    (rss("<item><title>x<!-- note --></title></item>"), RSS),
    (rss("<item><link></link><guid>https://b.example.com/1</guid></item>"), RSS),
    (rss("<item><source url='https://other.example.com/rss'>Other</source></item>"), RSS),
    (rss("<item xml:base='https://elsewhere.example.com/'><link>/p</link></item>"), RSS),
    (rss("", "<title>T</title><atom:link rel='alternate' href='https://x.example.com/'/>"), RSS),
    (rss("<item><title>x</title></item>", "<title>T</title><category><link>y</link></category>"),
     RSS),
    # what feedparser reports as a problem: a content type that is not XML, no content type
    (rss("<item><title>x</title></item>"), {"content-type": "text/html"}),
    (rss("<item><title>x</title></item>"), {}),
    # not well-formed, an undeclared prefix, an undefined entity, a DOCTYPE
    (rss("<item><title>x</item>"), RSS),
    (rss("<item><title>x</title><foo:bar>1</foo:bar></item>"), RSS),
    (rss("<item><title>x&nbsp;y</title></item>"), RSS),
    (rss("<item><title>x</title></item>").replace(
        b"<rss", b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
                 b'"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n<rss'), RSS),
])
def test_falls_back_to_feedparser(body: bytes, headers: dict[str, str]) -> None:
    lowered = {**{k.lower(): v for k, v in headers.items()}, "content-location": URL}
    assert parse_rss(body, URL, lowered) is None
    try:
        assert_same(body, headers, fast=False)
    except ParseError:
        with pytest.raises(ParseError):
            parse_feed(body, URL, headers, fast_path=False)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
<!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;"><!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
<!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;"><!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">]>
<rss version="2.0"><channel><title>&i;</title><item><title>&i;</title></item></channel></rss>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<rss version="2.0"><channel><title>&secret;</title><item><title>&secret;</title></item>
</channel></rss>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "http://127.0.0.1:9/evil.dtd">
<rss version="2.0"><channel><title>t</title><item><title>&remote;</title></item></channel></rss>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
                         ids=["billion-laughs", "external-entity", "external-dtd"])
def test_hostile_xml_is_never_expanded_or_fetched(body: bytes) -> None:
    # The fast path alone (parse_feed refuses entity declarations before either parser).
    assert parse_rss(body, URL, {"content-type": "application/rss+xml",
                                 "content-location": URL}) is None


def test_a_huge_text_node_falls_back() -> None:
    body = rss(f"<item><title>t</title><description>{'x' * 11_000_000}</description></item>")
    assert parse_rss(body, URL, {"content-type": "application/rss+xml",
                                 "content-location": URL}) is None


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD],
                         ids=["billion-laughs", "external-entity", "external-dtd"])
def test_the_xml_parser_itself_expands_and_fetches_nothing(body: bytes) -> None:
    """Even past the DOCTYPE check, the parser leaves entities unexpanded and loads nothing."""
    try:
        root = etree.fromstring(body, fastfeed._parser())
    except etree.XMLSyntaxError:
        return
    texts = "".join(root.itertext())
    assert "aaaa" not in texts
    assert len(texts) < 100


def test_threads_parsing_at_once_get_the_same_answers() -> None:
    bodies = [rss(WORDPRESS_ITEM.replace("?p=42", f"?p={n}"), WORDPRESS_CHANNEL)
              for n in range(8)]
    expected = [parse_feed(b, URL, RSS, fast_path=False) for b in bodies]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):
            assert list(pool.map(lambda b: parse_feed(b, URL, RSS), bodies)) == expected
