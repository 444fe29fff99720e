"""Source kind "rss": a feed (RSS or Atom), its articles when the feed only teases, and
the comment streams its items point to.

A pass over the feed yields the posts (and, for a site-wide comment feed, its comments) and
one ThreadRef per post: the post's comment feed when it advertises one (``wfw:commentRss``,
Atom ``rel="replies"``), else its page, whose HTML comments ``collect_thread`` reads.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from collectors.comment_systems import collect_embedded_comments
from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError
from collectors.feeds import (
    FEED_ACCEPT,
    FeedEntry,
    ParsedFeed,
    ThreadHint,
    comment_documents,
    entry_text,
    is_excerpt,
    parse_feed,
    post_document,
)
from collectors.fetching import Fetcher, Response
from collectors.pages import HTML_ACCEPT, read_article_page
from collectors.parsing import run_parser
from collectors.registry import KindInfo, OptionField
from collectors.urls import canonical_url, page_url

KIND = KindInfo(
    name="rss", display_name="Feed", url_help="an RSS or Atom feed",
    options=(OptionField(
        "max_pages", "article pages fetched per pass for excerpt-only feeds (0: none)",
        integer=True, minimum=0),),
    thread_kinds=("rss", "blog"), order=10,
)

DEFAULT_MAX_PAGES = 20  # article pages fetched per pass for excerpt-only feeds
MAX_COMMENT_PAGES = 40  # further pages of one comment feed (Blogger: 25 comments each)
PROTECTED_PREFIX = "Protected Comments:"


@dataclass(slots=True)
class Harvest:
    """Documents, thread refs and warnings gathered from one feed."""

    documents: list[Document] = field(default_factory=list)
    threads: list[ThreadRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def result(self, response: Response) -> CollectResult:
        return CollectResult(
            self.documents, response.state, response.status, self.threads, self.warnings
        )


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """One pass over the feed at ``spec.url``; options: ``max_pages`` (article fetches)."""
    response = await fetcher.fetch(spec.url, state=state, accept=FEED_ACCEPT)
    if response.not_modified:
        return CollectResult([], response.state, response.status)
    feed = await load_feed(response)
    harvest = await harvest_feed(fetcher, feed, max_pages=_max_pages(spec))
    return harvest.result(response)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """The comments of one post from its comment feed at ``ref.url``."""
    response = await fetcher.fetch(ref.url, state=state, accept=FEED_ACCEPT)
    if response.not_modified:
        return CollectResult([], response.state, response.status)
    feed = await load_feed(response)
    hint = ThreadHint(ref.parent_key, ref.thread_url, ref.thread_title)
    documents = [d for d in comment_documents(feed, hint) if _visible(d)]
    warnings = [feed.warning] if feed.warning else []
    documents += await _later_pages(fetcher, feed, hint, warnings)
    return CollectResult(documents, response.state, response.status, warnings=warnings)


async def _later_pages(
    fetcher: Fetcher, feed: ParsedFeed, hint: ThreadHint, warnings: list[str]
) -> list[Document]:
    """Comment feeds split in pages (Blogger: 25 a page, ``rel="next"`` with start-index)."""
    documents: list[Document] = []
    seen = {feed.url}
    for _ in range(MAX_COMMENT_PAGES):
        if feed.next_url is None or feed.next_url in seen:
            return documents
        seen.add(feed.next_url)
        try:
            feed = await load_feed(await fetcher.fetch(feed.next_url, accept=FEED_ACCEPT))
        except CollectorError as exc:
            warnings.append(f"later comment pages not read: {exc}")
            return documents
        documents += [d for d in comment_documents(feed, hint) if _visible(d)]
    warnings.append(f"comments beyond {MAX_COMMENT_PAGES + 1} feed pages not read")
    return documents


async def load_feed(response: Response) -> ParsedFeed:
    """Parse a fetched feed, in a worker process when it is large."""
    headers = dict(response.headers)
    size = len(response.body)
    return await run_parser(response.url, size, parse_feed, response.body, response.url, headers)


async def harvest_feed(fetcher: Fetcher, feed: ParsedFeed, *, max_pages: int) -> Harvest:
    """Posts, comments and thread refs of a parsed feed, reading article pages for teasers."""
    harvest = Harvest(warnings=[feed.warning] if feed.warning else [])
    comments = [e for e in feed.entries if e.is_comment]
    if comments:
        site_wide = dataclasses.replace(feed, entries=tuple(comments))
        harvest.documents.extend(d for d in comment_documents(site_wide) if _visible(d))
    posts = [e for e in feed.entries if not e.is_comment and (e.guid or e.link)]
    teasers = [e for e in posts if e.link and is_excerpt(e)]
    read = {id(e) for e in teasers[:max_pages]}
    outcomes = await asyncio.gather(*(_post(fetcher, e, id(e) in read) for e in posts))
    for documents, thread, warning in outcomes:
        harvest.documents.extend(documents)
        harvest.threads.append(thread)
        if warning:
            harvest.warnings.append(warning)
    if len(teasers) > max_pages:
        harvest.warnings.append(f"{len(teasers) - max_pages} teaser items kept as excerpts")
    return harvest


async def _post(
    fetcher: Fetcher, entry: FeedEntry, read_page: bool
) -> tuple[Sequence[Document], ThreadRef, str | None]:
    post = post_document(entry)
    thread = thread_ref(entry, post)
    if not read_page:
        return [post], thread, None
    try:
        documents = await _post_with_page(fetcher, entry, post)
    except CollectorError as exc:
        return [post], thread, f"article page not read, feed excerpt kept: {exc}"
    return documents, thread, None


async def _post_with_page(fetcher: Fetcher, entry: FeedEntry, post: Document) -> list[Document]:
    """The post with the page's full text, plus the page's comments when the feed
    advertises no comment feed (they would otherwise come through its ThreadRef)."""
    page = await fetcher.fetch(post.url, accept=HTML_ACCEPT)
    found = await run_parser(
        page.url,
        len(page.body),
        read_article_page,
        page.body,
        page.url,
        post_key=post.key,
        thread_url=post.url,
        with_comments=entry.comments_feed is None,
    )
    feed_text = entry_text(entry)
    page_text = found.post.text if found.post is not None else ""
    text = page_text if len(page_text) > len(feed_text) else feed_text
    comments = found.comments
    if entry.comments_feed is None and not comments:
        comments, _warnings = await collect_embedded_comments(
            fetcher, page.body, canonical_url(page_url(post.url)), post.key, post.title)
    return [dataclasses.replace(post, text=text), *comments]


def thread_ref(entry: FeedEntry, post: Document) -> ThreadRef:
    """Where the post's comments are followed: its comment feed, else its page."""
    if entry.comments_feed:
        return ThreadRef(entry.comments_feed, "rss", post.url, post.title, post.key)
    return ThreadRef(post.url, "blog", post.url, post.title, post.key)


def _visible(document: Document) -> bool:
    """WordPress lists comments of password-protected posts as a placeholder."""
    return not document.text.startswith(PROTECTED_PREFIX)


def _max_pages(spec: SourceSpec) -> int:
    value = spec.options.get("max_pages", "")
    return int(value) if value.isdigit() else DEFAULT_MAX_PAGES
