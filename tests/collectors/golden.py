"""Turn parser output into JSON-able data for the golden files beside the feed fixtures."""

from __future__ import annotations

import dataclasses
from typing import Any

from collectors.document import Document, ThreadRef
from collectors.feeds import comment_documents, parse_feed, post_document
from collectors.rss import thread_ref

CONTENT_TYPES = {
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".rdf": "application/rdf+xml",
}


def document_data(document: Document) -> dict[str, Any]:
    data = dataclasses.asdict(document)
    data["published_at"] = document.published_at.isoformat() if document.published_at else None
    data["engagement"] = dict(document.engagement)
    return data


def thread_data(ref: ThreadRef) -> dict[str, Any]:
    return dataclasses.asdict(ref)


def feed_result(body: bytes, url: str, suffix: str) -> dict[str, Any]:
    """What the feed parser makes of one fixture: posts, comments and thread refs."""
    feed = parse_feed(body, url, {"content-type": CONTENT_TYPES[suffix]})
    posts = [e for e in feed.entries if not e.is_comment]
    comments = dataclasses.replace(feed, entries=tuple(e for e in feed.entries if e.is_comment))
    return {
        "title": feed.title,
        "posts": [document_data(post_document(e)) for e in posts],
        "comments": [document_data(d) for d in comment_documents(comments)],
        "threads": [thread_data(thread_ref(e, post_document(e))) for e in posts],
    }
