"""Hacker News through the Algolia API: whole item trees and ``search_by_date`` results.

``/items/{id}`` answers an item with all its descendants nested in ``children``;
``/search_by_date`` answers flat ``hits``. Public links always point at
news.ycombinator.com, whatever API host was asked.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from selectolax.lexbor import LexborHTMLParser

from collectors.dates import parse_iso
from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError
from collectors.fetching import Fetcher
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.registry import KindInfo, OptionField
from collectors.text import node_text

KIND = KindInfo(
    name="hackernews", display_name="Hacker News",
    url_help="an Algolia API URL or news.ycombinator.com/item?id=N",
    options=(OptionField("api_base", "the Algolia API base (a test server)"),),
    thread_kinds=("hackernews",), hosts=("hn.algolia.com", "news.ycombinator.com"), order=50,
)

DEFAULT_API_BASE = "https://hn.algolia.com/api/v1"
ITEM_URL = "https://news.ycombinator.com/item?id={id}"
ACCEPT_JSON = "application/json"
POST_TYPES = frozenset({"story", "job", "poll"})


@dataclass(frozen=True, slots=True)
class _Thread:
    """The story a comment belongs to, as far as it is known."""

    url: str | None
    title: str | None


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """An item tree or a search result; a search also returns its stories as ThreadRefs."""
    api_base = spec.options.get("api_base", DEFAULT_API_BASE).rstrip("/")
    api_url = compute_api_url(spec.url, api_base)
    response = await fetcher.fetch(api_url, state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    if is_search_url(api_url):
        documents = await run_parser(response.url, len(response.body), parse_search,
                                     response.body, response.url)
        threads = compute_story_refs(response.body, response.url, api_base)
        return CollectResult(documents, response.state, response.status, threads)
    documents = await run_parser(response.url, len(response.body), parse_item_tree,
                                 response.body, response.url)
    return CollectResult(documents, response.state, response.status)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """The whole tree of one story; ``ref.url`` is its items-API URL (or its HN page)."""
    response = await fetcher.fetch(compute_api_url(ref.url), state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    documents = await run_parser(response.url, len(response.body), parse_item_tree,
                                 response.body, response.url)
    return CollectResult(documents, response.state, response.status)


def compute_api_url(url: str, api_base: str = DEFAULT_API_BASE) -> str:
    """API URL for ``url``: a news.ycombinator.com item page maps to ``/items/{id}``."""
    parts = urlsplit(url.strip())
    if (parts.hostname or "").endswith("news.ycombinator.com"):
        ids = parse_qs(parts.query).get("id", [])
        if parts.path.rstrip("/") != "/item" or not ids or not ids[0].isdigit():
            raise CollectorError(f"{url}: only item pages (…/item?id=123) can be followed")
        return f"{api_base.rstrip('/')}/items/{ids[0]}"
    path = parts.path.rstrip("/")
    if "/items/" not in path and not is_search_url(url):
        raise CollectorError(
            f"{url}: expected an Algolia …/items/{{id}} or …/search_by_date URL, "
            "or a news.ycombinator.com item page"
        )
    return url.strip()


def is_search_url(url: str) -> bool:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] in ("search", "search_by_date")


def parse_item_tree(body: bytes, url: str) -> list[Document]:
    """The item and all its descendants, depth-first, parents before their replies."""
    data = load_json(body, url)
    try:
        return list(_walk_tree(data))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Hacker News item ({describe_error(exc)})") from exc


def _walk_tree(root: Mapping[str, Any]) -> Iterator[Document]:
    """Iterative (threads can be deep); a deleted comment's replies move to its parent."""
    story_id = root.get("story_id") or root["id"]
    thread = _Thread(ITEM_URL.format(id=story_id), root.get("title") if _is_post(root) else None)
    parent_id = root.get("parent_id")
    stack: list[tuple[Mapping[str, Any], str | None]] = [
        (root, f"hn:{parent_id}" if parent_id else None)
    ]
    while stack:
        item, parent_key = stack.pop()
        document = _item_document(item, parent_key, thread)
        if document is not None:
            yield document
        kept_parent = document.key if document is not None else parent_key
        stack.extend((child, kept_parent) for child in reversed(item.get("children") or []))


def _is_post(item: Mapping[str, Any]) -> bool:
    return item.get("type") in POST_TYPES


def _item_document(
    item: Mapping[str, Any], parent_key: str | None, thread: _Thread
) -> Document | None:
    is_post = _is_post(item)
    if item.get("type") not in POST_TYPES | {"comment"}:
        return None  # poll options
    text = render_plain_text(str(item.get("text") or ""))
    if not is_post and (not text or not item.get("author")):
        return None  # deleted or flagged-dead comment
    return Document(
        key=f"hn:{item['id']}",
        url=ITEM_URL.format(id=item["id"]),
        kind="post" if is_post else "comment",
        title=str(item.get("title") or "") if is_post else "",
        text=text,
        author=str(item["author"]) if item.get("author") else None,
        published_at=_time(item.get("created_at_i"), item.get("created_at")),
        thread_url=thread.url,
        thread_title=thread.title,
        parent_key=None if is_post else parent_key,
        engagement=_engagement(points=item.get("points")),
    )


def parse_search(body: bytes, url: str) -> list[Document]:
    """One Document per hit: comments (``comment_text``) and stories."""
    data = load_json(body, url)
    try:
        hits = data["hits"]
        if not isinstance(hits, list):
            raise TypeError(f"hits is a {type(hits).__name__}, not a list")
        return [doc for hit in hits if (doc := _hit_document(hit)) is not None]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not an Algolia search result ({describe_error(exc)})") from exc


def _hit_document(hit: Mapping[str, Any]) -> Document | None:
    if "comment" in (hit.get("_tags") or []) or hit.get("comment_text") is not None:
        return _comment_hit(hit)
    return _story_hit(hit) if _is_story_hit(hit) else None


def _is_story_hit(hit: Mapping[str, Any]) -> bool:
    return "story" in (hit.get("_tags") or [])


def _comment_hit(hit: Mapping[str, Any]) -> Document | None:
    text = render_plain_text(str(hit.get("comment_text") or ""))
    if not text:
        return None
    story_id, parent_id = hit.get("story_id"), hit.get("parent_id")
    return Document(
        key=f"hn:{hit['objectID']}",
        url=ITEM_URL.format(id=hit["objectID"]),
        kind="comment",
        title="",
        text=text,
        author=str(hit["author"]) if hit.get("author") else None,
        published_at=_time(hit.get("created_at_i"), hit.get("created_at")),
        thread_url=ITEM_URL.format(id=story_id) if story_id else None,
        thread_title=str(hit["story_title"]) if hit.get("story_title") else None,
        parent_key=f"hn:{parent_id}" if parent_id else None,
        engagement=_engagement(points=hit.get("points")),
    )


def _story_hit(hit: Mapping[str, Any]) -> Document:
    url = ITEM_URL.format(id=hit["objectID"])
    return Document(
        key=f"hn:{hit['objectID']}",
        url=url,
        kind="post",
        title=str(hit.get("title") or ""),
        text=render_plain_text(str(hit.get("story_text") or "")),
        author=str(hit["author"]) if hit.get("author") else None,
        published_at=_time(hit.get("created_at_i"), hit.get("created_at")),
        thread_url=url,
        thread_title=str(hit.get("title") or "") or None,
        engagement=_engagement(points=hit.get("points"), comments=hit.get("num_comments")),
    )


def compute_story_refs(body: bytes, url: str, api_base: str = DEFAULT_API_BASE) -> list[ThreadRef]:
    """One ThreadRef per distinct story among the hits, in order of first appearance."""
    data = load_json(body, url)
    refs: dict[int, ThreadRef] = {}
    try:
        for hit in data["hits"]:
            story_id = hit.get("story_id") or (hit["objectID"] if _is_story_hit(hit) else None)
            if story_id and int(story_id) not in refs:
                title = hit.get("story_title") or hit.get("title") or ""
                refs[int(story_id)] = ThreadRef(
                    url=f"{api_base.rstrip('/')}/items/{int(story_id)}",
                    kind="hackernews",
                    thread_url=ITEM_URL.format(id=int(story_id)),
                    thread_title=str(title),
                    parent_key=f"hn:{int(story_id)}",
                )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not an Algolia search result ({describe_error(exc)})") from exc
    return list(refs.values())


def render_plain_text(markup: str) -> str:
    """Text of HN's comment HTML, one line per paragraph."""
    tree = LexborHTMLParser(markup)
    if tree.body is None:
        return ""
    # HN starts each paragraph after the first with a bare <p>, so the text before it would
    # otherwise run into the paragraph that follows.
    for node in tree.body.css("p"):
        node.insert_before("\n")
    return node_text(tree.body)


def _time(epoch: object, iso: object) -> datetime | None:
    if isinstance(epoch, int | float):
        return datetime.fromtimestamp(epoch, UTC)
    return parse_iso(iso) if isinstance(iso, str) else None


def _engagement(**counts: object) -> dict[str, int]:
    return {name: int(value) for name, value in counts.items() if isinstance(value, int | float)}

