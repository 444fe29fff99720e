"""OPML, the file feed readers move subscriptions in: read it, decide what to import, write it.

An import is a plan decided from the file and the URLs already stored: each outline with an
``xmlUrl`` is new, a duplicate (of an earlier outline or of a stored source) or refused
(not an http(s) URL, too long, or pointing at a private address), so importing the same file
twice adds nothing the second time. Folders (outlines holding outlines) are flattened.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET  # type: ignore[import-untyped]
from defusedxml import DefusedXmlException

FEED_TYPE = "rss"
MAX_URL_CHARS = 2000
MAX_NAME_CHARS = 200
_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


class OpmlError(ValueError):
    """The file is not OPML (or not XML at all, or uses forbidden XML features)."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    name: str
    kind: str | None = None  # the outline's type when it names a source kind other than rss
    options: Mapping[str, str] = field(default_factory=dict)  # our own ``options`` attribute


@dataclass(slots=True)
class ImportPlan:
    new: list[OpmlFeed] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


def parse_opml(body: bytes, known_kinds: Iterable[str] = ()) -> list[OpmlFeed]:
    """Every outline with an ``xmlUrl``, in document order. ``type`` becomes the kind when it
    is one of ``known_kinds`` (``type="rss"`` is what readers write for any feed)."""
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise OpmlError(f"not a readable OPML file: {exc}") from None
    if root.tag.lower() != "opml" or root.find("body") is None:
        raise OpmlError("not an OPML file: expected <opml> with a <body>")
    kinds = set(known_kinds)
    return [_feed(o, kinds) for o in _outlines(root.find("body")) if o.get("xmlUrl") is not None]


def _outlines(parent: Element | None) -> Iterator[Element]:
    stack = list(reversed(list(parent))) if parent is not None else []
    while stack:
        node = stack.pop()
        if node.tag.lower() == "outline":
            yield node
            stack.extend(reversed(list(node)))


def _feed(outline: Element, kinds: set[str]) -> OpmlFeed:
    url = (outline.get("xmlUrl") or "").strip()
    name = (outline.get("title") or outline.get("text") or "").strip() or url
    kind = (outline.get("type") or "").strip().lower()
    # Readers write type="rss" for every feed, Atom and blogs' pages too: detection decides.
    known = kind if kind in kinds and kind != FEED_TYPE else None
    return OpmlFeed(url, name[:MAX_NAME_CHARS], known, _options(outline.get("options")))


def _options(text: str | None) -> dict[str, str]:
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def decide_import(feeds: Iterable[OpmlFeed], stored_urls: Iterable[str], *,
                  allow_private: bool = False,
                  kind_problem: Callable[[OpmlFeed], str | None] = lambda _: None
                  ) -> ImportPlan:
    """Which feeds to add, which are duplicates and which are refused, with the reasons;
    ``kind_problem`` says what is wrong with a feed's kind and options."""
    plan = ImportPlan()
    stored = {compute_url_key(u) for u in stored_urls}
    seen: set[str] = set()
    for feed in feeds:
        problem = url_problem(feed.url, allow_private=allow_private) or kind_problem(feed)
        key = compute_url_key(feed.url)
        if problem:
            plan.refused.append((feed.url, problem))
        elif key in stored:
            plan.duplicates.append((feed.url, "already a source"))
        elif key in seen:
            plan.duplicates.append((feed.url, "listed twice in the file"))
        else:
            seen.add(key)
            plan.new.append(feed)
    return plan


def url_problem(url: str, *, allow_private: bool = False) -> str | None:
    """Why ``url`` cannot be a source, or None."""
    if len(url) > MAX_URL_CHARS:
        return f"longer than {MAX_URL_CHARS} characters"
    if not _URL_RE.match(url):
        return "not an http:// or https:// URL"
    host = (urlsplit(url).hostname or "").lower()
    if not allow_private and _is_private_host(host):
        return "points at a private or local address"
    return None


def _is_private_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name: the fetcher checks where it resolves, on every request
    return not address.is_global


def compute_url_key(url: str) -> str:
    """What makes two feed URLs the same: scheme and host in any case, no fragment."""
    parts = urlsplit(url.strip())
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{rest}"


def render_opml(feeds: Iterable[OpmlFeed], title: str = "brand-monitor sources") -> str:
    """OPML 2.0 with one outline per source; ``type`` is the kind (``rss`` for feeds and
    sources whose kind is not known yet), kind options in an ``options`` attribute (JSON)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             f"  <head><title>{_attr(title)}</title></head>", "  <body>"]
    for feed in feeds:
        options = f' options="{_attr(json.dumps(dict(feed.options)))}"' if feed.options else ""
        lines.append(f'    <outline type="{_attr(feed.kind or FEED_TYPE)}"'
                     f' text="{_attr(feed.name)}" title="{_attr(feed.name)}"'
                     f' xmlUrl="{_attr(feed.url)}"{options}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _attr(value: str) -> str:
    escaped = (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               .replace('"', "&quot;"))
    # Characters XML 1.0 cannot carry at all are dropped rather than breaking the file.
    return "".join(c for c in escaped if c in "\t\n\r" or ord(c) >= 0x20)
