"""Every extraction path runs on real bytes, in this process and in the parse workers.

An import-time break in a parser dependency (e.g. lxml without lxml_html_clean, which
trafilatura's jusText needs) must fail here, loudly, instead of becoming one "failed" line per
page at run time.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from collectors.articles import extract_article
from collectors.discourse import parse_topic_documents
from collectors.feeds import parse_feed
from collectors.hackernews import parse_item_tree
from collectors.html_comments import extract_comments
from collectors.parsing import ParsePool
from collectors.reddit import parse_thread

FIXTURES = Path(__file__).parents[1] / "fixtures"
BASE = "https://blog.example"


def _page() -> bytes:
    html = (FIXTURES / "sites/wpclassic/acme-launch/index.html").read_text(encoding="utf-8")
    return html.replace("{{BASE}}", BASE).encode()


def _feed() -> list[Any]:
    body = (FIXTURES / "feeds/wordpress_posts.rss").read_bytes()
    return list(parse_feed(body, f"{BASE}/feed/", {}).entries)


def _article() -> list[Any]:
    found = extract_article(_page(), f"{BASE}/acme-launch/")
    return [found.text] if found and "launch party" in found.text else []


def _comments() -> list[Any]:
    return extract_comments(_page(), f"{BASE}/acme-launch/", "post-key", "Acme launch party")


def _reddit() -> list[Any]:
    path = next((FIXTURES / "reddit/site/r/acme/comments").glob("*/*.json"))
    return parse_thread(path.read_bytes(), "https://www.reddit.com/r/acme/comments/x.json")


def _hackernews() -> list[Any]:
    body = (FIXTURES / "hackernews/items/40291234.json").read_bytes()
    return parse_item_tree(body, "https://hn.algolia.com/api/v1/items/40291234")


def _discourse() -> list[Any]:
    path = next((FIXTURES / "discourse/site/t").glob("*/4521.json"))
    return parse_topic_documents(path.read_bytes(), "https://forum.example/t/x/4521.json",
                                 "https://forum.example")


PATHS: dict[str, Callable[[], list[Any]]] = {
    "feed": _feed, "article page (trafilatura)": _article, "html comments": _comments,
    "reddit": _reddit, "hacker news": _hackernews, "discourse": _discourse,
}


@pytest.mark.parametrize("name", PATHS)
def test_each_extraction_path_yields_documents(name: str) -> None:
    assert PATHS[name](), f"{name} extracted nothing from its fixture"


@pytest.mark.parametrize("name", PATHS)
def test_each_extraction_path_runs_in_a_parse_worker(name: str) -> None:
    pool = ParsePool(workers=1, inline_below_bytes=0)
    try:
        found = asyncio.run(pool.run(name, 1, PATHS[name]))
    finally:
        pool.close()
    assert found, f"{name} extracted nothing in a worker"


@pytest.mark.parametrize("module", ["trafilatura", "trafilatura.external", "justext",
                                    "lxml.html.clean", "feedparser", "selectolax.lexbor"])
def test_parser_dependencies_import(module: str) -> None:
    importlib.import_module(module)
