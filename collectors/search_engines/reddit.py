"""Reddit's site search, ``/search.json?q=…&sort=new``: posts, newest first.

Pages with ``after`` until a post older than the mark or no ``after``. Reddit allows an
unauthenticated client about ten requests a minute and states what is left in
``X-Ratelimit-Remaining``; when it reaches zero the pass stops. Posts found are followed as
threads (the ``reddit`` kind) when a brand is mentioned.
"""

from __future__ import annotations

from urllib.parse import urlencode

from collectors.jsonbody import load_json
from collectors.parsing import run_parser
from collectors.reddit import PUBLIC_BASE, compute_rate_limit, parse_listing
from collectors.registry import OptionField
from collectors.searching import ACCEPT_JSON, EngineInfo, Found, SearchRequest, origin

ENGINE = EngineInfo(
    name="reddit", display_name="Reddit search", default_api_base="https://www.reddit.com",
    options=(OptionField("subreddit", "search only this subreddit (restrict_sr)"),),
)
PAGE_SIZE = 100


def compute_search_url(request: SearchRequest, after: str | None) -> str:
    subreddit = request.options.get("subreddit", "").strip().removeprefix("r/")
    query: dict[str, str | int] = {"q": request.terms.render(), "sort": "new", "t": "all",
                                   "limit": PAGE_SIZE, "raw_json": 1}
    if subreddit:
        query["restrict_sr"] = "on"
    if after:
        query["after"] = after
    path = f"/r/{subreddit}/search.json" if subreddit else "/search.json"
    return f"{request.api_base}{path}?{urlencode(query)}"


async def search(request: SearchRequest) -> Found:
    found, after = Found(), None
    public = PUBLIC_BASE if "reddit.com" in request.api_base else origin(request.api_base)
    for _page in range(request.max_pages):
        response = await request.fetcher.fetch(compute_search_url(request, after),
                                               accept=ACCEPT_JSON)
        listing = await run_parser(response.url, len(response.body), parse_listing,
                                   response.body, response.url, origin(response.url), public)
        reached_old = found.add(listing.documents, request.since)
        kept = {d.key for d in found.documents}
        found.threads.extend(t for t in listing.threads if t.parent_key in kept)
        after = _after(response.body, response.url)
        if reached_old or not after:
            return found
        limit = compute_rate_limit(response.headers)
        if limit.exhausted:
            found.warnings.append("Reddit rate limit reached; older results wait for the "
                                  f"next pass (resets in {limit.reset_s or 0:.0f} s)")
            return found
    return found


def _after(body: bytes, url: str) -> str | None:
    data = load_json(body, url).get("data") or {}
    after = data.get("after") if isinstance(data, dict) else None
    return after if isinstance(after, str) and after else None
