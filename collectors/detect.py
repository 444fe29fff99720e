"""Which collector a source needs, when its configuration does not say."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

from collectors.document import SourceKind
from collectors.errors import CollectorError
from collectors.fetching import Fetcher, Response
from collectors.registry import kind_for_host
from collectors.robots import origin_of

FEED_CONTENT_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
)
# XML declaration, comments, processing instructions and a doctype may precede the root.
FEED_ROOT = re.compile(
    rb"^\s*(?:<\?xml[^>]*\?>\s*)?"
    rb"(?:<!--.*?-->\s*|<\?[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*)*"
    rb"<(rss|feed|rdf:RDF|RDF)\b",
    re.DOTALL,
)
DISCOURSE_GENERATOR = re.compile(rb'<meta\s+name="generator"\s+content="Discourse', re.IGNORECASE)


def detect_kind_from_url(url: str) -> SourceKind | None:
    """Kinds recognisable from the host alone (the ``hosts`` of each kind)."""
    return kind_for_host(urlsplit(url).hostname or "")


def detect_kind_from_response(response: Response) -> SourceKind | None:
    """rss for feeds (by content type or XML root), discourse for Discourse pages, else None."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    head = response.body[:4096].lstrip(b"\xef\xbb\xbf")
    if content_type in FEED_CONTENT_TYPES or FEED_ROOT.match(head):
        return "rss"
    if DISCOURSE_GENERATOR.search(response.body[:65_536]):
        return "discourse"
    return None


async def detect_kind(fetcher: Fetcher, url: str) -> SourceKind:
    """Detect the kind of the source at ``url``, fetching it (and maybe /latest.json)."""
    known = detect_kind_from_url(url)
    if known is not None:
        return known
    response = await fetcher.fetch(url)
    found = detect_kind_from_response(response)
    if found is not None:
        return found
    return "discourse" if await _has_discourse_api(fetcher, response.url) else "blog"


async def _has_discourse_api(fetcher: Fetcher, url: str) -> bool:
    try:
        probe = await fetcher.fetch(origin_of(url) + "/latest.json", accept="application/json")
        return "topic_list" in json.loads(probe.body)
    except (CollectorError, ValueError, TypeError):
        return False
