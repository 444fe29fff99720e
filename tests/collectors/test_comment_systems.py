"""Comments loaded from elsewhere: WordPress REST (paginated) and Disqus embeds, on loopback."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from collectors import blog
from collectors.comment_systems import (
    DisqusThread,
    WordPressThread,
    collect_embedded_comments,
    find_comment_systems,
    parse_disqus_embed,
)
from collectors.document import FetchState, ThreadRef
from collectors.errors import ParseError
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply
from tests.collectors.search_support import params

pytestmark = pytest.mark.anyio
Start = Callable[..., FixtureServer]
OPTIONS = FetchOptions(user_agent="brand-monitor-test/1.0", allow_private_networks=True)
HTML = {"Content-Type": "text/html; charset=UTF-8"}
EMBED = "https://disqus.com/embed/comments/?f=acme-blog"


def wp_page(base: str) -> bytes:
    return f"""<!DOCTYPE html><html><head><title>Acme Duo review</title>
      <link rel="https://api.w.org/" href="{base}/wp-json/">
      <link rel="alternate" type="application/json" href="{base}/wp-json/wp/v2/posts/42">
      <link rel="shortlink" href="{base}/?p=42"></head>
      <body class="post-template-default single single-post postid-42">
      <article><h1>Acme Duo review</h1><p>Comments load with JavaScript here.</p></article>
      <div id="comments"></div></body></html>""".encode()


def wp_comment(comment_id: int, parent: int = 0, kind: str = "comment") -> dict[str, object]:
    return {"id": comment_id, "post": 42, "parent": parent, "author": 0,
            "author_name": f"reader{comment_id}", "author_url": "",
            "date": "2024-05-06T14:40:00", "date_gmt": "2024-05-06T12:40:00",
            "content": {"rendered": f"<p>Comment {comment_id} about Acme.</p>\n"},
            "link": f"https://blog.example/acme/#comment-{comment_id}", "status": "approved",
            "type": kind, "author_avatar_urls": {"24": "https://secure.gravatar.com/a"},
            "meta": [], "_links": {"self": [{"href": "…"}]}}


COMMENT_PAGES = [[wp_comment(1), wp_comment(2, parent=1), wp_comment(3, kind="pingback")],
                 [wp_comment(4)]]


def wp_comments(request: RecordedRequest) -> Reply:
    query = params(request)
    assert query["post"] == "42"
    page = int(query["page"])
    return Reply(200, json.dumps(COMMENT_PAGES[page - 1]).encode(),
                 {"Content-Type": "application/json; charset=UTF-8", "X-WP-Total": "4",
                  "X-WP-TotalPages": "2"})


async def read_thread(server: FixtureServer, path: str = "/acme/") -> object:
    ref = ThreadRef(server.url(path), "blog", server.url(path), "Acme Duo review",
                    server.url("/?p=42"))
    async with build_fetcher(OPTIONS) as fetcher:
        return await blog.collect_thread(fetcher, ref, FetchState())


def test_comment_systems_are_found_in_the_page() -> None:
    found = find_comment_systems(wp_page("https://blog.example"), "https://blog.example/acme/")
    assert found == [WordPressThread("https://blog.example/wp-json/", 42)]
    disqus = """<div id="disqus_thread"></div><script>var disqus_config = function () {
      this.page.url = 'https://blog.example/acme/'; this.page.identifier = 'post-42'; };
      (function() { var s = document.createElement('script');
      s.src = 'https://acme-blog.disqus.com/embed.js'; })();</script>"""
    (thread,) = find_comment_systems(disqus, "https://blog.example/acme/?utm=x")
    assert thread == DisqusThread("acme-blog", "post-42", "https://blog.example/acme/")
    assert "f=acme-blog" in thread.embed_url()
    assert "t_i=post-42" in thread.embed_url()


async def test_wordpress_rest_comments_paginated(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes["/acme/"] = Reply(200, wp_page(server.base_url), HTML)
    server.routes["/wp-json/wp/v2/comments"] = wp_comments
    result = await read_thread(server)
    page = server.url("/acme/")
    assert [(d.key, d.author, d.parent_key) for d in result.documents] == [
        (f"{page}#comment-1", "reader1", server.url("/?p=42")),
        (f"{page}#comment-2", "reader2", f"{page}#comment-1"),
        (f"{page}#comment-4", "reader4", server.url("/?p=42")),
    ]
    assert result.documents[0].text == "Comment 1 about Acme."
    assert result.documents[0].published_at.isoformat() == "2024-05-06T12:40:00+00:00"
    pages = [params(r)["page"] for r in server.requests_for("/wp-json/wp/v2/comments")]
    assert pages == ["1", "2"]


async def test_a_closed_or_broken_rest_api_is_a_warning(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes["/acme/"] = Reply(200, wp_page(server.base_url), HTML)
    server.routes["/wp-json/wp/v2/comments"] = Reply(
        401, b'{"code":"rest_cannot_read","message":"Sorry","data":{"status":401}}',
        {"Content-Type": "application/json"})
    result = await read_thread(server)
    assert result.documents == []
    assert "not read from WordPressThread" in result.warnings[0]
    server.routes["/wp-json/wp/v2/comments"] = Reply(200, b'{"not": "a list"}',
                                                     {"Content-Type": "application/json"})
    result = await read_thread(server)
    assert "not WordPress comments" in result.warnings[0]


def disqus_embed(posts: list[dict[str, object]]) -> bytes:
    data = {"cursor": {"hasNext": False, "next": None}, "code": 0,
            "response": {"thread": {"id": "9001", "forum": "acme-blog"}, "posts": posts,
                         "order": "popular"}}
    return (f'<!DOCTYPE html><html><body><div id="postCompatContainer"></div>'
            f'<script type="text/json" id="disqus-threadData">{json.dumps(data)}</script>'
            f"</body></html>").encode()


def disqus_post(post_id: str, parent: int | None, message: str, **extra: object
                ) -> dict[str, object]:
    return {"id": post_id, "parent": parent, "message": message, "raw_message": message,
            "createdAt": "2024-05-01T10:00:00", "isDeleted": False, "isSpam": False,
            "likes": 2, "thread": "9001", "forum": "acme-blog",
            "author": {"name": "Dee", "username": "dee", "isAnonymous": False}, **extra}


def test_disqus_embedded_thread_data() -> None:
    posts = [disqus_post("11", None, "<p>The Acme Duo is great.</p>"),
             disqus_post("12", 11, "<p>Agreed!</p>"),
             disqus_post("13", None, "", isDeleted=True)]
    documents = parse_disqus_embed(disqus_embed(posts), EMBED, "https://blog.example/acme/",
                                   "post", "Acme")
    assert [(d.key, d.parent_key, d.text) for d in documents] == [
        ("disqus:11", "post", "The Acme Duo is great."), ("disqus:12", "disqus:11", "Agreed!")]
    assert documents[0].url == "https://blog.example/acme/#comment-11"
    assert dict(documents[0].engagement) == {"likes": 2}
    assert documents[0].published_at is not None


@pytest.mark.parametrize("body", [b"<html><body>no data</body></html>",
                                  b'<script id="disqus-threadData">{"response": 3}</script>'])
def test_malformed_disqus_embeds_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_disqus_embed(body, EMBED, "https://blog.example/acme/", "post", "Acme")


async def test_a_disqus_thread_is_fetched_from_its_embed(fixture_server: Start) -> None:
    server = fixture_server({})
    page = server.url("/acme/")
    html = f"""<html><body><article><p>Acme Duo review.</p></article>
      <div id="disqus_thread"></div><script>var disqus_config = function () {{
      this.page.url = '{page}'; this.page.identifier = 'post-42'; }};</script>
      <script src="https://acme-blog.disqus.com/embed.js"></script></body></html>""".encode()
    posts = [disqus_post("11", None, "<p>The Acme Duo is great.</p>"),
             disqus_post("12", 11, "<p>Mine leaks.</p>")]
    server.routes["/embed/comments/"] = Reply(200, disqus_embed(posts), HTML)
    async with build_fetcher(OPTIONS) as fetcher:
        documents, warnings = await collect_embedded_comments(
            fetcher, html, page, "post", "Acme Duo review",
            disqus_embed=server.url("/embed/comments/"))
    assert warnings == []
    assert [(d.key, d.parent_key, d.text) for d in documents] == [
        ("disqus:11", "post", "The Acme Duo is great."), ("disqus:12", "disqus:11", "Mine leaks.")]
    (request,) = server.requests_for("/embed/comments/")
    assert params(request)["f"] == "acme-blog"
    assert params(request)["t_i"] == "post-42"


async def test_a_broken_disqus_embed_is_a_warning(fixture_server: Start) -> None:
    server = fixture_server({})
    server.routes["/embed/comments/"] = Reply(200, b"<html>no thread data</html>", HTML)
    html = b'<script src="//acme-blog.disqus.com/embed.js"></script>'
    async with build_fetcher(OPTIONS) as fetcher:
        documents, warnings = await collect_embedded_comments(
            fetcher, html, server.url("/acme/"), "post", "Acme",
            disqus_embed=server.url("/embed/comments/"))
    assert documents == []
    assert len(warnings) == 1
    assert "DisqusThread" in warnings[0]
