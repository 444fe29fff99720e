"""Hacker News through Algolia's ``search_by_date``: stories and comments, newest first.

Asks ``tags=(story,comment)`` (either) with ``numericFilters=created_at_i>=SINCE`` and pages
with ``page`` (0-based) until ``nbPages``. Algolia's public HN API allows 10,000 requests an
hour per IP; a 429 fails the request and the pass keeps what it has.
"""

from __future__ import annotations

from urllib.parse import urlencode

from collectors.hackernews import compute_story_refs, parse_search
from collectors.jsonbody import load_json
from collectors.parsing import run_parser
from collectors.searching import ACCEPT_JSON, EngineInfo, Found, SearchRequest

ENGINE = EngineInfo(name="hackernews", display_name="Hacker News (Algolia)",
                    default_api_base="https://hn.algolia.com/api/v1")
HITS_PER_PAGE = 100


def compute_search_url(request: SearchRequest, page: int) -> str:
    query = {
        "query": request.terms.render(), "tags": "(story,comment)",
        "numericFilters": f"created_at_i>={int(request.since.timestamp())}",
        "hitsPerPage": HITS_PER_PAGE, "page": page,
    }
    return f"{request.api_base}/search_by_date?{urlencode(query)}"


async def search(request: SearchRequest) -> Found:
    found = Found()
    for page in range(request.max_pages):
        response = await request.fetcher.fetch(compute_search_url(request, page),
                                               accept=ACCEPT_JSON)
        documents = await run_parser(response.url, len(response.body), parse_search,
                                     response.body, response.url)
        reached_old = found.add(documents, request.since)
        found.threads.extend(compute_story_refs(response.body, response.url, request.api_base))
        if reached_old or page + 1 >= _page_count(response.body, response.url):
            return found
    found.warnings.append(f"Hacker News: more than {request.max_pages} pages for "
                          f"{request.terms.render()!r}; older results skipped")
    return found


def _page_count(body: bytes, url: str) -> int:
    pages = load_json(body, url).get("nbPages")
    return pages if isinstance(pages, int) else 1
