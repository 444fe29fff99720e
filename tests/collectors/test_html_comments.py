"""Comment extraction from article HTML, per theme family."""

from __future__ import annotations

from datetime import UTC, datetime

from collectors.html_comments import extract_comments
from tests.collectors.conftest import SITES

PAGE = "https://blog.example/post/"
POST = "https://blog.example/?p=1"


def load(path: str) -> str:
    return (SITES / path).read_text().replace("{{BASE}}", "https://blog.example")


def summary(html: str, page: str = PAGE) -> list[tuple[str, str | None, str | None, str]]:
    return [
        (d.key.rsplit("#", 1)[1], d.author, d.parent_key, d.text)
        for d in extract_comments(html, page, POST, "Post")
    ]


def test_wordpress_modern_theme_with_nested_reply() -> None:
    documents = extract_comments(
        load("wordpress/2024/05/hello-acme/index.html"), PAGE, POST, "Hello"
    )
    assert [(d.key, d.author, d.parent_key) for d in documents] == [
        (PAGE + "#comment-201", "Alice", POST),
        (PAGE + "#comment-202", "Bob", PAGE + "#comment-201"),
        (PAGE + "#comment-203", "Carol", POST),
    ]
    assert documents[1].published_at == datetime(2024, 5, 6, 12, 40, tzinfo=UTC)  # +02:00 source
    assert documents[1].text == "Same here, the brakes work fine for me."
    assert all(d.kind == "comment" and d.url == d.key for d in documents)
    assert all(d.thread_url == PAGE and d.thread_title == "Hello" for d in documents)


def test_wordpress_classic_theme_three_levels_and_pingback_skipped() -> None:
    found = summary(load("wpclassic/acme-launch/index.html"))
    assert found == [
        (
            "comment-301",
            "Gina",
            POST,
            "The keyrings are adorable. Acme knows how to throw a party.",
        ),
        (
            "comment-302",
            "Pat Blogger",
            PAGE + "#comment-301",
            "Mine is already lost, as predicted.",
        ),
        (
            "comment-304",
            "Gina",
            PAGE + "#comment-302",
            "Check the anvil display, it is probably under a cushion.",
        ),
        ("comment-303", "Anonymous", POST, "Were the anvils for sale?"),
    ]
    times = [
        d.published_at
        for d in extract_comments(load("wpclassic/acme-launch/index.html"), PAGE, POST)
    ]
    assert times[0] == datetime(2024, 5, 7, 9, 15, tzinfo=UTC)  # "May 7, 2024 at 9:15 am"
    assert times[2] == datetime(2024, 5, 8, 20, 5, tzinfo=UTC)


def test_generic_theme_markup_cite_and_time_pubdate() -> None:
    documents = extract_comments(load("htmlblog/posts/acme-review.html"), PAGE, POST)
    assert [(d.author, d.parent_key, d.text) for d in documents] == [
        ("Ivan", POST, "Acme support replaced my chuck key for free."),
        ("Olga Maker", PAGE + "#comment-11", "Good to know, thanks Ivan!"),
        ("Jo", POST, "Mine is too loud."),
    ]
    assert [d.published_at for d in documents] == [
        datetime(2024, 5, 8, 12, 0, tzinfo=UTC),
        datetime(2024, 5, 8, 12, 30, tzinfo=UTC),
        datetime(2024, 5, 9, 8, 0, tzinfo=UTC),
    ]


def test_ol_comments_with_plain_paragraphs() -> None:
    html = """<html><body><article><p>Post</p></article>
    <ol class="comments">
      <li id="comment-5"><strong class="author">Zed</strong>
        <abbr title="2024-01-02T03:04:05Z">Jan 2</abbr>
        <p>First paragraph.</p><p>Second paragraph.</p>
        <ol><li id="comment-6"><span class="author">Yan</span><p>Reply here.</p></li></ol>
      </li>
    </ol></body></html>"""
    documents = extract_comments(html, PAGE, POST)
    assert [(d.author, d.parent_key, d.text) for d in documents] == [
        ("Zed", POST, "First paragraph.\nSecond paragraph."),
        ("Yan", PAGE + "#comment-5", "Reply here."),
    ]
    assert documents[0].published_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_fallback_profile_finds_comment_anchors_anywhere() -> None:
    html = """<html><body><div class="discussion">
      <div id="comment-77"><span class="fn">Kim</span>
        <div class="comment-text">Hello from a custom theme.</div></div>
    </div></body></html>"""
    assert summary(html) == [("comment-77", "Kim", POST, "Hello from a custom theme.")]


def test_page_without_comments_and_comment_form_only() -> None:
    assert extract_comments(load("wpclassic/second-post/index.html"), PAGE, POST) == []
    form_only = (
        '<div id="comments"><div id="respond"><textarea id="comment"></textarea></div></div>'
    )
    assert extract_comments(form_only, PAGE, POST) == []


def test_comment_urls_are_canonical_and_anchored_on_the_post() -> None:
    html = (
        '<ol class="comment-list"><li class="comment" id="comment-9">'
        '<div class="comment-content">x</div></li></ol>'
    )
    (document,) = extract_comments(
        html, "HTTPS://Blog.Example:443/post/?utm_source=x#respond", POST
    )
    assert document.key == "https://blog.example/post/#comment-9"
    assert document.thread_url == "https://blog.example/post/"
    assert document.author is None
    assert document.published_at is None


def test_scripts_in_comment_bodies_are_not_text() -> None:
    html = (
        '<ol class="comment-list"><li class="comment" id="comment-1">'
        '<div class="comment-content"><p>Hi<script>evil()</script> there</p>'
        "<style>p{}</style></div></li></ol>"
    )
    assert [d.text for d in extract_comments(html, PAGE, POST)] == ["Hi there"]
