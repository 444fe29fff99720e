"""Read one fetched article page: its post Document and its comment Documents.

One function, so a worker process parses the page once for both (and so the pair can run
through ``collectors.parsing`` as a single picklable call).
"""

from __future__ import annotations

from dataclasses import dataclass

from collectors.articles import extract_article
from collectors.document import Document
from collectors.html_comments import extract_comments

HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"


@dataclass(frozen=True, slots=True)
class PageHarvest:
    post: Document | None  # None when the page has no main text
    comments: list[Document]


def read_article_page(
    html: bytes,
    url: str,
    *,
    post_key: str | None = None,
    thread_url: str | None = None,
    with_comments: bool = True,
) -> PageHarvest:
    """The post (keyed ``post_key``, else its canonical URL) and, if asked, its comments.

    Comments are anchored on ``thread_url`` (default: the page's canonical URL), which must
    be the ``thread_url`` of the ThreadRef that later refreshes this page, so that both
    produce the same comment keys.
    """
    article = extract_article(html, url)
    if article is None:
        return PageHarvest(None, [])
    key = post_key or article.url
    post = Document(
        key=key,
        url=article.url,
        kind="post",
        title=article.title,
        text=article.text,
        author=article.author,
        published_at=article.published_at,
        thread_url=article.url,
        thread_title=article.title,
    )
    page = thread_url or article.url
    comments = extract_comments(html, page, key, article.title) if with_comments else []
    return PageHarvest(post, comments)


def read_page_comments(html: bytes, page: str, post_key: str, thread_title: str) -> list[Document]:
    """Comments only, for refreshing a thread whose post is already known."""
    return extract_comments(html, page, post_key, thread_title)
