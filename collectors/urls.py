"""URL canonicalisation, so the same page reached through different links gets one key."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from courlan import normalize_url

COMMENT_FRAGMENT_PREFIX = "comment-"
# "#comment-123" (WordPress and most themes) and "#c123" (Blogger) name a comment.
COMMENT_FRAGMENT = re.compile(r"^(?:comment-[\w-]+|c\d+)$")


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no default port, sorted query without tracking parameters,
    no fragment except a comment anchor (``#comment-123``, ``#c123``: it names a comment, not
    a scroll position).
    """
    text = url.strip()
    base, fragment = urldefrag(text)
    try:
        normal = normalize_url(base)
    except ValueError:
        normal = base
    parts = urlsplit(normal)
    path = parts.path or "/"
    netloc = _without_default_port(parts.scheme, parts.netloc)
    keep = fragment if COMMENT_FRAGMENT.match(fragment) else ""
    return urlunsplit((parts.scheme, netloc, path, parts.query, keep))


def _without_default_port(scheme: str, netloc: str) -> str:
    default = {"http": ":80", "https": ":443"}.get(scheme)
    if default and netloc.endswith(default):
        return netloc[: -len(default)]
    return netloc


def comment_url(page_url: str, comment_id: str) -> str:
    """The canonical URL of comment ``comment_id`` on ``page_url``."""
    return canonical_url(f"{urldefrag(page_url)[0]}#{COMMENT_FRAGMENT_PREFIX}{comment_id}")


def absolute_http_url(base_url: str, href: str | None) -> str | None:
    """``href`` resolved against ``base_url``, or None unless it is an http(s) URL."""
    if not href or not href.strip():
        return None
    joined = urljoin(base_url, href.strip())
    return joined if urlsplit(joined).scheme in ("http", "https") else None


def site_host(url: str) -> str:
    """Host without a leading ``www.``: blogs serve both and link to either."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def is_same_site(url: str, other: str) -> bool:
    first, second = urlsplit(url), urlsplit(other)
    return site_host(url) == site_host(other) and first.port == second.port


def page_url(url: str) -> str:
    """``url`` without its fragment: the page a comment anchor lives on."""
    return urldefrag(url)[0]
