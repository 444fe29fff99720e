"""Reader comments in markup no profile knows, found where trafilatura finds comments.

trafilatura's comment search (its ``COMMENTS_XPATH``: sections named like comment lists)
locates the comment section; inside it, the comments are the largest run of sibling
elements that share a tag and class and carry text. Each becomes a comment keyed by a hash
of its words (the markup has no ids); the author is the element named like a user or an
author, and dates, actions and headers are left out of the text.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import lxml.html  # type: ignore[import-untyped]
from trafilatura.xpaths import COMMENTS_XPATH

from collectors.comment_text import clean_comment_text
from collectors.document import Document
from collectors.text import normalise_space

AUTHOR_HINTS = ("user", "author", "name", "nick")
FRAME_HINTS = ("date", "time", "when", "action", "meta", "head", "reply", "vote", "report",
               "avatar")
BLOCKS = frozenset({"div", "p", "br", "li", "ul", "ol", "section", "article", "header", "footer",
                    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "tr"})
MIN_ITEMS = 2


def extract_unmarked_comments(
    html: str | bytes, page: str, post_key: str, thread_title: str = ""
) -> list[Document]:
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):  # empty or unparseable
        return []
    section = _comment_section(tree)
    if section is None:
        return []
    for form in section.xpath(".//form"):  # the comment form's labels are nobody's words
        form.drop_tree()
    documents = [_document(item, page, post_key, thread_title) for item in _items(section)]
    return list({d.key: d for d in documents}.values())


def _comment_section(tree: Any) -> Any:
    for expression in COMMENTS_XPATH:
        found = [s for s in expression(tree) if s is not None]
        if found:
            return found[0]
    return None


def _signature(element: Any) -> tuple[str, str]:
    return (str(element.tag), " ".join(sorted((element.get("class") or "").split())))


def _items(section: Any) -> list[Any]:
    """The largest group of same-looking siblings with text, searched down the section."""
    best: list[Any] = []
    for parent in section.iter():
        children = [c for c in parent if isinstance(c.tag, str)]
        counts = Counter(_signature(c) for c in children)
        for signature, count in counts.items():
            group = [c for c in children if _signature(c) == signature]
            if count >= MIN_ITEMS and count > len(best) and all(_text(c) for c in group):
                best = group
    return best


def _text(element: Any) -> str:
    return normalise_space(element.text_content())


def _hinted(element: Any, hints: tuple[str, ...]) -> bool:
    names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    return any(h in names for h in hints)


def _document(item: Any, page: str, post_key: str, title: str) -> Document:
    author = next((_text(e) for e in item.iter() if isinstance(e.tag, str)
                   and e is not item and _hinted(e, AUTHOR_HINTS) and _text(e)), None)
    for element in list(item.iter()):
        if element is not item and isinstance(element.tag, str) and (
            _hinted(element, (*AUTHOR_HINTS, *FRAME_HINTS))
            or element.tag in ("script", "style", "button", "form")
        ):
            element.drop_tree()
    for element in item.iter():
        if element is not item and element.tag in BLOCKS:  # blocks are lines of their own
            element.tail = "\n" + (element.tail or "")
            element.text = "\n" + (element.text or "")
    lines = [normalise_space(line) for line in item.text_content().splitlines()]
    text = clean_comment_text("\n".join(line for line in lines if line))
    digest = hashlib.sha256(f"{author}\n{text}".encode()).hexdigest()[:16]
    url = f"{page}#comment-h{digest}"
    return Document(key=url, url=url, kind="comment", title="", text=text, author=author,
                    thread_url=page, thread_title=title, parent_key=post_key)
