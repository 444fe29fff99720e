"""Hacker News collector: parsers on Algolia fixture files, and passes against a loopback API."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from collectors import dispatch, hackernews
from collectors.document import Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "hackernews"
STORY = 40291234
OPTIONS = FetchOptions(user_agent="brand-monitor-test/1.0", allow_private_networks=True)
Start = Callable[..., FixtureServer]


def as_json(doc: Document) -> dict[str, object]:
    data = dataclasses.asdict(doc)
    data["published_at"] = doc.published_at.isoformat() if doc.published_at else None
    data["engagement"] = dict(doc.engagement)
    return data


def item_url(item_id: int) -> str:
    return f"https://news.ycombinator.com/item?id={item_id}"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def json_reply(body: bytes) -> Reply:
    return Reply(200, body, {"Content-Type": "application/json; charset=utf-8"})


def serve_search(request: RecordedRequest) -> Reply:
    """``search_by_date``: stories for ``tags=story``, comments otherwise."""
    tags = parse_qs(urlsplit(request.path).query).get("tags", [""])[0]
    name = "stories" if tags == "story" else "comments"
    return json_reply(fixture(f"search_by_date_{name}.json"))


def algolia(fixture_server: Start) -> FixtureServer:
    return fixture_server(
        {
            f"/api/v1/items/{STORY}": json_reply(fixture(f"items/{STORY}.json")),
            "/api/v1/search_by_date": serve_search,
        }
    )


# Parsers on fixture files ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "parse"),
    [
        (f"items/{STORY}.json", hackernews.parse_item_tree),
        ("search_by_date_comments.json", hackernews.parse_search),
        ("search_by_date_stories.json", hackernews.parse_search),
    ],
)
def test_parsers_match_golden_files(
    source: str, parse: Callable[[bytes, str], list[Document]]
) -> None:
    documents = parse(fixture(source), "https://hn.algolia.com/api/v1/x")

    golden = FIXTURES / "expected" / source.replace("/", "_")
    assert [as_json(doc) for doc in documents] == json.loads(golden.read_text())


def test_item_tree_parents_kinds_and_links() -> None:
    documents = hackernews.parse_item_tree(fixture(f"items/{STORY}.json"), "u")

    assert [(d.key, d.parent_key) for d in documents] == [
        (f"hn:{STORY}", None),
        ("hn:40291300", f"hn:{STORY}"),
        ("hn:40291410", "hn:40291300"),
        ("hn:40291522", "hn:40291410"),
        # 40291455 was deleted; its reply hangs under the deleted comment's parent
        ("hn:40291600", "hn:40291300"),
        ("hn:40291333", f"hn:{STORY}"),
    ]
    story, *comments = documents
    assert (story.kind, story.title, story.author) == (
        "post",
        "Acme Cloud outage post-mortem",
        "pg_fan",
    )
    assert story.engagement == {"points": 312}
    assert story.url == item_url(STORY)
    assert all(c.kind == "comment" and c.title == "" for c in comments)
    assert all(c.thread_url == item_url(STORY) for c in comments)
    assert all(c.thread_title == "Acme Cloud outage post-mortem" for c in comments)
    engineer = documents[2]
    assert engineer.author == "acme_eng"
    assert engineer.url == item_url(40291410)
    assert engineer.published_at == datetime(2024, 5, 6, 12, 45, tzinfo=UTC)
    assert engineer.text == (
        "Acme engineer here. That's exactly what we're doing now: config goes through the same "
        "staged rollout as binaries."
    )


def test_item_html_becomes_plain_text_with_paragraphs() -> None:
    documents = hackernews.parse_item_tree(fixture(f"items/{STORY}.json"), "u")

    assert documents[-1].text == (
        "Link to the status history: https://status.acme.example/history\n"
        'Note the "degraded" period before the outage:\n'
        "09:02 degraded\n09:10 down"
    )


def test_comment_as_root_keeps_its_parent_and_story() -> None:
    tree = json.loads(fixture(f"items/{STORY}.json"))
    sub = tree["children"][0]["children"][0]

    documents = hackernews.parse_item_tree(json.dumps(sub).encode(), "u")

    assert [d.key for d in documents] == ["hn:40291410", "hn:40291522"]
    assert documents[0].parent_key == "hn:40291300"
    assert documents[0].thread_url == item_url(STORY)
    assert documents[0].thread_title is None


def test_search_comment_hits() -> None:
    documents = hackernews.parse_search(fixture("search_by_date_comments.json"), "u")

    first = documents[0]
    assert first.key == "hn:40295001"
    assert first.kind == "comment"
    assert first.author == "mlops_dan"
    assert first.parent_key == "hn:40294950"
    assert first.url == item_url(40295001)
    assert first.thread_url == item_url(40290001)
    assert first.thread_title == "Ask HN: Which hosted analytics do you trust?"
    assert first.published_at == datetime(2024, 5, 6, 14, 50, tzinfo=UTC)
    assert first.text == "We moved off Acme after the March incident and haven't looked back."


def test_search_hits_name_their_stories_once() -> None:
    refs = hackernews.compute_story_refs(
        fixture("search_by_date_comments.json"), "u", "http://127.0.0.1:9/api/v1"
    )

    assert refs == [
        ThreadRef(
            "http://127.0.0.1:9/api/v1/items/40290001",
            "hackernews",
            item_url(40290001),
            "Ask HN: Which hosted analytics do you trust?",
            parent_key="hn:40290001",
        ),
        ThreadRef(
            f"http://127.0.0.1:9/api/v1/items/{STORY}",
            "hackernews",
            item_url(STORY),
            "Acme Cloud outage post-mortem",
            parent_key=f"hn:{STORY}",
        ),
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (item_url(8863), "http://api.test/v1/items/8863"),
        ("https://news.ycombinator.com/item?id=8863#c1", "http://api.test/v1/items/8863"),
        ("https://hn.algolia.com/api/v1/items/8863", "https://hn.algolia.com/api/v1/items/8863"),
        (
            "https://hn.algolia.com/api/v1/search_by_date?query=acme&tags=comment",
            "https://hn.algolia.com/api/v1/search_by_date?query=acme&tags=comment",
        ),
    ],
)
def test_api_url(url: str, expected: str) -> None:
    assert hackernews.compute_api_url(url, "http://api.test/v1") == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://news.ycombinator.com/news",
        "https://news.ycombinator.com/item?id=abc",
        "https://hn.algolia.com/api/v1/users/pg",
    ],
)
def test_api_url_rejects_other_pages(url: str) -> None:
    with pytest.raises(CollectorError, match=r"expected|only item pages"):
        hackernews.compute_api_url(url)


@pytest.mark.parametrize("body", [b"<html>502 Bad Gateway</html>", b'{"hits": 5}', b"[]"])
def test_malformed_search_raises_parse_error_with_url(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        hackernews.parse_search(body, "https://hn.algolia.com/api/v1/search_by_date?q")

    assert info.value.url == "https://hn.algolia.com/api/v1/search_by_date?q"


def test_malformed_item_raises_parse_error() -> None:
    with pytest.raises(ParseError, match="not a Hacker News item"):
        hackernews.parse_item_tree(b'{"title": "no id"}', "u")


# Whole passes against a loopback Algolia API ---------------------------------------------


async def test_collect_item_page_through_the_items_api(fixture_server: Start) -> None:
    server = algolia(fixture_server)
    spec = SourceSpec(item_url(STORY), options={"api_base": server.url("/api/v1")})

    async with build_fetcher(OPTIONS) as fetcher:
        result = await hackernews.collect(fetcher, spec, FetchState())

    assert result.status == 200
    assert result.threads == []
    docs = {d.key: d for d in result.documents}
    assert len(docs) == 6
    story = docs[f"hn:{STORY}"]
    assert (story.kind, story.author, story.parent_key) == ("post", "pg_fan", None)
    assert story.published_at == datetime(2024, 5, 6, 12, 20, tzinfo=UTC)
    reply = docs["hn:40291522"]
    assert (reply.kind, reply.author, reply.parent_key) == (
        "comment",
        "throwaway_sre",
        "hn:40291410",
    )
    assert reply.published_at == datetime(2024, 5, 6, 13, 0, tzinfo=UTC)
    assert reply.url == item_url(40291522)
    assert reply.thread_url == item_url(STORY)
    api_paths = [path for path in server.requested_paths() if path.startswith("/api/")]
    assert api_paths == [f"/api/v1/items/{STORY}"]


async def test_collect_search_then_follow_a_story(fixture_server: Start) -> None:
    server = algolia(fixture_server)
    api = server.url("/api/v1")
    spec = SourceSpec(f"{api}/search_by_date?query=acme&tags=comment", options={"api_base": api})

    async with build_fetcher(OPTIONS) as fetcher:
        found = await hackernews.collect(fetcher, spec, FetchState())
        (story_ref,) = [r for r in found.threads if r.thread_url == item_url(STORY)]
        thread = await hackernews.collect_thread(fetcher, story_ref, FetchState())

    assert [d.key for d in found.documents] == ["hn:40295001", "hn:40294990", "hn:40294870"]
    assert {d.kind for d in found.documents} == {"comment"}
    assert found.documents[1].parent_key == f"hn:{STORY}"
    assert found.documents[1].author == "jlee"
    assert [r.url for r in found.threads] == [f"{api}/items/40290001", f"{api}/items/{STORY}"]
    assert story_ref.kind == "hackernews"
    assert len(thread.documents) == 6
    assert thread.documents[0].title == "Acme Cloud outage post-mortem"


async def test_collect_story_search(fixture_server: Start) -> None:
    server = algolia(fixture_server)
    api = server.url("/api/v1")
    spec = SourceSpec(f"{api}/search_by_date?query=acme&tags=story")

    async with build_fetcher(OPTIONS) as fetcher:
        result = await hackernews.collect(fetcher, spec, FetchState())

    show = result.documents[0]
    assert (show.key, show.kind, show.author) == ("hn:40296000", "post", "acme_eng")
    assert show.text == "We just published the Acme CLI under the MIT licence.\nFeedback welcome!"
    assert show.engagement == {"points": 57, "comments": 1}
    # Without an api_base option, stories are followed on the public API.
    assert result.threads[0].url == "https://hn.algolia.com/api/v1/items/40296000"


async def test_malformed_answer_raises_parse_error_naming_the_url(fixture_server: Start) -> None:
    server = fixture_server({"/api/v1/items/1": Reply(200, b"<html>rate limited</html>")})

    async with build_fetcher(OPTIONS) as fetcher:
        with pytest.raises(ParseError) as info:
            await hackernews.collect(
                fetcher, SourceSpec(server.url("/api/v1/items/1")), FetchState()
            )

    assert info.value.url == server.url("/api/v1/items/1")


async def test_dispatcher_reaches_this_collector(fixture_server: Start) -> None:
    server = algolia(fixture_server)
    spec = SourceSpec(
        item_url(STORY), kind="hackernews", options={"api_base": server.url("/api/v1")}
    )

    async with build_fetcher(OPTIONS) as fetcher:
        result = await dispatch.collect_source(fetcher, spec, FetchState())

    assert [d.key for d in result.documents][:2] == [f"hn:{STORY}", "hn:40291300"]
