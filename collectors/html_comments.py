"""Comments from an article page's HTML, for blogs whose feeds carry no comment feed.

Theme families mark comments up differently, so extraction runs through selector profiles
in order (WordPress default themes, other common theme markup, then a fallback on comment
anchors) and keeps the first profile that finds anything. A comment is any element of the
profile's item selector carrying a comment id (``comment-12``, ``li-comment-12``,
``div-comment-12``, Blogger's ``c12``); its fields are looked up only in the part of the
subtree that is not inside a nested comment, and its parent is the nearest enclosing comment.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser, LexborNode

from collectors.comment_text import clean_comment_text
from collectors.dates import parse_iso, parse_loose
from collectors.document import Document
from collectors.jsonld_comments import extract_jsonld_comments
from collectors.text import node_text, normalise_space
from collectors.urls import canonical_url, page_url

# Ids are numbers (WordPress), or tokens with a digit in them (``comment-c21``,
# ``comment-9f3b7a``): ``comment-form`` or ``comment-list`` never are comments.
COMMENT_ID = re.compile(r"^(?:li-|div-)?comment-([A-Za-z0-9_]*\d[A-Za-z0-9_-]*)$|^c(\d+)$")
SAYS_WORDS = r"says|said|wrote|sagt|schreibt|schrieb|dit|écrit|dice|escribió|scrive|schreef|zegt"
SAYS = re.compile(rf"\s+({SAYS_WORDS})\s*(?::|\.\.\.|…)?\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CommentProfile:
    """Where one theme family puts comments and their fields (selectors in preference order)."""

    name: str
    containers: str
    items: str
    authors: Sequence[str]
    times: Sequence[str]  # elements whose datetime/title attribute or text is the time
    contents: Sequence[str]


COMMON_AUTHORS = (".comment-author .fn", "cite.fn", "b.fn", ".fn", "cite", ".comment-author",
                  '[property="schema:name"]')
COMMON_TIMES = (
    ".comment-metadata time[datetime]",
    ".comment-meta time[datetime]",
    "time[datetime]",
    "time[pubdate]",
    "abbr[title]",
    ".comment-meta a",
    ".commentmetadata a",
    ".comment-date",
)
COMMON_CONTENTS = (".comment-content", ".comment-text", ".comment-body", "[itemprop=text]",
                   ".field--name-comment-body")
# Reply and edit links, "says:", action bars: never part of what the commenter wrote.
CHROME = (".reply, .comment-reply-link, .comment-edit-link, .says, .comment-actions, "
          "ul.links, .comment-links, .edit-link, .comment-respond, form, button, script, style")

PROFILES = (
    CommentProfile(
        name="wordpress",
        containers="ol.commentlist, ol.comment-list, ul.commentlist, ul.comment-list",
        items="li.comment, li.review",
        authors=COMMON_AUTHORS,
        times=COMMON_TIMES,
        contents=COMMON_CONTENTS,
    ),
    CommentProfile(
        name="themes",
        containers="div.comments, ol.comments, ul.comments, section.comments, #comments",
        items=".comment, li[id], article[id], div[id]",
        authors=(*COMMON_AUTHORS, ".author", ".comment-author-name", "[itemprop=author]"),
        times=(*COMMON_TIMES, ".date", ".comment-time"),
        contents=(*COMMON_CONTENTS, ".content", ".text", "[class*=body]"),
    ),
    CommentProfile(
        name="fallback",
        containers="body",
        items='[id^="comment-"], [id^="li-comment-"], [id^="div-comment-"]',
        authors=(*COMMON_AUTHORS, ".author", "strong"),
        times=COMMON_TIMES,
        contents=(*COMMON_CONTENTS, ".content", ".text"),
    ),
)
# Blogger's classic template and Dotclear: the author line in a <dt> with the comment's id,
# the words in the <dd> elements after it.
DEFINITION_LISTS = "dl#comments-block, #comments dl, dl.comments, .comments dl"
# "… par Paul", "… by Paul", "… von Paul": the author at the end of a Dotclear-style line.
BY_AUTHOR = re.compile(r"\s(?:par|by|von|por|di|door)\s", re.IGNORECASE)
# The frame around a comment's words when no selector found them.
FRAME = (".comment-author, .comment-meta, .comment-metadata, .commentmetadata, .vcard, "
         "time, .date, .comment-date, header, footer, [class*=head], [class*=user], "
         "[class*=author], [class*=date], [class*=meta]")


@dataclass(frozen=True, slots=True)
class _Found:
    node: LexborNode
    anchor: str  # "comment-12" or "c12"
    parent_anchor: str | None


def extract_comments(
    html: str | bytes, page: str, post_key: str, thread_title: str = ""
) -> list[Document]:
    """Comment Documents found in ``html`` of the article at ``page`` (whose key is
    ``post_key``); top-level comments get ``post_key`` as parent. Document order. Comments
    without words are left out (their replies move up to the nearest comment kept)."""
    tree = LexborHTMLParser(html)
    page = canonical_url(page_url(page))
    found = _definition_list_comments(tree, page, post_key, thread_title)
    for profile in PROFILES:
        if found:
            break
        items = _find_comments(tree, profile)
        if items:
            found = _documents(items, profile, page, post_key, thread_title)
    if not found:
        found = extract_jsonld_comments(tree, page, post_key, thread_title)
    if not found:
        from collectors.comment_fallback import extract_unmarked_comments

        found = extract_unmarked_comments(html, page, post_key, thread_title)
    return drop_empty(found, post_key)


def drop_empty(documents: list[Document], post_key: str) -> list[Document]:
    """Documents with text; a dropped comment's replies take its parent."""
    parents = {d.key: d.parent_key for d in documents}
    dropped = {d.key for d in documents if not d.text.strip()}
    kept = []
    for document in documents:
        if document.key in dropped:
            continue
        parent = document.parent_key
        while parent in dropped:
            parent = parents.get(parent) or post_key
        kept.append(document if parent == document.parent_key
                    else dataclasses.replace(document, parent_key=parent))
    return kept


def _find_comments(tree: LexborHTMLParser, profile: CommentProfile) -> list[_Found]:
    candidates: list[tuple[LexborNode, str]] = []
    seen_anchors: set[str] = set()
    for container in tree.css(profile.containers):
        for node in container.css(profile.items):
            anchor = _anchor_of(node) if node.mem_id != container.mem_id else None
            if anchor is not None and anchor not in seen_anchors:
                seen_anchors.add(anchor)
                candidates.append((_comment_of_anchor(node), anchor))
    by_id = {node.mem_id: anchor for node, anchor in candidates}
    return [_Found(node, anchor, _enclosing(node, by_id)) for node, anchor in candidates]


def _comment_of_anchor(node: LexborNode) -> LexborNode:
    """An empty ``<a id="comment-N">`` only marks where the comment is: the element after
    it (Drupal), or else the one around it."""
    if node.tag != "a" or normalise_space(node.text()):
        return node
    following = node.next
    while following is not None and following.tag in ("-text", "-comment"):
        following = following.next
    if following is not None and following.tag != "a" and _anchor_of(following) is None:
        return following
    return node.parent or node
def _anchor_of(node: LexborNode) -> str | None:
    """The comment anchor named by the node's id, or by a child's id (some themes put the
    id on the comment's first inner element)."""
    own_id = node.attributes.get("id")
    if own_id:
        return _anchor_from_id(own_id)
    for child in node.iter(include_text=False):
        anchor = _anchor_from_id(child.attributes.get("id"))
        if anchor is not None:
            return anchor
    return None


def _anchor_from_id(value: str | None) -> str | None:
    found = COMMENT_ID.match(value or "")
    if found is None:
        return None
    return f"comment-{found.group(1)}" if found.group(1) else f"c{found.group(2)}"


def _enclosing(node: LexborNode, by_id: dict[int, str]) -> str | None:
    """Anchor of the nearest comment element around ``node`` (not ``node`` itself)."""
    current = node.parent
    while current is not None:
        anchor = by_id.get(current.mem_id)
        if anchor is not None:
            return anchor
        current = current.parent
    return None


def _documents(
    found: list[_Found], profile: CommentProfile, page: str, post_key: str, title: str
) -> list[Document]:
    items = {f.node.mem_id: f.anchor for f in found}
    # Innermost first: each comment is read, then cut out so it cannot leak into the
    # author, time or text of the comment it is nested in.
    documents = []
    for item in reversed(found):
        documents.append(_document(item, profile, items, page, post_key, title))
        item.node.decompose()
    documents.reverse()
    return documents


def _document(
    item: _Found,
    profile: CommentProfile,
    items: dict[int, str],
    page: str,
    post_key: str,
    title: str,
) -> Document:
    url = f"{page}#{item.anchor}"
    parent = f"{page}#{item.parent_anchor}" if item.parent_anchor else post_key
    # Author and time first: reading the text takes the comment's frame out of the tree.
    author = _author_name(_own_first(item.node, profile.authors, items))
    published_at = _time(item.node, profile, items)
    return Document(
        key=url,
        url=url,
        kind="comment",
        title="",
        text=_content_text(item.node, profile, items),
        author=author,
        published_at=published_at,
        thread_url=page,
        thread_title=title,
        parent_key=parent,
    )


def _author_name(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    return SAYS.sub("", normalise_space(node.text())) or None


def _own_first(
    node: LexborNode, selectors: Sequence[str], items: dict[int, str]
) -> LexborNode | None:
    """First match, trying ``selectors`` in order, that belongs to ``node`` itself."""
    for selector in selectors:
        for match in node.css(selector):
            if match.mem_id not in items and _owner(match, items) == node.mem_id:
                return match
    return None


def _owner(match: LexborNode, items: dict[int, str]) -> int | None:
    current = match.parent
    while current is not None:
        if current.mem_id in items:
            return current.mem_id
        current = current.parent
    return None


def _time(node: LexborNode, profile: CommentProfile, items: dict[int, str]) -> datetime | None:
    for selector in profile.times:
        match = _own_first(node, (selector,), items)
        if match is None:
            continue
        attrs = match.attributes
        found = parse_iso(attrs.get("datetime")) or parse_iso(attrs.get("title"))
        found = found or parse_loose(normalise_space(match.text()))
        if found is not None:
            return found
    return None


def _content_text(node: LexborNode, profile: CommentProfile, items: dict[int, str]) -> str:
    _remove_owned(node, CHROME, items)
    content = _own_first(node, profile.contents, items)
    if content is not None:
        return clean_comment_text(node_text(content))
    paragraphs = [p for p in node.css("p") if _owner(p, items) == node.mem_id]
    text = "\n".join(normalise_space(p.text()) for p in paragraphs)
    if not text.strip():
        # Words straight inside the comment's element: everything but its frame.
        _remove_owned(node, FRAME, items)
        text = node_text(node)
    return clean_comment_text(text)


def _remove_owned(node: LexborNode, selector: str, items: dict[int, str]) -> None:
    for match in node.css(selector):
        if match.mem_id not in items and _owner(match, items) == node.mem_id:
            match.decompose()


def _definition_list_comments(
    tree: LexborHTMLParser, page: str, post_key: str, title: str
) -> list[Document]:
    documents: dict[str, Document] = {}  # one list can match several container selectors
    for container in tree.css(DEFINITION_LISTS):
        for term in container.css("dt"):
            anchor = _anchor_of(term)
            if anchor is not None and f"{page}#{anchor}" not in documents:
                document = _definition_document(term, anchor, page, post_key, title)
                documents[document.key] = document
    return list(documents.values())


def _definition_document(
    term: LexborNode, anchor: str, page: str, post_key: str, title: str
) -> Document:
    bodies = _descriptions(term)
    url = f"{page}#{anchor}"
    body = next((b for b in bodies if "footer" not in (b.attributes.get("class") or "")), None)
    return Document(
        key=url, url=url, kind="comment", title="",
        text=clean_comment_text(node_text(body)) if body is not None else "",
        author=_term_author(term), published_at=_term_time(term, bodies),
        thread_url=page, thread_title=title, parent_key=post_key,
    )


def _descriptions(term: LexborNode) -> list[LexborNode]:
    """The <dd> elements after ``term``, up to the next <dt>."""
    found: list[LexborNode] = []
    sibling = term.next
    while sibling is not None and sibling.tag != "dt":
        if sibling.tag == "dd":
            found.append(sibling)
        sibling = sibling.next
    return found


def _term_author(term: LexborNode) -> str | None:
    for link in term.css("a[href]"):
        href = link.attributes.get("href") or ""
        text = normalise_space(link.text())
        if text and not href.startswith("#") and "#c" not in href and not text[:-1].isdigit():
            return text
    text = normalise_space(node_text(term))
    text = BY_AUTHOR.split(text)[-1] if BY_AUTHOR.search(text) else text
    return SAYS.sub("", text).strip() or None


def _term_time(term: LexborNode, bodies: list[LexborNode]) -> datetime | None:
    for node in [term, *bodies]:
        for match in node.css("time[datetime], .comment-timestamp a, abbr[title]"):
            attrs = match.attributes
            found = parse_iso(attrs.get("datetime")) or parse_iso(attrs.get("title"))
            found = found or parse_loose(normalise_space(match.text()))
            if found is not None:
                return found
    return None
