"""sitemaps.org files: URL sets and sitemap indexes, plain or gzipped. Parsing only, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]

from collectors.bodies import BoundedDecoder
from collectors.dates import parse_iso
from collectors.errors import FetchError, ParseError, ResponseTooLarge

GZIP_MAGIC = b"\x1f\x8b"
MAX_SITEMAP_BYTES = 50_000_000  # the protocol's limit for an uncompressed sitemap
MAX_SITEMAP_ENTRIES = 50_000


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class Sitemap:
    is_index: bool  # entries are sitemaps, not pages
    entries: tuple[SitemapEntry, ...]


def parse_sitemap(body: bytes, url: str) -> Sitemap:
    """Parse a sitemap or sitemap index; gzip (by magic bytes) is inflated under a cap."""
    data = _gunzip(body, url) if body[:2] == GZIP_MAGIC else body
    try:
        root = SafeET.fromstring(data)
    except Exception as exc:  # defusedxml raises ParseError, EntitiesForbidden, DTDForbidden...
        raise ParseError(url, f"not a readable sitemap ({type(exc).__name__}: {exc})") from exc
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise ParseError(url, f"not a sitemap (root element <{kind}>)")
    nodes = (node for node in root if _local(node.tag) in ("url", "sitemap"))
    # The protocol allows 50,000 entries a file; more is not a sitemap anyone needs read whole.
    entries = tuple(_entry(node) for node, _ in zip(nodes, range(MAX_SITEMAP_ENTRIES),
                                                    strict=False))
    return Sitemap(kind == "sitemapindex", tuple(e for e in entries if e.loc))


def _gunzip(body: bytes, url: str) -> bytes:
    decoder = BoundedDecoder(url, "gzip", MAX_SITEMAP_BYTES)
    try:
        return decoder.feed(body) + decoder.flush()
    except ResponseTooLarge:
        raise
    except FetchError as exc:
        raise ParseError(url, f"corrupt gzipped sitemap ({exc.reason})") from exc


def _entry(node: Any) -> SitemapEntry:
    loc, lastmod = "", None
    for child in node:
        name, text = _local(child.tag), (child.text or "").strip()
        if name == "loc":
            loc = text
        elif name == "lastmod":
            lastmod = parse_iso(text)
    return SitemapEntry(loc, lastmod)


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]
