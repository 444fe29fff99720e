"""A fast path for plain, well-formed RSS 2.0: the same raw entries feedparser would give.

feedparser walks every element through Python-level SAX callbacks; for a full-text feed of
20 items that is most of the time spent on it. Most feeds are plain RSS 2.0 with a handful of
well-known elements, which lxml reads in a fraction of that time. This module reads only
those feeds, and only when every element it meets is one whose meaning it reproduces
exactly (feedparser's own encoding detection, URI joining, date parsing and text fix-ups are
called or mirrored); anything else -- another format, an unknown or repeated element,
markup inside a text element, a DOCTYPE, an encoding problem, a parse error -- returns None,
and the caller parses with feedparser as before. ``bench/feed_parser_parity.py`` runs both
over feedparser's test corpus to check that where this path answers, the answer is the same.

The XML parser is hardened: no entity resolution, no DTD loading, no network, no huge trees.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Mapping
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.encodings import convert_to_utf8
from feedparser.html import _cp1252
from feedparser.urls import _urljoin, make_safe_absolute_uri
from lxml import etree  # type: ignore[import-untyped]

RawFeed = dict[str, Any]
RawEntry = dict[str, Any]

_NS = {
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wfw": "http://wellformedweb.org/commentapi/",
    "slash": "http://purl.org/rss/1.0/modules/slash/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "atom": "http://www.w3.org/2005/atom",
}
# Item children read (namespace URI lower-cased, local name lower-cased, as feedparser
# matches them) and the name feedparser gives each.
_ITEM_TEXT = {
    ("", "title"): "title",
    ("", "link"): "link",
    ("", "description"): "description",
    ("", "author"): "author",
    ("", "guid"): "guid",
    ("", "pubdate"): "published",
    ("", "comments"): "comments",
    (_NS["content"], "encoded"): "content",
    (_NS["dc"], "creator"): "author",
    (_NS["dc"], "date"): "updated",
    (_NS["wfw"], "commentrss"): "wfw_commentrss",
    (_NS["wfw"], "comment"): "wfw_comment",
    (_NS["slash"], "comments"): "slash_comments",
}
# Item children that change nothing the collectors read (categories, enclosures' links).
_ITEM_IGNORED = {("", "category"), ("", "enclosure")}
_CHANNEL_TEXT = {("", "title"): "title", ("", "link"): "link"}
# Channel children that change nothing read here. ``image`` and ``textinput`` hold their
# own title and link, which feedparser keeps apart as long as nothing else is inside them.
_CHANNEL_IGNORED = {
    ("", name) for name in (
        "description", "language", "copyright", "managingeditor", "webmaster", "pubdate",
        "lastbuilddate", "category", "generator", "docs", "cloud", "ttl", "rating",
        "skiphours", "skipdays",
    )
} | {(_NS["sy"], name) for name in ("updateperiod", "updatefrequency", "updatebase")}
_BOX_CHILDREN = {
    "image": {"url", "title", "link", "width", "height", "description"},
    "textinput": {"title", "description", "name", "link"},
}
# feedparser resolves these against the feed's address (guid only when it is a permalink).
_RELATIVE_URIS = {"link", "guid", "comments", "wfw_comment", "wfw_commentrss"}
_ENTITY_IN_LINK = re.compile(r"&([A-Za-z0-9_]+);")
_AUTHOR_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"""
    r"""([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
_DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)


class _Unusual(Exception):
    """Something this path does not reproduce: feedparser must parse the feed."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
        huge_tree=False, recover=False, remove_blank_text=False, strip_cdata=True,
    )


class _Parsers(threading.local):
    """One parser per thread: an lxml parser (and its error log) must not be shared by
    threads parsing at the same time."""

    def __init__(self) -> None:
        self.parser = _parser()


_PARSERS = _Parsers()


def parse_rss(
    body: bytes, url: str, headers: Mapping[str, str]
) -> tuple[RawFeed, list[RawEntry]] | None:
    """feedparser's ``feed`` and ``entries`` for a plain RSS 2.0 feed, or None to fall back.

    ``headers``: the response headers, lower-cased, with ``content-location`` set to ``url``
    (as the caller hands them to feedparser).
    """
    result: dict[str, Any] = {"bozo": False}
    data = convert_to_utf8(dict(headers), body, result)
    if result.get("bozo") or not result.get("encoding") or _DOCTYPE.search(data[:4096]):
        return None
    parser = _PARSERS.parser
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    if len(parser.error_log):
        return None  # e.g. an undeclared namespace prefix, which expat (feedparser) refuses
    content_location = str(headers.get("content-location", ""))
    base = make_safe_absolute_uri(content_location) or ""
    try:
        return _read_rss(root, base)
    except _Unusual:
        return None


def _read_rss(root: etree._Element, base: str) -> tuple[RawFeed, list[RawEntry]]:
    if root.tag != "rss" or root.get("version") != "2.0" or _has_base(root):
        raise _Unusual
    channels = list(root)
    if len(channels) != 1 or channels[0].tag != "channel" or channels[0].attrib:
        raise _Unusual
    feed: RawFeed = {}
    entries: list[RawEntry] = []
    seen: set[str] = set()
    for child in channels[0]:
        key = _name(child)
        if key == ("", "item"):
            entries.append(_read_item(child, base))
        elif key in _CHANNEL_TEXT:
            name = _CHANNEL_TEXT[key]
            _once(seen, name)
            value = _text(child, name, base)
            feed[name] = _ENTITY_IN_LINK.sub(r"&\g<1>", value) if name == "link" else value
        elif key == (_NS["atom"], "link"):
            _atom_link(child, feed, base)
        elif key[0] == "" and key[1] in _BOX_CHILDREN:
            _box(child, _BOX_CHILDREN[key[1]])
        elif key in _CHANNEL_IGNORED:
            _leaf_or_list(child)
        else:
            raise _Unusual
    return feed, entries


def _read_item(item: etree._Element, base: str) -> RawEntry:
    if item.attrib:
        raise _Unusual
    entry: RawEntry = {}
    seen: set[str] = set()
    guid_is_link = False
    for child in item:
        key = _name(child)
        if key in _ITEM_IGNORED:
            _leaf_or_list(child)
            continue
        name = _ITEM_TEXT.get(key)
        if name is None:
            raise _Unusual
        _once(seen, name)
        if name == "guid":
            guid_is_link = _permalink(child)
        value = _text(child, name, base, resolve=name != "guid" or guid_is_link)
        entry[name] = value
    return _as_feedparser_entry(entry, guid_is_link)


def _as_feedparser_entry(found: RawEntry, guid_is_link: bool) -> RawEntry:
    """The keys feedparser's entry dict would have for what was found."""
    entry: RawEntry = {}
    if "title" in found:
        entry["title"] = found["title"]
    if "link" in found:
        if not found["link"]:
            raise _Unusual  # an empty link element: what wins then depends on the order
        link = _ENTITY_IN_LINK.sub(r"&\g<1>", found["link"].replace("&amp;", "&"))
        entry["link"] = link
        entry["links"] = [{"rel": "alternate", "type": "text/html", "href": link}]
    if "guid" in found:
        entry["id"] = found["guid"]
        if guid_is_link and "link" not in found:
            entry["link"] = found["guid"]
    if "description" in found:
        entry["summary"] = found["description"]
    if "content" in found:
        entry["content"] = [{"type": "text/html", "value": found["content"]}]
        entry.setdefault("summary", found["content"])
    if "author" in found:
        entry["author"], entry["author_detail"] = _author(found["author"])
    for name in ("published", "updated"):
        if name in found:
            entry[f"{name}_parsed"] = _parse_date(found[name])
    for name in ("wfw_commentrss", "slash_comments"):
        if name in found:
            entry[name] = found[name]
    return entry


def _author(value: str) -> tuple[str, dict[str, str]]:
    """feedparser's author and author_detail of an author element's text."""
    author, email = value, None
    found = _AUTHOR_EMAIL.search(author)
    if found:
        email = found.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    detail: dict[str, str] = {}
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email
    return value, detail


def _atom_link(element: etree._Element, feed: RawFeed, base: str) -> None:
    """A channel's atom:link: only its ``next`` page is read; an alternate one would
    replace the channel's link, which this path does not reproduce."""
    if len(element) or (element.text and element.text.strip()):
        raise _Unusual
    attributes = {str(k).lower(): str(v) for k, v in element.attrib.items()}
    rel = attributes.get("rel", "alternate")
    href = attributes.get("href")
    if href is None or rel == "alternate" or set(attributes) - {"rel", "href", "type"}:
        raise _Unusual
    if rel == "next":
        if any(link.get("rel") == "next" for link in feed.get("links", ())):
            raise _Unusual
        feed.setdefault("links", []).append({"rel": rel, "href": _urljoin(base, href)})


def _leaf_or_list(element: etree._Element) -> None:
    """An ignored element must hold no elements (other than skipHours' hours and
    skipDays' days): one inside it, a link say, could change what feedparser reads."""
    for child in element:
        if _name(child) not in (("", "hour"), ("", "day")) or len(child):
            raise _Unusual


def _box(element: etree._Element, allowed: set[str]) -> None:
    for child in element:
        key = _name(child)
        if key[0] or key[1] not in allowed or len(child):
            raise _Unusual


def _text(element: etree._Element, name: str, base: str, *, resolve: bool = True) -> str:
    """An element's text as feedparser stores it: stripped, joined to the base when it is a
    URI, double-encoded UTF-8 repaired, Windows-1252 control codes mapped."""
    if len(element) or _has_base(element):
        raise _Unusual  # markup or comments inside: feedparser keeps them as text
    allowed = {"ispermalink"} if name == "guid" else set()
    if any(str(k).lower() not in allowed for k in element.attrib):
        raise _Unusual
    output = (element.text or "").strip()
    if resolve and name in _RELATIVE_URIS and output:
        output = _urljoin(base, output)
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        output = output.encode("iso-8859-1").decode("utf-8")
    return output.translate(_cp1252)


def _permalink(guid: etree._Element) -> bool:
    return str(guid.get("isPermaLink", guid.get("ispermalink", "true"))) == "true"


def _name(element: etree._Element) -> tuple[str, str]:
    tag = element.tag
    if not isinstance(tag, str):
        raise _Unusual  # a comment, processing instruction or entity among the elements
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        return uri.lower(), local.lower()
    return "", tag.lower()


def _once(seen: set[str], name: str) -> None:
    if name in seen:
        raise _Unusual  # which of two values feedparser keeps depends on the element
    seen.add(name)


def _has_base(element: etree._Element) -> bool:
    return "{http://www.w3.org/XML/1998/namespace}base" in element.attrib
