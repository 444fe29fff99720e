"""Hostile content that once slipped past a guard."""

from __future__ import annotations

import pytest

from collectors.errors import ParseError
from collectors.feeds import parse_feed
from collectors.reddit import safe_permalink
from collectors.robots import MAX_ROBOTS_BYTES, parse_robots


def test_an_entity_bomb_behind_padding_is_still_refused() -> None:
    padding = b"<!--" + b"x" * 200_000 + b"-->"
    bomb = (b'<?xml version="1.0"?>' + padding +
            b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b"<rss><channel><title>&b;</title></channel></rss>")
    with pytest.raises(ParseError, match="entities"):
        parse_feed(bomb, "http://feeds.example/x", {"content-type": "application/rss+xml"})


@pytest.mark.parametrize("permalink", [
    "@127.0.0.3:8080/other", ".evil.example/x", "//evil.example/x", "https://evil.example/x",
    "/r/a@evil.example/x", "", "r/a/comments/1/",
])
def test_reddit_permalinks_cannot_change_the_host(permalink: str) -> None:
    with pytest.raises(ValueError, match="permalink"):
        safe_permalink(permalink)


def test_a_plain_reddit_permalink_is_kept() -> None:
    assert safe_permalink("/r/espresso/comments/abc/title/") == "/r/espresso/comments/abc/title/"


def test_robots_beyond_500_kib_is_ignored() -> None:
    body = b"User-agent: *\nDisallow: /private/\n" + b"#" * MAX_ROBOTS_BYTES
    body += b"\nSitemap: https://site.example/late.xml\n"
    rules = parse_robots(body, expires_at=0.0)
    assert "https://site.example/late.xml" not in rules.sitemaps
