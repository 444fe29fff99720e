"""The main text and metadata of an article page.

trafilatura finds the main content and leaves out navigation, sidebars (blogrolls, "related
posts"), footers, comment sections and forms, so a brand named only in a sidebar does not
become a mention in the post. Metadata comes from the page's own declarations first
(``link rel=canonical``, ``article:published_time``, ``<time datetime>``), which are more
precise than trafilatura's (its dates have no time of day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from collectors.dates import parse_iso
from collectors.text import normalise_space
from collectors.urls import absolute_http_url, canonical_url

PUBLISHED_SELECTORS = (
    ('meta[property="article:published_time"]', "content"),
    ('meta[itemprop="datePublished"]', "content"),
    ("time.published[datetime]", "datetime"),
    ("time.entry-date[datetime]", "datetime"),
    ("article time[datetime]", "datetime"),
    ("time[datetime]", "datetime"),
)
AUTHOR_SELECTORS = (
    ('meta[name="author"]', "content"),
    ('meta[property="article:author"]', "content"),
)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True, slots=True)
class Article:
    url: str  # canonical URL (the page's rel=canonical when it declares one)
    title: str
    text: str
    author: str | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class PageMeta:
    """What the page declares about itself in its head and markup."""

    canonical: str | None
    title: str
    author: str | None
    published_at: datetime | None
    feeds: tuple[str, ...]  # link rel=alternate feeds, in page order
    generator: str | None


def extract_article(html: bytes | str, url: str) -> Article | None:
    """Main text and metadata of the page at ``url``; None when it has no main text."""
    meta = read_page_meta(html, url)
    import trafilatura  # loaded on first use: listing the source kinds must stay cheap

    found = trafilatura.bare_extraction(
        html,
        url=url,
        include_comments=False,
        include_tables=True,
        favor_precision=True,
        with_metadata=True,
    )
    text = normalise_space(str(getattr(found, "text", "") or "")) if found is not None else ""
    if not text:
        return None
    title = meta.title or normalise_space(str(getattr(found, "title", "") or ""))
    return Article(
        url=meta.canonical or canonical_url(url),
        title=title,
        text=_without_leading_title(text, title),
        author=meta.author or _str_or_none(getattr(found, "author", None)),
        published_at=meta.published_at or parse_iso(getattr(found, "date", None)),
    )


def read_page_meta(html: bytes | str, url: str) -> PageMeta:
    """Canonical URL, title, author, date, advertised feeds and generator of a page."""
    tree = LexborHTMLParser(html)
    canonical = _attr(tree, 'link[rel="canonical"]', "href")
    return PageMeta(
        canonical=canonical_url(absolute_http_url(url, canonical) or url) if canonical else None,
        title=_title(tree),
        author=_first_attr(tree, AUTHOR_SELECTORS),
        published_at=parse_iso(_first_attr(tree, PUBLISHED_SELECTORS)),
        feeds=_feeds(tree, url),
        generator=_attr(tree, 'meta[name="generator"]', "content"),
    )


def _title(tree: LexborHTMLParser) -> str:
    for selector in ('meta[property="og:title"]', "h1.entry-title", "article h1"):
        node = tree.css_first(selector)
        if node is not None:
            value = node.attributes.get("content") if node.tag == "meta" else node.text()
            if value and value.strip():
                return normalise_space(value)
    node = tree.css_first("title")
    return normalise_space(node.text()) if node is not None else ""


def _feeds(tree: LexborHTMLParser, url: str) -> tuple[str, ...]:
    found: list[str] = []
    for link in tree.css('link[rel~="alternate"][href]'):
        kind = (link.attributes.get("type") or "").split(";")[0].strip().lower()
        href = absolute_http_url(url, link.attributes.get("href"))
        if kind in FEED_TYPES and href and href not in found:
            found.append(href)
    return tuple(found)


def _first_attr(tree: LexborHTMLParser, selectors: tuple[tuple[str, str], ...]) -> str | None:
    for selector, attribute in selectors:
        value = _attr(tree, selector, attribute)
        if value:
            return value
    return None


def _attr(tree: LexborHTMLParser, selector: str, attribute: str) -> str | None:
    node = tree.css_first(selector)
    value = node.attributes.get(attribute) if node is not None else None
    return value.strip() if value and value.strip() else None


def _without_leading_title(text: str, title: str) -> str:
    first, _, rest = text.partition("\n")
    return rest if title and first.strip() == title and rest else text


def _str_or_none(value: object) -> str | None:
    text = normalise_space(str(value or ""))
    return text or None
