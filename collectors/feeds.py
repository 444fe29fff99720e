"""RSS 0.9x/1.0/2.0 and Atom feeds: bytes in, plain entries and Documents out. No I/O.

feedparser does the format work. It is given the bytes we fetched (never a URL or a
string, which it would open or fetch itself) plus the response headers, so its charset
rules (HTTP header vs XML declaration vs BOM) apply. Its HTML sanitiser is off: we keep no
HTML, only the text we extract from it, so sanitising would be wasted work.

Comment feeds follow two platform conventions:
- WordPress: items link to ``{post}#comment-{id}``, GUIDs are ``{post guid}#comment-{id}``,
  and replies open with "In reply to <a href=…#comment-{parent}>…</a>."
- Blogger: ``thr:in-reply-to ref`` names the post, ``link rel='related'`` the parent comment.
"""

from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urljoin

import feedparser
from selectolax.lexbor import LexborHTMLParser, LexborNode

from collectors.dates import from_struct_time
from collectors.document import Document
from collectors.errors import ParseError
from collectors.fastfeed import parse_rss
from collectors.text import html_to_text, node_text, normalise_space
from collectors.urls import canonical_url, comment_url

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5"
)
WP_COMMENT_ANCHOR = re.compile(r"#comment-(\d+)$")
COMMENT_PAGE_SEGMENT = re.compile(r"/comment-page-\d+/?$")
EXCERPT_MARKERS = re.compile(
    r"appeared first on|continue reading|read more|\[(?:…|&#8230;|\.\.\.)\]|(?:…|\.\.\.)\s*$",
    re.IGNORECASE,
)
APPEARED_FIRST = re.compile(r"\n?The post .{1,300}? appeared first on .{1,200}?\.?$", re.DOTALL)
# Entity declarations are how XML bombs (billion laughs, quadratic blow-up) and external
# entity reads work; real feeds do not declare entities, so any declaration is refused.
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
LONG_SUMMARY_CHARS = 1500


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item/entry with the fields the collectors use, already resolved to absolute URLs."""

    guid: str | None
    link: str | None
    title: str
    content_html: str  # content:encoded / Atom content; "" when absent
    summary_html: str  # description / summary
    author: str | None
    published_at: datetime | None
    comments_feed: str | None  # wfw:commentRss or Atom link rel="replies" to a feed
    comment_count: int | None  # slash:comments or thr:total
    in_reply_to_ref: str | None  # thr:in-reply-to ref (Blogger: the post's entry id)
    in_reply_to_href: str | None  # thr:in-reply-to href (the post's page)
    related_href: str | None  # Blogger: the parent comment's entry URL
    self_href: str | None
    # A post's plain text, extracted where the feed is parsed (a worker process, for large
    # feeds) rather than on the event loop; None for comments, whose text is read apart.
    text: str | None = None

    @property
    def is_comment(self) -> bool:
        """Whether this entry is a comment (WordPress or Blogger comment feed conventions)."""
        if self.in_reply_to_ref or self.in_reply_to_href:
            return True
        return any(v and WP_COMMENT_ANCHOR.search(v) for v in (self.guid, self.link))


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    url: str
    title: str
    link: str | None
    entries: tuple[FeedEntry, ...]
    warning: str | None = None  # feedparser recovered from a problem (bad charset, bad XML)
    next_url: str | None = None  # <link rel="next">: the next page (Blogger's start-index)


def parse_feed(
    body: bytes, url: str, headers: Mapping[str, str], *, fast_path: bool = True
) -> ParsedFeed:
    """Parse a fetched feed body; raise ParseError when it is not a usable feed.

    Plain RSS 2.0 is read by ``collectors.fastfeed`` when it can give exactly what
    feedparser gives (``fast_path=False``: always feedparser, for comparisons)."""
    refuse_entity_declarations(body, url)
    response_headers = {**{k.lower(): v for k, v in headers.items()}, "content-location": url}
    fast = parse_rss(body, url, response_headers) if fast_path else None
    if fast is not None:
        return _parsed_feed(url, fast[0], fast[1], None)
    return _parse_with_feedparser(body, url, response_headers)


def _parse_with_feedparser(body: bytes, url: str, response_headers: dict[str, str]) -> ParsedFeed:
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers=response_headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    problem = _bozo_reason(parsed)
    if not parsed.entries and (problem or not parsed.get("version")):
        raise ParseError(url, f"not a usable feed: {problem or 'no RSS or Atom root element'}")
    return _parsed_feed(url, parsed.get("feed", {}), parsed.entries, problem)


def _parsed_feed(url: str, feed: Any, entries: Sequence[Any], problem: str | None) -> ParsedFeed:
    """A ParsedFeed from feedparser's ``feed`` and ``entries`` (or the fast path's same)."""
    return ParsedFeed(
        url=url,
        title=normalise_space(str(feed.get("title") or "")),
        link=_absolute(url, feed.get("link")),
        entries=tuple(_entry(url, raw) for raw in entries),
        warning=f"feed parsed with recovery: {problem}" if problem else None,
        next_url=_link(url, feed, "next"),
    )


def refuse_entity_declarations(body: bytes, url: str) -> None:
    for encoded in (body, _utf16_view(body)):
        # The whole body: padding before the DOCTYPE must not hide a declaration.
        if encoded and ENTITY_DECLARATION.search(encoded):
            raise ParseError(url, "feed declares XML entities; refused (entity expansion attack?)")


def _utf16_view(body: bytes) -> bytes:
    """A UTF-16 body seen as ASCII-ish bytes, so the entity check also covers it."""
    if body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:4] in (b"<\0?\0", b"\0<\0?"):
        return body.replace(b"\0", b"")
    return b""


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed"


def _entry(url: str, raw: Any) -> FeedEntry:
    reply_to = raw.get("thr_in-reply-to") or {}
    entry = FeedEntry(
        guid=(str(raw.get("id") or "").strip() or None),
        link=_absolute(url, raw.get("link")),
        title=normalise_space(str(raw.get("title") or "")),
        content_html=_content_html(raw),
        summary_html=str(raw.get("summary") or ""),
        author=_author(raw),
        published_at=_published(raw),
        comments_feed=_absolute(url, raw.get("wfw_commentrss")) or _link(url, raw, "replies"),
        comment_count=_int(raw.get("slash_comments") or raw.get("thr_total")),
        in_reply_to_ref=(str(reply_to.get("ref") or "").strip() or None),
        in_reply_to_href=_absolute(url, reply_to.get("href")),
        related_href=_link(url, raw, "related"),
        self_href=_link(url, raw, "self"),
    )
    return entry if entry.is_comment else dataclasses.replace(entry, text=_plain_text(entry))


def _published(raw: Any) -> datetime | None:
    # dict.get: FeedParserDict.get maps missing keys to others (with a deprecation warning).
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        found = from_struct_time(dict.get(raw, key))
        if found is not None:
            return found
    return None


def _content_html(raw: Any) -> str:
    parts: Sequence[Any] = raw.get("content") or ()
    values = [str(part.get("value") or "") for part in parts]
    return max(values, key=len, default="")


def _author(raw: Any) -> str | None:
    detail = raw.get("author_detail") or {}
    name = str(detail.get("name") or raw.get("author") or "").strip()
    return normalise_space(name) or None


def _link(url: str, raw: Any, rel: str) -> str | None:
    for link in raw.get("links") or ():
        kind = str(link.get("type") or "")
        if link.get("rel") == rel and (rel != "replies" or "xml" in kind):
            return _absolute(url, link.get("href"))
    return None


def _absolute(base: str, href: object) -> str | None:
    text = str(href or "").strip()
    return urljoin(base, text) if text else None


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip()) if value is not None else None
    except ValueError:
        return None


# --- entries to Documents ---------------------------------------------------------------


def post_key(entry: FeedEntry) -> str:
    """GUID when there is one, otherwise the canonical link."""
    if entry.guid:
        return entry.guid
    if entry.link:
        return canonical_url(entry.link)
    raise ValueError("entry has neither guid nor link")


def entry_text(entry: FeedEntry) -> str:
    """Plain text of the fullest body the entry carries, without WordPress's footer line."""
    return entry.text if entry.text is not None else _plain_text(entry)


def _plain_text(entry: FeedEntry) -> str:
    text = html_to_text(entry.content_html or entry.summary_html)
    return APPEARED_FIRST.sub("", text).strip()


def is_excerpt(entry: FeedEntry) -> bool:
    """True when the feed carries only a teaser and the page should be read for the text."""
    if entry.content_html.strip():
        return False
    summary = entry.summary_html.strip()
    if EXCERPT_MARKERS.search(summary):
        return True
    return len(html_to_text(summary)) < LONG_SUMMARY_CHARS


def post_document(entry: FeedEntry, *, text: str | None = None) -> Document:
    """The post Document of a feed entry; ``text`` overrides the feed's (e.g. from the page)."""
    url = canonical_url(entry.link) if entry.link else post_key(entry)
    engagement = {"comments": entry.comment_count} if entry.comment_count is not None else {}
    return Document(
        key=post_key(entry),
        url=url,
        kind="post",
        title=entry.title,
        text=text if text is not None else entry_text(entry),
        author=entry.author,
        published_at=entry.published_at,
        thread_url=url,
        thread_title=entry.title,
        engagement=engagement,
    )


@dataclass(frozen=True, slots=True)
class ThreadHint:
    """What the caller knows about the post a comment feed belongs to."""

    post_key: str | None = None
    thread_url: str | None = None
    thread_title: str = ""


def comment_documents(feed: ParsedFeed, hint: ThreadHint | None = None) -> list[Document]:
    """Comment Documents for the comment entries of ``feed`` (per-post or site-wide)."""
    hint = hint or ThreadHint()
    by_self = {e.self_href: e for e in feed.entries if e.self_href}
    documents = []
    for entry in feed.entries:
        if entry.guid or entry.link:
            documents.append(_comment_document(entry, feed, hint, by_self))
    return documents


def _comment_document(
    entry: FeedEntry, feed: ParsedFeed, hint: ThreadHint, by_self: Mapping[str, FeedEntry]
) -> Document:
    reply_to_id, text = comment_body(entry.content_html or entry.summary_html)
    thread_url = _thread_url(entry, hint)
    post = _post_key_of_comment(entry, hint, thread_url)
    parent = _parent_comment_key(entry, by_self, reply_to_id, thread_url) or post
    return Document(
        key=comment_key(entry),
        url=_comment_own_url(entry),
        kind="comment",
        title="",
        text=text,
        author=entry.author,
        published_at=entry.published_at,
        thread_url=thread_url,
        thread_title=hint.thread_title or _thread_title(feed, entry),
        parent_key=parent,
    )


def comment_key(entry: FeedEntry) -> str:
    """WordPress comments: the canonical ``{post}#comment-{id}`` URL, the same in per-post
    feeds, the site-wide feed and the page's HTML. Others: the entry id, else the link."""
    wp_id = _wp_comment_id(entry)
    if wp_id is not None and entry.link:
        return comment_url(_post_page(entry.link), wp_id)
    return post_key(entry)


def _comment_own_url(entry: FeedEntry) -> str:
    wp_id = _wp_comment_id(entry)
    if wp_id is not None and entry.link:
        return comment_url(_post_page(entry.link), wp_id)
    return canonical_url(entry.link) if entry.link else post_key(entry)


def _wp_comment_id(entry: FeedEntry) -> str | None:
    for value in (entry.link, entry.guid):
        found = WP_COMMENT_ANCHOR.search(value or "")
        if found:
            return found.group(1)
    return None


def _post_page(link: str) -> str:
    """The post URL a comment link points into, without WordPress's comment paging."""
    page = urldefrag(link)[0]
    return COMMENT_PAGE_SEGMENT.sub("/", page)


def _thread_url(entry: FeedEntry, hint: ThreadHint) -> str | None:
    if entry.in_reply_to_href:
        return canonical_url(entry.in_reply_to_href)
    if _wp_comment_id(entry) is not None and entry.link:
        return canonical_url(_post_page(entry.link))
    return canonical_url(hint.thread_url) if hint.thread_url else None


def _post_key_of_comment(entry: FeedEntry, hint: ThreadHint, thread_url: str | None) -> str | None:
    if entry.in_reply_to_ref:
        return entry.in_reply_to_ref
    if hint.post_key:
        return hint.post_key
    if entry.guid and WP_COMMENT_ANCHOR.search(entry.guid):
        return WP_COMMENT_ANCHOR.sub("", entry.guid)
    return thread_url


def _parent_comment_key(
    entry: FeedEntry,
    by_self: Mapping[str, FeedEntry],
    reply_to_id: str | None,
    thread_url: str | None,
) -> str | None:
    if reply_to_id is not None and thread_url:
        return comment_url(thread_url, reply_to_id)
    if not entry.related_href:
        return None
    parent = by_self.get(entry.related_href)
    if parent is not None:
        return post_key(parent)
    return _blogger_sibling_id(entry, entry.related_href)


def _blogger_sibling_id(entry: FeedEntry, related_href: str) -> str | None:
    """Blogger entry id of the comment ``related_href`` points at, built from our own id."""
    own = entry.guid or ""
    parent_number = related_href.rstrip("/").rsplit("/", 1)[-1]
    if ".post-" not in own or not parent_number.isdigit():
        return None
    return own.rsplit(".post-", 1)[0] + ".post-" + parent_number


def _thread_title(feed: ParsedFeed, entry: FeedEntry) -> str:
    for prefix in ("Comments on: ", "Comments on "):
        if feed.title.startswith(prefix):
            title = feed.title.removeprefix(prefix)
            return title.split(": ", 1)[1] if prefix == "Comments on " and ": " in title else title
    suffix = f" by {entry.author}" if entry.author else ""
    if entry.title.startswith("Comment on ") and suffix and entry.title.endswith(suffix):
        return entry.title.removeprefix("Comment on ").removesuffix(suffix)
    return ""


def comment_body(html: str) -> tuple[str | None, str]:
    """(id of the comment replied to, plain text) of a comment's HTML.

    WordPress comment feeds open a reply with a paragraph "In reply to <a href=…#comment-N>
    Name</a>." (translated on non-English sites): it names the parent and is not the text.
    """
    if "#comment-" not in html[:800]:
        return None, html_to_text(html)
    body = LexborHTMLParser(html).body
    if body is None:
        return None, ""
    first = body.css_first("p")
    reply_to = _reply_marker_target(first) if first is not None else None
    if first is not None and reply_to is not None:
        first.decompose()
    return reply_to, node_text(body)


def _reply_marker_target(paragraph: LexborNode) -> str | None:
    links = paragraph.css("a[href]")
    if len(links) != 1:
        return None
    text, name = paragraph.text(strip=False).strip(), links[0].text().strip()
    if not text.endswith(name + ".") or len(text) - len(name) > 60:
        return None
    found = WP_COMMENT_ANCHOR.search(str(links[0].attributes.get("href") or ""))
    return found.group(1) if found else None
