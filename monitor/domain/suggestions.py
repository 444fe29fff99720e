"""Sites worth adding as sources: hosts that keep turning up in what was collected.

Two signals: links in the text of documents that mention a brand, and the pages search
feeds (Google Alerts and the like) found. A host counts once per document; hosts already
followed, the platforms brand-monitor reads through their own kinds and link shorteners are
left out. The suggestion is the site's start page: adding it lets the ``blog`` kind
discover its feed.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

URL_IN_TEXT = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
PLATFORMS = frozenset({
    "reddit.com", "redd.it", "news.ycombinator.com", "ycombinator.com", "twitter.com", "x.com",
    "t.co", "bit.ly", "youtube.com", "youtu.be", "facebook.com", "instagram.com",
    "google.com", "wikipedia.org", "linkedin.com", "tiktok.com", "amzn.to", "goo.gl",
    "stackoverflow.com", "stackexchange.com", "archive.org", "imgur.com",
})
MIN_DOCUMENTS = 2
MAX_SAMPLES = 3


@dataclass(frozen=True, slots=True)
class Evidence:
    """One collected document: its own URL counts when a search feed found it."""

    url: str
    text: str
    from_search_feed: bool = False


@dataclass(frozen=True, slots=True)
class Suggestion:
    host: str
    documents: int
    url: str  # the site's start page
    samples: tuple[str, ...] = field(default_factory=tuple)


def compute_suggestions(evidence: Iterable[Evidence], followed_hosts: Iterable[str], *,
                        minimum: int = MIN_DOCUMENTS, limit: int = 50) -> list[Suggestion]:
    """Hosts seen in at least ``minimum`` documents, most seen first."""
    skip = {_bare(h) for h in followed_hosts}
    counts: Counter[str] = Counter()
    samples: dict[str, list[str]] = {}
    for item in evidence:
        for host, url in _links(item).items():
            if host in skip or _is_platform(host):
                continue
            counts[host] += 1
            samples.setdefault(host, [])
            if len(samples[host]) < MAX_SAMPLES:
                samples[host].append(url)
    return [Suggestion(host, count, f"https://{host}/", tuple(samples[host]))
            for host, count in counts.most_common() if count >= minimum][:limit]


def _links(item: Evidence) -> dict[str, str]:
    """Host -> first URL, for the links of one document (each host once)."""
    urls = URL_IN_TEXT.findall(item.text)
    if item.from_search_feed:
        urls.insert(0, item.url)
    found: dict[str, str] = {}
    for link in urls:
        url = link.rstrip(".,;:!?")  # the sentence's punctuation, not the link's
        host = _bare(urlsplit(url).hostname or "")
        if host and "." in host:
            found.setdefault(host, url)
    return found


def _bare(host: str) -> str:
    return host.lower().removeprefix("www.").rstrip(".")


def _is_platform(host: str) -> bool:
    return any(host == p or host.endswith("." + p) for p in PLATFORMS)
