"""Reddit threads and subreddit listings through the public ``.json`` views.

A thread is ``[Listing(t3), Listing(t1…)]`` with replies nested in each comment's
``replies`` (a Listing, or ``""`` when there are none). ``kind: "more"`` stubs stand for
comments the answer left out; they are skipped. Reddit counts requests per client and
says how many remain in ``X-Ratelimit-Remaining``; when none remain, a pass stops early
and leaves the other threads for the next one rather than sleeping here.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError, RateLimited
from collectors.fetching import Fetcher, Response
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.registry import KindInfo, OptionField
from collectors.text import html_to_text

KIND = KindInfo(
    name="reddit", display_name="Reddit", url_help="a thread or a listing (/r/sub/new.json)",
    options=(OptionField("base_url", "origin of public permalinks (a mirror, or a test server)"),),
    thread_kinds=("reddit",), hosts=("reddit.com", "redd.it"), order=40,
)

PUBLIC_BASE = "https://www.reddit.com"
ACCEPT_JSON = "application/json"
GONE_BODIES = frozenset({"[deleted]", "[removed]"})
_THREAD_PATH = re.compile(r"/comments/[a-z0-9]+", re.IGNORECASE)
_REDDIT_HOST = re.compile(r"(^|\.)reddit\.com$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Listing:
    """A subreddit listing: threads to follow, and the posts (t3) and comments (t1) in it."""

    threads: list[ThreadRef] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Reddit's request budget as the last response stated it."""

    remaining: float | None
    reset_s: float | None

    @property
    def exhausted(self) -> bool:
        return self.remaining is not None and self.remaining < 1


@dataclass(frozen=True, slots=True)
class _Where:
    """Where to fetch from and which origin public permalinks live on."""

    json_url: str
    origin: str
    public_base: str
    is_thread: bool


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """A thread (``…/comments/{id}/…``) or a listing (``/r/{sub}/new``) and its threads."""
    where = compute_location(spec.url, spec.options.get("base_url"))
    response = await fetcher.fetch(where.json_url, state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    if where.is_thread:
        documents = await run_parser(response.url, len(response.body), parse_thread,
                                     response.body, response.url, where.public_base)
        return CollectResult(documents, response.state, response.status)
    listing = await run_parser(response.url, len(response.body), parse_listing, response.body,
                               response.url, where.origin, where.public_base)
    fetched, warnings = await _collect_threads(fetcher, where, listing.threads, response)
    # A fetched thread's post replaces the listing's copy of it; threads the rate limit left
    # for later still contribute their post from the listing.
    by_key = {doc.key: doc for doc in [*listing.documents, *fetched]}
    return CollectResult(
        list(by_key.values()), response.state, response.status, listing.threads, warnings
    )


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """One thread; ``ref.url`` is its JSON URL and ``ref.thread_url`` its public permalink."""
    public = urlsplit(ref.thread_url)
    where = compute_location(ref.url, f"{public.scheme}://{public.netloc}")
    response = await fetcher.fetch(where.json_url, state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    documents = await run_parser(response.url, len(response.body), parse_thread,
                                 response.body, response.url, where.public_base)
    return CollectResult(documents, response.state, response.status)


async def _collect_threads(
    fetcher: Fetcher, where: _Where, refs: list[ThreadRef], listing: Response
) -> tuple[list[Document], list[str]]:
    """Fetch threads one by one while the rate limit lasts; a failing thread is a warning."""
    documents: list[Document] = []
    warnings: list[str] = []
    last = listing
    for done, ref in enumerate(refs):
        limit = compute_rate_limit(last.headers)
        if limit.exhausted:
            warnings.append(_rate_limit_warning(len(refs) - done, limit.reset_s))
            break
        try:
            last = await fetcher.fetch(ref.url, accept=ACCEPT_JSON)
            documents.extend(await run_parser(last.url, len(last.body), parse_thread,
                                              last.body, last.url, where.public_base))
        except RateLimited as exc:
            warnings.append(_rate_limit_warning(len(refs) - done, exc.retry_after_s))
            break
        except CollectorError as exc:
            warnings.append(f"thread {ref.thread_url} skipped: {exc}")
    return documents, warnings


def _rate_limit_warning(left: int, reset_s: float | None) -> str:
    when = "" if reset_s is None else f"; the limit resets in {reset_s:.0f} s"
    return f"Reddit rate limit reached: {left} thread(s) left for the next pass{when}"


def compute_rate_limit(headers: Mapping[str, str]) -> RateLimit:
    """Parse ``X-Ratelimit-Remaining``/``-Reset`` (lower-case keys); absent or odd → None."""
    return RateLimit(
        remaining=_float_or_none(headers.get("x-ratelimit-remaining")),
        reset_s=_float_or_none(headers.get("x-ratelimit-reset")),
    )


def _float_or_none(value: str | None) -> float | None:
    try:
        return None if value is None else float(value)
    except ValueError:
        return None


def compute_location(url: str, base_url: str | None = None) -> _Where:
    """JSON URL to fetch for ``url`` and the origin its permalinks are made absolute with.

    Permalinks on any reddit.com host point at www.reddit.com; ``base_url`` overrides that
    (a mirror, or a test server).
    """
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    json_path = path if path.endswith(".json") else f"{path}.json"
    origin = f"{parts.scheme}://{parts.netloc}"
    host = parts.hostname or ""
    public = base_url or (PUBLIC_BASE if _REDDIT_HOST.search(host) else origin)
    return _Where(
        json_url=urlunsplit((parts.scheme, parts.netloc, json_path, parts.query, "")),
        origin=origin,
        public_base=public.rstrip("/"),
        is_thread=_THREAD_PATH.search(path) is not None,
    )


def parse_thread(body: bytes, url: str, public_base: str = PUBLIC_BASE) -> list[Document]:
    """The post and every comment of a thread answer, post first, comments depth-first."""
    data = load_json(body, url)
    try:
        post_listing, comment_listing = data
        (post_child,) = post_listing["data"]["children"]
        post = _post_document(post_child["data"], public_base)
        comments = _walk_comments(comment_listing, post, post.key, public_base)
        return [post, *comments]
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        raise ParseError(url, f"not a Reddit thread ({describe_error(exc)})") from exc


def parse_listing(body: bytes, url: str, origin: str, public_base: str = PUBLIC_BASE) -> Listing:
    """Posts (t3) as Documents plus ThreadRefs on ``origin``; comments (t1) as Documents."""
    data = load_json(body, url)
    try:
        if data.get("kind") != "Listing":
            raise ValueError(f"kind is {data.get('kind')!r}, not 'Listing'")
        listing = Listing()
        for child in data["data"]["children"]:
            _add_listing_child(listing, child, origin, public_base)
        return listing
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Reddit listing ({describe_error(exc)})") from exc


def _add_listing_child(
    listing: Listing, child: Mapping[str, Any], origin: str, public_base: str
) -> None:
    item = child["data"]
    if child["kind"] == "t3":
        listing.threads.append(_thread_ref(item, origin, public_base))
        listing.documents.append(_post_document(item, public_base))
    elif child["kind"] == "t1" and _has_body(item):
        thread_url = str(item.get("link_permalink") or "") or None
        listing.documents.append(
            _comment_document(
                item,
                str(item["parent_id"]),
                public_base,
                thread_url,
                str(item.get("link_title") or "") or None,
            )
        )


def safe_permalink(value: object) -> str:
    """A permalink is a path on the listing's own site: anything that could change the host
    (``@other``, ``.other``, ``//other``, a scheme) is refused."""
    path = str(value)
    if not path.startswith("/") or path.startswith("//") or "@" in path or "\\" in path:
        raise ValueError(f"not a site-relative permalink: {path[:80]!r}")
    return path


def _thread_ref(item: Mapping[str, Any], origin: str, public_base: str) -> ThreadRef:
    permalink = safe_permalink(item["permalink"]).rstrip("/")
    return ThreadRef(
        url=f"{origin}{permalink}.json",
        kind="reddit",
        thread_url=f"{public_base}{permalink}/",
        thread_title=str(item.get("title") or ""),
        parent_key=str(item["name"]),
    )


def _walk_comments(
    listing: Any, post: Document, ancestor: str, public_base: str
) -> Iterator[Document]:
    """Depth-first; a deleted comment's replies hang under its nearest kept ancestor."""
    if not listing:  # Reddit sends "" instead of an empty Listing
        return
    for child in listing["data"]["children"]:
        if child["kind"] != "t1":  # "more" stubs
            continue
        item = child["data"]
        parent_of_replies = ancestor
        if _has_body(item):
            document = _comment_document(item, ancestor, public_base, post.url, post.title)
            parent_of_replies = document.key
            yield document
        yield from _walk_comments(item.get("replies"), post, parent_of_replies, public_base)


def _has_body(item: Mapping[str, Any]) -> bool:
    body = str(item.get("body") or "").strip()
    return bool(body) and body not in GONE_BODIES


def _post_document(item: Mapping[str, Any], public_base: str) -> Document:
    selftext = str(item.get("selftext") or "")
    text = "" if selftext.strip() in GONE_BODIES else _text(item.get("selftext_html"), selftext)
    comments = item.get("num_comments")
    return Document(
        key=str(item["name"]),
        url=public_base + safe_permalink(item["permalink"]),
        kind="post",
        title=str(item.get("title") or ""),
        text=text,
        author=_author(item),
        published_at=_utc(item.get("created_utc")),
        thread_url=public_base + safe_permalink(item["permalink"]),
        thread_title=str(item.get("title") or ""),
        engagement=_engagement(score=item.get("score"), comments=comments),
    )


def _comment_document(
    item: Mapping[str, Any],
    parent_key: str,
    public_base: str,
    thread_url: str | None,
    thread_title: str | None,
) -> Document:
    return Document(
        key=str(item["name"]),
        url=public_base + safe_permalink(item["permalink"]),
        kind="comment",
        title="",
        text=_text(item.get("body_html"), str(item.get("body") or "")),
        author=_author(item),
        published_at=_utc(item.get("created_utc")),
        thread_url=thread_url,
        thread_title=thread_title,
        parent_key=parent_key,
        engagement=_engagement(score=item.get("score")),
    )


def _author(item: Mapping[str, Any]) -> str | None:
    author = item.get("author")
    return str(author) if author and author != "[deleted]" else None


def _engagement(**counts: object) -> dict[str, int]:
    return {name: int(value) for name, value in counts.items() if isinstance(value, int | float)}


def _utc(value: object) -> datetime | None:
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, UTC)


def _text(body_html: object, markdown: str) -> str:
    """Plain text from ``body_html`` (HTML-escaped unless ``raw_json=1``), else the markdown."""
    if not isinstance(body_html, str) or not body_html.strip():
        return markdown.strip()
    markup = html.unescape(body_html) if body_html.lstrip().startswith("&lt;") else body_html
    return html_to_text(markup)

