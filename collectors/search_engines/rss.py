"""Search results as a feed, pasted by the user: Google Alerts ("Deliver to: RSS feed"),
Bing News (``format=rss``), or any "search results as a feed".

The source URL is the feed (asked conditionally, with the stored ETag/Last-Modified). The
engines wrap result links in their own redirects (``google.com/url?…&url=REAL``, Bing's
``apiclick.aspx?…&url=REAL``); the real link is unwrapped and is the document's key, so the
same article found by two engines is stored once. Titles arrive with ``<b>`` highlights.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qs, urlsplit

from collectors.document import Document
from collectors.feeds import FEED_ACCEPT, FeedEntry, parse_feed, post_document
from collectors.parsing import run_parser
from collectors.searching import EngineInfo, Found, SearchRequest
from collectors.text import html_to_text
from collectors.urls import canonical_url

ENGINE = EngineInfo(name="rss", display_name="Search feed (Google Alerts, Bing News…)",
                    default_api_base="", needs_terms=False)
REDIRECT_PARAMS = ("url", "u", "q")


async def search(request: SearchRequest) -> Found:
    response = await request.fetcher.fetch(request.api_base, state=request.state,
                                           accept=FEED_ACCEPT)
    found = Found(state=response.state)
    if response.not_modified:
        return found
    documents = await run_parser(response.url, len(response.body), parse_search_feed,
                                 response.body, response.url, dict(response.headers))
    found.add(documents, request.since)
    return found


def parse_search_feed(body: bytes, url: str, headers: dict[str, str]) -> list[Document]:
    feed = parse_feed(body, url, headers)
    return [_document(entry) for entry in feed.entries if entry.link or entry.guid]


def _document(entry: FeedEntry) -> Document:
    real = unwrap_link(entry.link) if entry.link else None
    unwrapped = dataclasses.replace(entry, link=real, title=html_to_text(entry.title),
                                    guid=canonical_url(real) if real else entry.guid)
    return post_document(unwrapped)


def unwrap_link(link: str) -> str:
    """The result's own URL when ``link`` is a search engine's click-through redirect."""
    parts = urlsplit(link)
    host = (parts.hostname or "").lower()
    if (host.startswith(("www.google.", "google.")) and parts.path == "/url") or (
        host.endswith("bing.com") and "apiclick" in parts.path
    ):
        query = parse_qs(parts.query)
        for name in REDIRECT_PARAMS:
            target = (query.get(name) or [""])[0]
            if target.startswith(("http://", "https://")):
                return target
    return link
