"""Source kind "blog": an HTML site, read through its feed when it advertises one, else
through its sitemaps and the links of its start page, one article page at a time.

Pages robots.txt disallows are never requested (with a fetcher that knows robots.txt they
are filtered before fetching; with any fetcher a RobotsDisallowed is skipped quietly).
A page that fails is a warning; only a failure of the start page fails the source.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from courlan import is_navigation_page, is_not_crawlable
from selectolax.lexbor import LexborHTMLParser

from collectors.articles import read_page_meta
from collectors.comment_systems import collect_embedded_comments
from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, RobotsDisallowed
from collectors.feeds import FEED_ACCEPT
from collectors.fetching import Fetcher, Response
from collectors.pages import HTML_ACCEPT, read_article_page, read_page_comments
from collectors.parsing import run_parser
from collectors.registry import KindInfo, OptionField
from collectors.robots import origin_of
from collectors.rss import DEFAULT_MAX_PAGES, Harvest, harvest_feed, load_feed
from collectors.sitemaps import Sitemap, SitemapEntry, parse_sitemap
from collectors.urls import absolute_http_url, canonical_url, is_same_site, page_url

KIND = KindInfo(
    name="blog", display_name="Blog", url_help="a site's start page",
    options=(OptionField("max_pages", "article pages fetched per pass", integer=True,
                         minimum=0),),
    thread_kinds=("rss", "blog"), order=20,
)

SITEMAP_ACCEPT = "application/xml, text/xml;q=0.9, */*;q=0.5"
MAX_SITEMAPS = 10
CONTENT_AREAS = "main, article, #content, #main, .content, .posts, .hfeed"
CHROME = "nav, header, footer, aside, .sidebar, .widget-area, #sidebar"
ASSET_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".pdf", ".zip", ".css", ".js")
_EPOCH = datetime.min.replace(tzinfo=UTC)


@runtime_checkable
class SiteAwareFetcher(Protocol):
    """What HttpFetcher adds to the Fetcher protocol: robots.txt answers without a fetch."""

    async def allows(self, url: str) -> bool: ...

    async def sitemaps_for(self, site_url: str) -> list[str]: ...


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """One pass over the blog at ``spec.url``; options: ``max_pages`` (article fetches)."""
    # The start page's validators stand for the whole site: it changes whenever a post
    # is published, and an unchanged start page saves the feed or crawl entirely.
    start = await fetcher.fetch(spec.url, state=state, accept=HTML_ACCEPT)
    if start.not_modified:
        return CollectResult([], start.state, start.status)
    max_pages = _max_pages(spec)
    meta = await run_parser(start.url, len(start.body), read_page_meta, start.body, start.url)
    harvest = Harvest()
    feed_url = _site_feed(meta.feeds)
    if feed_url is not None:
        try:
            feed = await load_feed(await fetcher.fetch(feed_url, accept=FEED_ACCEPT))
            return (await harvest_feed(fetcher, feed, max_pages=max_pages)).result(start)
        except CollectorError as exc:
            harvest.warnings.append(f"advertised feed not usable, crawling pages instead: {exc}")
    pages = await discover_pages(fetcher, start, harvest.warnings)
    await _read_pages(fetcher, pages, max_pages, harvest)
    return harvest.result(start)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """Comments of one article page (HTML), anchored on ``ref.thread_url``."""
    response = await fetcher.fetch(ref.url, state=state, accept=HTML_ACCEPT)
    if response.not_modified:
        return CollectResult([], response.state, response.status)
    post_key = ref.parent_key or canonical_url(ref.thread_url)
    documents = await run_parser(
        response.url,
        len(response.body),
        read_page_comments,
        response.body,
        ref.thread_url,
        post_key,
        ref.thread_title,
    )
    warnings: list[str] = []
    if not documents:  # comments loaded by script, or only through the REST API
        page = canonical_url(page_url(ref.thread_url))
        documents, warnings = await collect_embedded_comments(
            fetcher, response.body, page, post_key, ref.thread_title)
    return CollectResult(documents, response.state, response.status, warnings=warnings)


# --- discovering article pages -----------------------------------------------------------


async def discover_pages(fetcher: Fetcher, start: Response, warnings: list[str]) -> list[str]:
    """Candidate article URLs: sitemap pages (newest first), then start-page links."""
    from_sitemaps = await _sitemap_pages(fetcher, start.url, warnings)
    from_links = await run_parser(start.url, len(start.body), start_page_links, start.body,
                                  start.url)
    candidates = [u for u in (*from_sitemaps, *from_links) if _is_article_candidate(u, start.url)]
    unique = list(dict.fromkeys(canonical_url(page_url(u)) for u in candidates))
    start_key = canonical_url(start.url)
    return [u for u in unique if u != start_key and await _allowed(fetcher, u)]


def start_page_links(html: bytes, url: str) -> list[str]:
    """Links of the start page's content area (or its body minus navigation chrome)."""
    tree = LexborHTMLParser(html)
    areas = tree.css(CONTENT_AREAS)
    if not areas and tree.body is not None:
        for chrome in tree.body.css(CHROME):
            chrome.decompose()
        areas = [tree.body]
    links: list[str] = []
    for area in areas:
        for anchor in area.css("a[href]"):
            href = absolute_http_url(url, anchor.attributes.get("href"))
            if href:
                links.append(href)
    return links


async def _sitemap_pages(fetcher: Fetcher, site_url: str, warnings: list[str]) -> list[str]:
    queue = await _sitemap_urls(fetcher, site_url)
    seen: set[str] = set()
    pages: list[SitemapEntry] = []
    while queue and len(seen) < MAX_SITEMAPS:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        sitemap = await _load_sitemap(fetcher, url, warnings)
        if sitemap is not None and sitemap.is_index:
            queue.extend(e.loc for e in sitemap.entries)
        elif sitemap is not None:
            pages.extend(sitemap.entries)
    pages.sort(key=lambda e: e.lastmod or _EPOCH, reverse=True)
    return [e.loc for e in pages]


async def _sitemap_urls(fetcher: Fetcher, site_url: str) -> list[str]:
    """Sitemaps named in robots.txt, else the conventional /sitemap.xml."""
    listed: list[str] = []
    if isinstance(fetcher, SiteAwareFetcher):
        listed = await fetcher.sitemaps_for(site_url)
    else:
        listed = await _sitemaps_from_robots(fetcher, site_url)
    return listed or [origin_of(site_url) + "/sitemap.xml"]


async def _sitemaps_from_robots(fetcher: Fetcher, site_url: str) -> list[str]:
    try:
        response = await fetcher.fetch(origin_of(site_url) + "/robots.txt", accept="text/plain")
    except CollectorError:
        return []
    lines = response.body.decode("utf-8", errors="replace").splitlines()
    return [line.split(":", 1)[1].strip() for line in lines if line.lower().startswith("sitemap:")]


async def _load_sitemap(fetcher: Fetcher, url: str, warnings: list[str]) -> Sitemap | None:
    try:
        response = await fetcher.fetch(url, accept=SITEMAP_ACCEPT)
        return await run_parser(url, len(response.body), parse_sitemap, response.body, url)
    except CollectorError as exc:
        warnings.append(f"sitemap skipped: {exc}")
        return None


def _is_article_candidate(url: str, start_url: str) -> bool:
    if not is_same_site(url, start_url):
        return False
    path = url.split("?", 1)[0].lower()
    if path.endswith(ASSET_SUFFIXES):
        return False
    return not (is_navigation_page(url) or is_not_crawlable(url))


async def _allowed(fetcher: Fetcher, url: str) -> bool:
    return await fetcher.allows(url) if isinstance(fetcher, SiteAwareFetcher) else True


# --- reading article pages ---------------------------------------------------------------


async def _read_pages(fetcher: Fetcher, pages: list[str], max_pages: int, harvest: Harvest) -> None:
    if len(pages) > max_pages:
        harvest.warnings.append(f"{len(pages) - max_pages} more pages left for a later pass")
    results = await asyncio.gather(*(_read_page(fetcher, url) for url in pages[:max_pages]))
    for documents, warning in results:
        harvest.documents.extend(documents)
        harvest.threads.extend(_thread_of(d) for d in documents if d.kind == "post")
        if warning:
            harvest.warnings.append(warning)


async def _read_page(fetcher: Fetcher, url: str) -> tuple[list[Document], str | None]:
    try:
        response = await fetcher.fetch(url, accept=HTML_ACCEPT)
        body, final_url = response.body, response.url
        found = await run_parser(url, len(body), read_article_page, body, final_url)
    except RobotsDisallowed:
        return [], None
    except CollectorError as exc:
        return [], f"page skipped: {exc}"
    if found.post is None:
        return [], None
    return [found.post, *found.comments], None


def _thread_of(post: Document) -> ThreadRef:
    return ThreadRef(post.url, "blog", post.url, post.title, post.key)


def _site_feed(feeds: Iterable[str]) -> str | None:
    """The site's post feed: the first advertised feed that is not a comment feed."""
    return next((f for f in feeds if "comment" not in f.lower()), None)


def _max_pages(spec: SourceSpec) -> int:
    value = spec.options.get("max_pages", "")
    return int(value) if value.isdigit() else DEFAULT_MAX_PAGES
