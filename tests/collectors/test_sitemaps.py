"""Sitemaps and sitemap indexes, plain and gzipped, and hostile ones."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest

from collectors.errors import ParseError, ResponseTooLarge
from collectors.sitemaps import parse_sitemap
from tests.collectors.conftest import SITES


def test_index_and_gzipped_urlset() -> None:
    index = parse_sitemap((SITES / "htmlblog/sitemap_index.xml").read_bytes(), "u")
    assert index.is_index
    assert [e.loc for e in index.entries] == [
        "{{BASE}}/sitemap-posts.xml.gz",
        "{{BASE}}/sitemap-misc.xml",
    ]
    posts = parse_sitemap(gzip.compress((SITES / "htmlblog/sitemap-posts.xml").read_bytes()), "u")
    assert not posts.is_index
    assert posts.entries[0].loc.endswith("/posts/acme-review.html")
    assert posts.entries[0].lastmod == datetime(2024, 5, 8, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>not a sitemap</body></html>",
        b"<urlset><url><loc>unclosed",
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaa">]>'
        b"<urlset><url><loc>&a;</loc></url></urlset>",
        b"\x1f\x8bnot really gzip",
    ],
    ids=["html", "truncated", "entities", "bad-gzip"],
)
def test_unreadable_sitemaps_raise_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_sitemap(body, "https://s.example/sitemap.xml")


def test_gzip_bomb_sitemap_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 60_000_000 + b"</urlset>", compresslevel=9)
    with pytest.raises(ResponseTooLarge):
        parse_sitemap(bomb, "https://s.example/sitemap.xml.gz")
