"""Comment extraction from article HTML, per theme family."""

from __future__ import annotations

import json
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


def test_comment_ids_need_not_be_numbers() -> None:
    html = """<section class="comments">
      <div class="comment" id="comment-x7"><span class="comment-author">Ada</span>
        <div class="comment-text">Token ids are read.</div></div>
      <div id="comment-form"><textarea></textarea></div></section>"""
    assert summary(html) == [("comment-x7", "Ada", POST, "Token ids are read.")]


def test_empty_comments_are_never_stored_and_their_replies_move_up() -> None:
    html = """<ol class="comment-list">
      <li class="comment" id="comment-1"><div class="comment-content"><p> </p></div>
        <ol class="children"><li class="comment" id="comment-2">
          <div class="comment-content">Still here.</div></li></ol></li></ol>"""
    assert summary(html) == [("comment-2", None, POST, "Still here.")]


def test_reply_links_and_says_headers_are_not_text() -> None:
    html = """<div id="comments"><ul class="comments">
      <li id="comment-3"><div class="comment-body">
        <p>Hans sagt:</p><p>4. März 2024 um 10:15</p><p>Die Maschine ist leise.</p>
        <p><a href="#">Antworten</a></p></div>
        <a class="comment-reply-link" href="#">Reply</a></li></ul></div>"""
    assert [d.text for d in extract_comments(html, PAGE, POST)] == ["Die Maschine ist leise."]


def test_definition_list_comments_read_the_sibling_dd() -> None:
    html = """<div id="comments"><dl id="comments-block">
      <dt class="comment-author" id="c55"><a name="c55"></a>
        <a href="https://www.blogger.com/profile/1">Nora</a> said...</dt>
      <dd class="comment-body"><p>Body in the dd.</p></dd>
      <dd class="comment-footer"><span class="comment-timestamp">
        <a href="?showComment=1#c55">2024-06-01T10:00:00Z</a></span></dd>
      <dt id="c56">Anonymous said...</dt><dd><p>Second.</p></dd></dl></div>"""
    documents = extract_comments(html, PAGE, POST)
    assert [(d.key.rsplit("#", 1)[1], d.author, d.text) for d in documents] == [
        ("c55", "Nora", "Body in the dd."), ("c56", "Anonymous", "Second.")]
    assert documents[0].published_at == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)


def test_empty_anchors_mark_the_comment_that_follows() -> None:
    html = """<div class="wrapper"><a id="comment-8"></a>
      <article class="comment"><span class="author">Uma</span>
        <div class="content"><p>Anchored before me.</p></div></article></div>"""
    assert summary(html) == [("comment-8", "Uma", POST, "Anchored before me.")]


def test_words_straight_inside_the_comment_element() -> None:
    html = """<div class="comments"><div class="comment" id="comment-4">
      <div class="comment-meta"><span class="comment-author">Eli</span> 2 days ago</div>
      Plain words with no paragraph.</div></div>"""
    assert summary(html) == [("comment-4", "Eli", POST, "Plain words with no paragraph.")]


def test_unmarked_reader_comments_fall_back_to_the_comment_section() -> None:
    html = """<html><body><article><p>News text.</p></article>
      <div id="comments-area"><div class="post-reply"><b class="nickname">rita</b>
        <span class="when">yesterday</span><div>First reader opinion.</div></div>
      <div class="post-reply"><b class="nickname">sam</b><div>Second opinion.</div></div>
      </div></body></html>"""
    documents = extract_comments(html, PAGE, POST)
    assert [(d.author, d.text, d.parent_key) for d in documents] == [
        ("rita", "First reader opinion.", POST), ("sam", "Second opinion.", POST)]
    assert documents[0].key.startswith(PAGE + "#comment-h")
    assert documents == extract_comments(html, PAGE, POST)  # keys are stable


def test_the_comment_form_is_not_taken_for_comments() -> None:
    html = """<div id="comments"><form><p class="row"><label>Name</label></p>
      <p class="row"><label>Email</label></p><p class="row"><label>Website</label></p></form>
      </div>"""
    assert extract_comments(html, PAGE, POST) == []


def test_labelled_comment_markups_meet_their_floors() -> None:
    """The labelled families of tests/data/comments (bench/comment_eval.py has the figures)."""
    for page in sorted((SITES.parent.parent / "data" / "comments").glob("*.html")):
        gold = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
        found = extract_comments(page.read_bytes(), PAGE, POST)
        assert len(found) == len(gold), page.stem
        assert [d.author for d in found] == [g["author"] for g in gold], page.stem
        assert all(d.text for d in found), page.stem


def test_json_ld_comments_and_forum_postings() -> None:
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
      "@graph": [{"@type": "DiscussionForumPosting", "headline": "Acme Duo leaks",
        "text": "Mine leaks.", "author": {"@type": "Person", "name": "op"},
        "comment": [
          {"@type": "Comment", "url": "https://forum.example/t/1#post-2",
           "text": "<p>Same here.</p>", "dateCreated": "2024-06-01T10:00:00+00:00",
           "author": {"@type": "Person", "name": "kim"},
           "interactionStatistic": {"@type": "InteractionCounter",
             "interactionType": "https://schema.org/LikeAction", "userInteractionCount": 4},
           "comment": [{"@type": "Comment", "text": "Fixed by a new seal.",
                        "author": [{"name": "lee"}]}]},
          {"@type": "Comment", "text": "   "}]}]}</script>
      <script type="application/ld+json">{broken</script></head><body><p>Post</p></body></html>"""
    first, reply = extract_comments(html, PAGE, POST)
    assert (first.key, first.author, first.text, first.parent_key) == (
        "https://forum.example/t/1#post-2", "kim", "Same here.", POST)
    assert first.published_at == datetime(2024, 6, 1, 10, 0, tzinfo=UTC)
    assert dict(first.engagement) == {"likes": 4}
    assert (reply.author, reply.text, reply.parent_key) == ("lee", "Fixed by a new seal.",
                                                            first.key)
    assert reply.key.startswith(PAGE + "#comment-j")
