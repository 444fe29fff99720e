"""Main text and metadata of article pages."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.articles import extract_article, read_page_meta
from collectors.pages import read_article_page
from tests.collectors.conftest import SITES

BASE = "https://blog.example"


def load(path: str) -> bytes:
    return (SITES / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_wordpress_article_text_without_sidebar_footer_or_comments() -> None:
    article = extract_article(
        load("wordpress/2024/05/hello-acme/index.html"), BASE + "/2024/05/hello-acme/?utm_source=x"
    )
    assert article is not None
    assert article.url == BASE + "/2024/05/hello-acme/"  # rel=canonical
    assert article.title == "Hello Acme"
    assert article.author == "Jane Writer"
    assert article.published_at == datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
    assert article.text.startswith("Our first look at the Acme Rocket Skates.")
    assert "faith & hope" in article.text
    for outside in (
        "Globex",
        "Initech",
        "Blogroll",
        "Recent Posts",
        "Leave a comment",
        "I love my Acme skates",
    ):
        assert outside not in article.text


def test_hand_written_article_drops_leading_title_and_blogroll() -> None:
    article = extract_article(
        load("htmlblog/posts/acme-review.html"), BASE + "/posts/acme-review.html"
    )
    assert article is not None
    assert article.text.startswith("The Acme drill arrived")
    assert "Globex" not in article.text
    assert "Hooli" not in article.text
    assert "chuck key for free" not in article.text  # a comment, not the post
    assert article.published_at == datetime(2024, 5, 8, 7, 0, tzinfo=UTC)


def test_page_without_main_text_gives_none() -> None:
    assert (
        extract_article(b"<html><head><title>Empty</title></head><body></body></html>", BASE)
        is None
    )


def test_page_meta_feeds_and_generator() -> None:
    meta = read_page_meta(load("wordpress/index.html"), BASE + "/")
    assert meta.feeds == (BASE + "/feed/", BASE + "/comments/feed/")
    assert meta.generator == "WordPress 6.5.3"
    assert meta.canonical is None


def test_read_article_page_keys_post_and_comments() -> None:
    harvest = read_article_page(
        load("wordpress/2024/04/quiet-week/index.html"), BASE + "/2024/04/quiet-week/"
    )
    assert harvest.post is not None
    assert harvest.post.key == BASE + "/2024/04/quiet-week/"
    assert [c.parent_key for c in harvest.comments] == [
        harvest.post.key,
        BASE + "/2024/04/quiet-week/#comment-205",
    ]
    keyed = read_article_page(
        load("wordpress/2024/04/quiet-week/index.html"),
        BASE + "/2024/04/quiet-week/",
        post_key="guid-9",
        with_comments=False,
    )
    assert keyed.post is not None
    assert keyed.post.key == "guid-9"
    assert keyed.comments == []
