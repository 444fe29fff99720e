"""Comments a page loads from elsewhere: a Disqus thread embedded in it, or WordPress's
REST API when the theme shows no comments and the feed of comments is switched off.

``find_comment_systems`` reads the page (pure); ``collect_embedded_comments`` fetches what
it found. Disqus's public embed (``disqus.com/embed/comments/?f=SHORTNAME&t_i=ID&t_u=URL``)
carries the thread's first page of posts as JSON in ``<script id="disqus-threadData">``.
WordPress answers ``/wp-json/wp/v2/comments?post=ID`` 100 at a time, with the page count in
``X-WP-TotalPages``. WordPress comments get the keys the page's own markup would give them
(``{page}#comment-{id}``), so a comment seen both ways is stored once.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urljoin

from selectolax.lexbor import LexborHTMLParser

from collectors.dates import parse_iso
from collectors.document import Document
from collectors.errors import CollectorError, ParseError
from collectors.fetching import Fetcher
from collectors.jsonbody import describe_error, load_json
from collectors.text import html_to_text

DISQUS_EMBED = "https://disqus.com/embed/comments/"
_DISQUS_SCRIPT = re.compile(r"//([a-z0-9][a-z0-9-]*)\.disqus\.com/embed\.js", re.IGNORECASE)
_DISQUS_IDENTIFIER = re.compile(
    r"(?:page\.identifier|disqus_identifier)\s*=\s*['\"]([^'\"]{1,300})['\"]")
_DISQUS_URL = re.compile(r"(?:page\.url|disqus_url)\s*=\s*['\"](https?://[^'\"]{1,2000})['\"]")
_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)")
_POSTID_CLASS = re.compile(r"\bpostid-(\d+)\b")
_REST_POST = re.compile(r"/wp/v2/(?:posts|pages)/(\d+)")
WP_PAGE_SIZE = 100
WP_MAX_PAGES = 10
ACCEPT_JSON = "application/json"


@dataclass(frozen=True, slots=True)
class DisqusThread:
    shortname: str
    identifier: str | None
    url: str

    def embed_url(self, embed_base: str = DISQUS_EMBED) -> str:
        query = {"base": "default", "f": self.shortname, "t_u": self.url, "s_o": "default"}
        if self.identifier:
            query["t_i"] = self.identifier
        return f"{embed_base}?{urlencode(query)}"


@dataclass(frozen=True, slots=True)
class WordPressThread:
    api_root: str  # …/wp-json/
    post_id: int

    def comments_url(self, page: int) -> str:
        query = {"post": self.post_id, "per_page": WP_PAGE_SIZE, "page": page,
                 "orderby": "date", "order": "asc"}
        return f"{self.api_root.rstrip('/')}/wp/v2/comments?{urlencode(query)}"


CommentSystem = DisqusThread | WordPressThread


def find_comment_systems(html: bytes | str, page: str) -> list[CommentSystem]:
    """Disqus embeds and the WordPress REST API the page advertises."""
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else html
    found: list[CommentSystem] = []
    shortname = _DISQUS_SCRIPT.search(text)
    if shortname:
        identifier = _DISQUS_IDENTIFIER.search(text)
        url = _DISQUS_URL.search(text)
        found.append(DisqusThread(shortname.group(1).lower(),
                                  identifier.group(1) if identifier else None,
                                  url.group(1) if url else page))
    wordpress = _wordpress(LexborHTMLParser(text), page)
    if wordpress is not None:
        found.append(wordpress)
    return found


def _wordpress(tree: LexborHTMLParser, page: str) -> WordPressThread | None:
    api = tree.css_first('link[rel="https://api.w.org/"]')
    if api is None or not api.attributes.get("href"):
        return None
    post_id = None
    for link in tree.css('link[rel="shortlink"], link[rel="alternate"][type="application/json"]'):
        href = link.attributes.get("href") or ""
        match = _SHORTLINK_ID.search(href) or _REST_POST.search(href)
        post_id = post_id or (match.group(1) if match else None)
    body = tree.body
    if post_id is None and body is not None:
        match = _POSTID_CLASS.search(body.attributes.get("class") or "")
        post_id = match.group(1) if match else None
    if post_id is None:
        return None
    return WordPressThread(urljoin(page, api.attributes["href"] or ""), int(post_id))


async def collect_embedded_comments(
    fetcher: Fetcher, html: bytes, page: str, post_key: str, title: str,
    *, disqus_embed: str = DISQUS_EMBED,
) -> tuple[list[Document], list[str]]:
    """Comments from the systems the page uses; a failing one is a warning.

    ``disqus_embed`` is Disqus's embed endpoint (another base serves tests on loopback)."""
    documents: list[Document] = []
    warnings: list[str] = []
    for system in find_comment_systems(html, page):
        try:
            if isinstance(system, DisqusThread):
                response = await fetcher.fetch(system.embed_url(disqus_embed))
                documents += parse_disqus_embed(response.body, response.url, page, post_key,
                                                title)
            else:
                documents += await _wordpress_comments(fetcher, system, page, post_key, title)
        except CollectorError as exc:
            warnings.append(f"comments of {page} not read from {type(system).__name__}: {exc}")
    return documents, warnings


async def _wordpress_comments(
    fetcher: Fetcher, thread: WordPressThread, page: str, post_key: str, title: str
) -> list[Document]:
    documents: list[Document] = []
    for number in range(1, WP_MAX_PAGES + 1):
        response = await fetcher.fetch(thread.comments_url(number), accept=ACCEPT_JSON)
        documents += parse_wordpress_comments(response.body, response.url, page, post_key,
                                              title)
        if number >= _int(response.headers.get("x-wp-totalpages"), 1):
            break
    return documents


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.strip().isdigit() else default


def parse_wordpress_comments(
    body: bytes, url: str, page: str, post_key: str, title: str
) -> list[Document]:
    data = load_json(body, url)
    try:
        if not isinstance(data, list):
            raise TypeError(f"expected a list of comments, got {type(data).__name__}")
        return [d for item in data if (d := _wp_document(item, page, post_key, title))]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not WordPress comments ({describe_error(exc)})") from exc


def _wp_document(item: Mapping[str, Any], page: str, post_key: str, title: str
                 ) -> Document | None:
    if item.get("type", "comment") not in ("comment", "") or item.get("status", "approved") != (
        "approved"
    ):
        return None  # pingbacks, trackbacks, anything not published
    text = html_to_text(str((item.get("content") or {}).get("rendered") or ""))
    if not text:
        return None
    url = f"{page}#comment-{int(item['id'])}"
    parent = int(item.get("parent") or 0)
    return Document(
        key=url, url=url, kind="comment", title="", text=text,
        author=str(item.get("author_name") or "") or None,
        published_at=parse_iso(_utc(item.get("date_gmt"))),
        thread_url=page, thread_title=title,
        parent_key=f"{page}#comment-{parent}" if parent else post_key,
    )


def _utc(value: object) -> str | None:
    # WordPress writes date_gmt without an offset.
    return f"{value}Z" if isinstance(value, str) and value and value[-1].isdigit() else None


def parse_disqus_embed(
    body: bytes, url: str, page: str, post_key: str, title: str
) -> list[Document]:
    tree = LexborHTMLParser(body)
    script = tree.css_first("script#disqus-threadData")
    if script is None:
        raise ParseError(url, "no disqus-threadData in the Disqus embed page")
    try:
        data = json.loads(html_lib.unescape(script.text()) if "&quot;" in script.text()
                          else script.text())
        posts = data["response"]["posts"]
        by_id = {str(p["id"]): p for p in posts}
        return [d for post in posts if (d := _disqus_document(post, by_id, page, post_key,
                                                               title))]
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise ParseError(url, f"not Disqus thread data ({describe_error(exc)})") from exc


def _disqus_document(post: Mapping[str, Any], by_id: Mapping[str, Any], page: str,
                     post_key: str, title: str) -> Document | None:
    if post.get("isDeleted") or post.get("isSpam"):
        return None
    text = html_to_text(str(post.get("message") or ""))
    if not text:
        return None
    parent = str(post.get("parent") or "")
    author = post.get("author") or {}
    return Document(
        key=f"disqus:{post['id']}", url=f"{page}#comment-{post['id']}", kind="comment",
        title="", text=text, author=str(author.get("name") or "") or None,
        published_at=parse_iso(_utc(post.get("createdAt"))),
        thread_url=page, thread_title=title,
        parent_key=f"disqus:{parent}" if parent in by_id else post_key,
        engagement={"likes": int(post["likes"])} if isinstance(post.get("likes"), int) else {},
    )
