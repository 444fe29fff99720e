"""Mastodon: an instance's hashtag timeline (default) or its public status search.

``/api/v1/timelines/tag/{tag}`` needs no account on most instances; ``/api/v2/search?
type=statuses`` answers statuses to anonymous clients only where the instance allows it.
Both page towards older statuses with ``max_id`` (the ``Link: …; rel="next"`` header says
the same). Mastodon allows 300 requests per 5 minutes per IP (``X-RateLimit-Remaining``).
Keys are the ActivityPub ``uri``, the same on every instance, so a status seen through two
instances is stored once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from collectors.dates import parse_iso
from collectors.document import Document
from collectors.errors import ParseError
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.registry import OptionField
from collectors.searching import ACCEPT_JSON, EngineInfo, Found, SearchRequest
from collectors.text import html_to_text

ENGINE = EngineInfo(
    name="mastodon", display_name="Mastodon", default_api_base="https://mastodon.social",
    options=(OptionField("mastodon_mode", "hashtag timelines or the instance's search",
                         choices=("tags", "search")),),
)
PAGE_SIZE = 40
_NOT_TAG = re.compile(r"[^\w]+", re.UNICODE)


def compute_tag(words: tuple[str, ...]) -> str:
    """The hashtag for a term group: its longest word or phrase, spaces and punctuation out
    (``"Acme Corp"`` → ``acmecorp``)."""
    longest = max(words, key=len) if words else ""
    return _NOT_TAG.sub("", longest).lower()


def compute_search_url(request: SearchRequest, max_id: str | None) -> str:
    query: dict[str, str | int] = {"limit": PAGE_SIZE}
    if max_id:
        query["max_id"] = max_id
    if request.options.get("mastodon_mode") == "search":
        query.update(q=request.terms.render(), type="statuses")
        return f"{request.api_base}/api/v2/search?{urlencode(query)}"
    tag = quote(compute_tag(request.terms.words), safe="")
    return f"{request.api_base}/api/v1/timelines/tag/{tag}?{urlencode(query)}"


async def search(request: SearchRequest) -> Found:
    found, max_id = Found(), None
    if request.options.get("mastodon_mode") != "search" and not compute_tag(request.terms.words):
        return found
    for _page in range(request.max_pages):
        response = await request.fetcher.fetch(compute_search_url(request, max_id),
                                               accept=ACCEPT_JSON)
        page = await run_parser(response.url, len(response.body), parse_statuses,
                                response.body, response.url)
        if not page.ids or found.add(page.documents, request.since):
            return found
        max_id = min(page.ids, key=lambda i: (len(i), i))
        if response.headers.get("x-ratelimit-remaining", "").strip() == "0":
            found.warnings.append("Mastodon rate limit reached; older statuses wait")
            return found
    return found


class Page:
    """Statuses of one answer and the ids to page on (reblogs included)."""

    def __init__(self, documents: list[Document], ids: list[str]) -> None:
        self.documents = documents
        self.ids = ids


def parse_statuses(body: bytes, url: str) -> Page:
    """A timeline (a JSON array) or a search answer (``{"statuses": [...]}``)."""
    data = load_json(body, url)
    try:
        statuses = data["statuses"] if isinstance(data, dict) else data
        if not isinstance(statuses, list):
            raise TypeError(f"statuses is a {type(statuses).__name__}, not a list")
        documents = [d for s in statuses if (d := _status_document(s)) is not None]
        return Page(documents, [str(s["id"]) for s in statuses])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not Mastodon statuses ({describe_error(exc)})") from exc


def _status_document(status: Mapping[str, Any]) -> Document | None:
    shown = status.get("reblog") or status  # a boost carries the boosted status
    text = html_to_text(str(shown.get("content") or ""))
    warning = str(shown.get("spoiler_text") or "").strip()
    if not text:
        return None
    account = shown.get("account") or {}
    url = str(shown.get("url") or shown["uri"])
    return Document(
        key=f"mastodon:{shown['uri']}", url=url,
        kind="comment" if shown.get("in_reply_to_id") else "post",
        title="", text=f"{warning}\n{text}" if warning else text,
        author=str(account.get("acct") or "") or None,
        published_at=parse_iso(shown.get("created_at")),
        thread_url=url, language=shown.get("language") or None,
        engagement={k: int(shown[f"{k}_count"]) for k in ("replies", "reblogs", "favourites")
                    if isinstance(shown.get(f"{k}_count"), int)},
    )
