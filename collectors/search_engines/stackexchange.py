"""Stack Exchange: ``/search/excerpts`` of one site (``site``, default stackoverflow),
questions and answers, newest first (``sort=creation``), from ``fromdate`` on.

Pages with ``page`` while ``has_more``. Anonymous clients get 300 requests a day per IP
(``quota_remaining`` says what is left; a ``key`` option raises it to 10,000). When an
answer carries ``backoff`` (seconds), the same method must not be asked again before then:
the pass stops there. A throttled client is answered 400/502 with ``error_id`` 502
(``throttle_violation``), which fails the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from collectors.document import Document
from collectors.errors import ParseError
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.registry import OptionField
from collectors.searching import ACCEPT_JSON, EngineInfo, Found, SearchRequest
from collectors.text import html_to_text

ENGINE = EngineInfo(
    name="stackexchange", display_name="Stack Exchange",
    default_api_base="https://api.stackexchange.com/2.3",
    options=(OptionField("site", "the Stack Exchange site (stackoverflow, superuser, unix…)"),
             OptionField("key", "a Stack Apps key, for the larger daily quota")),
)
PAGE_SIZE = 100
DEFAULT_SITE = "stackoverflow"
# Sites with their own domain; the others live under stackexchange.com.
OWN_DOMAINS = {"stackoverflow": "stackoverflow.com", "superuser": "superuser.com",
               "serverfault": "serverfault.com", "askubuntu": "askubuntu.com",
               "mathoverflow.net": "mathoverflow.net", "stackapps": "stackapps.com"}


def site_of(options: Mapping[str, str]) -> str:
    return options.get("site", "").strip() or DEFAULT_SITE


def compute_site_url(site: str) -> str:
    return "https://" + OWN_DOMAINS.get(site, f"{site.removesuffix('.stackexchange.com')}"
                                              ".stackexchange.com")


def compute_search_url(request: SearchRequest, page: int) -> str:
    query: dict[str, str | int] = {
        "order": "desc", "sort": "creation", "q": request.terms.render(),
        "site": site_of(request.options), "fromdate": int(request.since.timestamp()),
        "page": page, "pagesize": PAGE_SIZE,
    }
    if request.options.get("key"):
        query["key"] = request.options["key"]
    return f"{request.api_base}/search/excerpts?{urlencode(query)}"


class Page:
    def __init__(self, documents: list[Document], has_more: bool, backoff_s: int | None,
                 quota_remaining: int | None) -> None:
        self.documents = documents
        self.has_more = has_more
        self.backoff_s = backoff_s
        self.quota_remaining = quota_remaining


async def search(request: SearchRequest) -> Found:
    found = Found()
    site_url = compute_site_url(site_of(request.options))
    for page_number in range(1, request.max_pages + 1):
        response = await request.fetcher.fetch(compute_search_url(request, page_number),
                                               accept=ACCEPT_JSON)
        page = await run_parser(response.url, len(response.body), parse_excerpts,
                                response.body, response.url, site_url)
        if found.add(page.documents, request.since) or not page.has_more:
            return found
        if page.backoff_s or page.quota_remaining == 0:
            found.warnings.append(
                f"Stack Exchange asked to wait ({page.backoff_s or 'quota spent'}); "
                "older results wait for the next pass")
            return found
    return found


def parse_excerpts(body: bytes, url: str, site_url: str) -> Page:
    data = load_json(body, url)
    try:
        if "error_id" in data:
            raise ValueError(f"error {data['error_id']} {data.get('error_name')}: "
                             f"{data.get('error_message')}")
        documents = [_item_document(item, site_url) for item in data["items"]]
        backoff, quota = data.get("backoff"), data.get("quota_remaining")
        return Page(documents, bool(data.get("has_more")),
                    backoff if isinstance(backoff, int) else None,
                    quota if isinstance(quota, int) else None)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Stack Exchange search answer ({describe_error(exc)})"
                         ) from exc


def _item_document(item: Mapping[str, Any], site_url: str) -> Document:
    question_url = f"{site_url}/q/{int(item['question_id'])}"
    is_answer = item["item_type"] == "answer"
    url = f"{site_url}/a/{int(item['answer_id'])}" if is_answer else question_url
    title = html_to_text(str(item.get("title") or ""))
    return Document(
        key=f"stackexchange:{url}", url=url, kind="comment" if is_answer else "post",
        title="" if is_answer else title,
        text=html_to_text(str(item.get("body") or item.get("excerpt") or "")),
        published_at=datetime.fromtimestamp(int(item["creation_date"]), UTC),
        thread_url=question_url, thread_title=title,
        parent_key=f"stackexchange:{question_url}" if is_answer else None,
        engagement={"score": int(item["score"])} if isinstance(item.get("score"), int) else {},
    )
