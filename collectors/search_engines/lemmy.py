"""Lemmy: an instance's ``/api/v3/search`` over posts and comments of every community it
knows (``listing_type=All``), newest first.

Pages with ``page`` (1-based) until a page is empty or older than the mark. Lemmy limits
searches per IP (by default 60 per 10 minutes) and answers 429 past the limit (older
versions: 400 with ``{"error": "rate_limit_error"}``, seen here as a failed request).
Keys are the ActivityPub ids (``ap_id``), the same on every instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from collectors.dates import parse_iso
from collectors.document import Document
from collectors.errors import ParseError
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.searching import ACCEPT_JSON, EngineInfo, Found, SearchRequest
from collectors.text import html_to_text

ENGINE = EngineInfo(name="lemmy", display_name="Lemmy", default_api_base="https://lemmy.world")
PAGE_SIZE = 50


def compute_search_url(request: SearchRequest, page: int) -> str:
    query = {"q": request.terms.render(), "type_": "All", "sort": "New",
             "listing_type": "All", "page": page, "limit": PAGE_SIZE}
    return f"{request.api_base}/api/v3/search?{urlencode(query)}"


async def search(request: SearchRequest) -> Found:
    found = Found()
    for page in range(1, request.max_pages + 1):
        response = await request.fetcher.fetch(compute_search_url(request, page),
                                               accept=ACCEPT_JSON)
        documents = await run_parser(response.url, len(response.body), parse_search,
                                     response.body, response.url)
        if not documents or found.add(documents, request.since):
            return found
    return found


def parse_search(body: bytes, url: str) -> list[Document]:
    """Posts and comments of one answer, newest first."""
    data = load_json(body, url)
    try:
        if "error" in data:
            raise ValueError(f"the instance answered error {data['error']!r}")
        posts = [_post(view) for view in data.get("posts") or []]
        comments = [_comment(view) for view in data.get("comments") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Lemmy search answer ({describe_error(exc)})") from exc
    found = [d for d in [*posts, *comments] if d.text or d.kind == "post"]
    return sorted(found, key=lambda d: d.published_at.timestamp() if d.published_at else 0,
                  reverse=True)


def _published(value: object) -> Any:
    # Lemmy before 0.19 wrote UTC times without an offset.
    text = str(value or "")
    return parse_iso(text if text.endswith("Z") or "+" in text[10:] else text + "Z")


def _post(view: Mapping[str, Any]) -> Document:
    post, counts = view["post"], view.get("counts") or {}
    body = html_to_text(str(post.get("body") or ""))
    return Document(
        key=f"lemmy:{post['ap_id']}", url=str(post["ap_id"]), kind="post",
        title=str(post.get("name") or ""), text=body or str(post.get("url") or ""),
        author=_creator(view), published_at=_published(post.get("published")),
        thread_url=str(post["ap_id"]), thread_title=str(post.get("name") or ""),
        engagement=_counts(counts, score="score", comments="comments"),
    )


def _comment(view: Mapping[str, Any]) -> Document:
    comment, post = view["comment"], view.get("post") or {}
    deleted = comment.get("deleted") or comment.get("removed")
    return Document(
        key=f"lemmy:{comment['ap_id']}", url=str(comment["ap_id"]), kind="comment", title="",
        text="" if deleted else html_to_text(str(comment.get("content") or "")),
        author=_creator(view), published_at=_published(comment.get("published")),
        thread_url=str(post["ap_id"]) if post.get("ap_id") else None,
        thread_title=str(post.get("name") or "") or None,
        parent_key=f"lemmy:{post['ap_id']}" if post.get("ap_id") else None,
        engagement=_counts(view.get("counts") or {}, score="score", replies="child_count"),
    )


def _creator(view: Mapping[str, Any]) -> str | None:
    creator = view.get("creator") or {}
    return str(creator.get("name") or "") or None


def _counts(counts: Mapping[str, Any], **names: str) -> dict[str, int]:
    return {ours: int(counts[theirs]) for ours, theirs in names.items()
            if isinstance(counts.get(theirs), int)}
