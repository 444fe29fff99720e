"""Plain text from HTML fragments (feed content, comment bodies), fast and without markup."""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

INVISIBLE_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "object", "form"]
BLOCK_SELECTOR = (
    "p,div,br,li,ul,ol,h1,h2,h3,h4,h5,h6,blockquote,pre,tr,table,section,article,"
    "header,footer,dd,dt,figcaption,hr"
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def html_to_text(html: str) -> str:
    """Visible text of ``html``: one line per block element, whitespace collapsed."""
    if "<" not in html and "&" not in html:
        return normalise_space(html)
    tree = LexborHTMLParser(html)
    return node_text(tree.body) if tree.body is not None else ""


def node_text(node: LexborNode) -> str:
    """Visible text of an element already in a parsed tree (modifies that tree)."""
    node.strip_tags(INVISIBLE_TAGS)
    for block in node.css(BLOCK_SELECTOR):
        block.insert_after("\n")
    return normalise_space(node.text(separator=""))


def normalise_space(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
