"""Comments a page publishes as schema.org JSON-LD: ``comment`` lists of an Article,
BlogPosting or ``DiscussionForumPosting`` (forums put each reply there), nested through
each Comment's own ``comment``.

Keys are the comment's ``url`` or ``@id`` when it has one, else the page plus a hash of the
author and words, so the same comment read again gets the same key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from collectors.dates import parse_iso
from collectors.document import Document
from collectors.text import html_to_text

THREAD_TYPES = frozenset({"Article", "BlogPosting", "NewsArticle", "DiscussionForumPosting",
                          "SocialMediaPosting", "WebPage", "QAPage", "Question"})
COMMENT_TYPES = frozenset({"Comment", "Answer", "DiscussionForumPosting"})
MAX_DEPTH = 50


def extract_jsonld_comments(
    tree: LexborHTMLParser, page: str, post_key: str, thread_title: str = ""
) -> list[Document]:
    documents: dict[str, Document] = {}
    for thread in _threads(tree):
        for document in _walk(thread, page, post_key, thread_title):
            documents.setdefault(document.key, document)
    return list(documents.values())


def _threads(tree: LexborHTMLParser) -> Iterator[Mapping[str, Any]]:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text() or "null")
        except (ValueError, RecursionError):
            continue  # broken JSON-LD is common and never fatal
        stack = data if isinstance(data, list) else [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, dict):
                stack.extend(x for x in item.get("@graph") or [] if isinstance(x, dict))
                if _types(item) & THREAD_TYPES and isinstance(item.get("comment"), list):
                    yield item


def _types(item: Mapping[str, Any]) -> set[str]:
    kind = item.get("@type")
    return {str(k) for k in kind} if isinstance(kind, list) else {str(kind)}


def _walk(thread: Mapping[str, Any], page: str, post_key: str, title: str
          ) -> Iterator[Document]:
    stack: list[tuple[Any, str, int]] = [(c, post_key, 0) for c in reversed(thread["comment"])]
    while stack:
        item, parent, depth = stack.pop()
        if not isinstance(item, dict) or not _types(item) & COMMENT_TYPES:
            continue
        document = _document(item, page, parent, title)
        if document is not None:
            yield document
        replies = item.get("comment") if depth < MAX_DEPTH else None
        if isinstance(replies, list):
            kept = document.key if document is not None else parent
            stack.extend((r, kept, depth + 1) for r in reversed(replies))


def _document(item: Mapping[str, Any], page: str, parent: str, title: str) -> Document | None:
    text = html_to_text(str(item.get("text") or item.get("articleBody") or ""))
    if not text:
        return None
    author = _author(item.get("author"))
    own = item.get("url") or item.get("@id")
    if isinstance(own, str) and own.startswith(("http://", "https://")):
        key = url = own
    else:
        digest = hashlib.sha256(f"{author}\n{text}".encode()).hexdigest()[:16]
        key = url = f"{page}#comment-j{digest}"
    return Document(
        key=key, url=url, kind="comment", title="", text=text, author=author,
        published_at=parse_iso(str(item.get("dateCreated") or item.get("datePublished") or "")),
        thread_url=page, thread_title=title, parent_key=parent,
        engagement=_likes(item),
    )


def _author(value: object) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("alternateName")
    return str(value).strip() or None if value else None


def _likes(item: Mapping[str, Any]) -> dict[str, int]:
    stats = item.get("interactionStatistic")
    for stat in stats if isinstance(stats, list) else [stats]:
        if isinstance(stat, dict) and "Like" in str(stat.get("interactionType")):
            count = stat.get("userInteractionCount")
            if isinstance(count, int):
                return {"likes": count}
    return {}
