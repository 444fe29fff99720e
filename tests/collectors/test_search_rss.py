"""Search engine rss: pasted search feeds (Google Alerts Atom, Bing News RSS) on loopback."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from collectors.errors import ParseError, RateLimited
from collectors.search_engines.rss import unwrap_link
from tests.collectors.conftest import FixtureServer, Reply
from tests.collectors.search_support import RATE_LIMITED, ago, run_search

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]

GOOGLE_ALERTS = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:idx="urn:atom-extension:indexing">
<id>tag:google.com,2005:reader/user/0123/state/com.google/alerts/456</id>
<title>Google Alert - acme</title>
<link href="https://www.google.com/alerts/feeds/0123/456" rel="self"></link>
<updated>{ago(hours=1).isoformat()}</updated>
<entry>
<id>tag:google.com,2013:googlealerts/feed:111</id>
<title type="html">&lt;b&gt;Acme&lt;/b&gt; recalls the Duo espresso machine</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news.example/acme-recall&amp;ct=ga&amp;cd=CAIyGg&amp;usg=AOvVaw1"></link>
<published>{ago(hours=1).isoformat()}</published>
<updated>{ago(hours=1).isoformat()}</updated>
<content type="html">The &lt;b&gt;Acme&lt;/b&gt; Duo is recalled ...</content>
<author><name></name></author>
</entry>
<entry>
<id>tag:google.com,2013:googlealerts/feed:112</id>
<title type="html">Old news about &lt;b&gt;Acme&lt;/b&gt;</title>
<link href="https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://old.example/acme&amp;ct=ga"></link>
<published>{ago(days=90).isoformat()}</published>
<updated>{ago(days=90).isoformat()}</updated>
<content type="html">Acme ...</content>
</entry>
</feed>""".encode()

BING = f"""<?xml version="1.0" encoding="utf-8" ?><rss version="2.0"
 xmlns:News="https://www.bing.com:443/news/search?q=acme&amp;format=rss"><channel>
<title>acme - BingNews</title><link>https://www.bing.com/news/search?q=acme</link>
<item><title>Acme recalls the Duo</title>
<link>http://www.bing.com/news/apiclick.aspx?ref=FexRss&amp;aid=&amp;tid=1&amp;url=https%3a%2f%2fnews.example%2facme-recall&amp;c=1&amp;mkt=en-us</link>
<description>The Acme Duo is recalled.</description>
<pubDate>{ago(hours=2).strftime("%a, %d %b %Y %H:%M:%S GMT")}</pubDate>
<News:Source>News Example</News:Source></item>
</channel></rss>""".encode()

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


def test_click_through_links_are_unwrapped() -> None:
    assert unwrap_link("https://www.google.com/url?rct=j&sa=t&url=https://a.example/x&ct=ga"
                       ) == "https://a.example/x"
    assert unwrap_link("http://www.bing.com/news/apiclick.aspx?ref=FexRss&url=https%3a%2f%2f"
                       "b.example%2fy&c=1") == "https://b.example/y"
    assert unwrap_link("https://c.example/z") == "https://c.example/z"


async def test_google_alerts_and_bing_news_feeds(fixture_server: Start) -> None:
    server = fixture_server({
        "/alerts/feeds/0123/456": Reply(200, GOOGLE_ALERTS, ATOM, etag='"a1"'),
        "/news/search": Reply(200, BING, {"Content-Type": "application/rss+xml"}),
    })
    alerts = await run_search(server.url("/alerts/feeds/0123/456"), "rss", terms=())
    (recall,) = alerts.documents  # the 90-day-old result is older than backfill_days
    assert recall.url == "https://news.example/acme-recall"
    assert recall.key == "https://news.example/acme-recall"
    assert recall.title == "Acme recalls the Duo espresso machine"
    assert alerts.state.etag == '"a1"'
    bing = await run_search(server.url("/news/search?q=acme&format=rss"), "rss", terms=())
    assert [d.key for d in bing.documents] == [recall.key]  # the same article, one key

    server.clear_log()
    again = await run_search(server.url("/alerts/feeds/0123/456"), "rss", terms=(),
                             cursor=alerts.state.cursor)
    # The mark is inclusive (same-second results are not lost); the store keeps one copy.
    assert [d.key for d in again.documents] == [recall.key]


async def test_conditional_get_and_failures(fixture_server: Start) -> None:
    server = fixture_server({"/feed": RATE_LIMITED,
                             "/broken": Reply(200, b"<html>not a feed", ATOM)})
    with pytest.raises(RateLimited):
        await run_search(server.url("/feed"), "rss", terms=())
    with pytest.raises(ParseError, match="not a usable feed"):
        await run_search(server.url("/broken"), "rss", terms=())
