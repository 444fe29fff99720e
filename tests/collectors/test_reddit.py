"""Reddit collector: parsers on fixture files, and whole passes against a loopback Reddit."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors import dispatch, reddit
from collectors.document import Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import ParseError
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import FixtureServer, RecordedRequest, Reply

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reddit"
SITE = FIXTURES / "site"
THREAD_PATH = "/r/acme/comments/1cl9x2f/acme_cloud_is_down_again"
SECOND_PATH = "/r/acme/comments/1cla0b3/switching_from_acme_to_globex"
THIRD_PATH = "/r/acme/comments/1clb7k9/acme_raises_prices_for_the_analytics_plan"
OPTIONS = FetchOptions(
    user_agent="web:brand-monitor:1.0 (by /u/acme_test)", allow_private_networks=True
)
Start = Callable[..., FixtureServer]


def as_json(doc: Document) -> dict[str, object]:
    data = dataclasses.asdict(doc)
    data["published_at"] = doc.published_at.isoformat() if doc.published_at else None
    data["engagement"] = dict(doc.engagement)
    return data


def thread_bytes() -> bytes:
    return (SITE / f"{THREAD_PATH.lstrip('/')}.json").read_bytes()


def file_with_headers(path: str, headers: dict[str, str]) -> Callable[[RecordedRequest], Reply]:
    body = (SITE / f"{path.lstrip('/')}.json").read_bytes()
    return lambda _request: Reply(200, body, {"Content-Type": "application/json", **headers})


# Parsers on fixture files ----------------------------------------------------------------


def test_thread_matches_golden_file() -> None:
    documents = reddit.parse_thread(thread_bytes(), "https://www.reddit.com/x.json")

    expected = json.loads((FIXTURES / "expected" / "thread_1cl9x2f.json").read_text())
    assert [as_json(doc) for doc in documents] == expected


def test_thread_walks_nested_replies_and_skips_gone_comments_and_more_stubs() -> None:
    documents = reddit.parse_thread(thread_bytes(), "u")

    parents = {d.key: d.parent_key for d in documents}
    assert parents == {
        "t3_1cl9x2f": None,
        "t1_l2u8k1a": "t3_1cl9x2f",
        "t1_l2u8m3c": "t1_l2u8k1a",
        # its parent l2u8q7d was deleted: it hangs under the nearest kept ancestor
        "t1_l2u9a1b": "t1_l2u8k1a",
        "t1_l2u8t5e": "t3_1cl9x2f",
        "t1_l2u8z9g": "t3_1cl9x2f",
        "t1_l2uab4c": "t1_l2u8z9g",
        "t1_l2uac9d": "t1_l2uab4c",
    }
    texts = " ".join(d.text for d in documents)
    assert "[deleted]" not in texts
    assert "[removed]" not in texts


def test_comment_fields() -> None:
    docs = {d.key: d for d in reddit.parse_thread(thread_bytes(), "u")}

    reply = docs["t1_l2uac9d"]
    assert reply.kind == "comment"
    assert reply.author == "ops_nina"
    assert reply.published_at == datetime(2024, 5, 6, 8, 45, tzinfo=UTC)
    assert reply.url == f"https://www.reddit.com{THREAD_PATH}/l2uac9d/"
    assert reply.thread_url == f"https://www.reddit.com{THREAD_PATH}/"
    assert reply.thread_title == "Acme Cloud is down again?"
    assert reply.title == ""
    assert docs["t1_l2u8t5e"].author is None  # account deleted, words kept
    assert docs["t1_l2u8k1a"].text == "Same here. Status page says investigating."
    assert docs["t1_l2uab4c"].text == "Good to know, thanks & merci!"


def test_post_fields() -> None:
    post = reddit.parse_thread(thread_bytes(), "u")[0]

    assert post.kind == "post"
    assert post.title == "Acme Cloud is down again?"
    assert post.text == "Our dashboards in Frankfurt have been blank since 9am. Anyone else?"
    assert post.engagement == {"score": 152, "comments": 11}
    assert post.published_at == datetime(2024, 5, 6, 8, 15, tzinfo=UTC)


def test_listing_gives_threads_and_their_posts() -> None:
    body = (SITE / "r" / "acme" / "new.json").read_bytes()

    listing = reddit.parse_listing(body, "u", "http://mirror.example")

    assert [r.url for r in listing.threads] == [
        f"http://mirror.example{THIRD_PATH}.json",
        f"http://mirror.example{SECOND_PATH}.json",
        f"http://mirror.example{THREAD_PATH}.json",
    ]
    assert listing.threads[1] == ThreadRef(
        url=f"http://mirror.example{SECOND_PATH}.json",
        kind="reddit",
        thread_url=f"https://www.reddit.com{SECOND_PATH}/",
        thread_title="Switching from Acme to Globex?",
        parent_key="t3_1cla0b3",
    )
    assert [d.key for d in listing.documents] == ["t3_1clb7k9", "t3_1cla0b3", "t3_1cl9x2f"]
    assert listing.documents[0].text == ""  # a link post


def test_comment_listing_gives_comments_with_their_threads() -> None:
    thread = json.loads(thread_bytes())
    comment = thread[1]["data"]["children"][0]["data"]
    comment = {
        **comment,
        "replies": "",
        "link_title": "Acme Cloud is down again?",
        "link_permalink": f"https://www.reddit.com{THREAD_PATH}/",
    }
    deleted = {**comment, "name": "t1_gone", "body": "[removed]"}
    body = json.dumps(
        {
            "kind": "Listing",
            "data": {
                "children": [{"kind": "t1", "data": comment}, {"kind": "t1", "data": deleted}]
            },
        }
    ).encode()

    listing = reddit.parse_listing(body, "u", "https://www.reddit.com")

    (doc,) = listing.documents
    assert doc.key == "t1_l2u8k1a"
    assert doc.parent_key == "t3_1cl9x2f"
    assert doc.thread_url == f"https://www.reddit.com{THREAD_PATH}/"
    assert doc.thread_title == "Acme Cloud is down again?"
    assert listing.threads == []


@pytest.mark.parametrize(
    ("url", "json_url", "public", "is_thread"),
    [
        (
            f"https://www.reddit.com{THREAD_PATH}/",
            f"https://www.reddit.com{THREAD_PATH}.json",
            "https://www.reddit.com",
            True,
        ),
        (
            f"https://old.reddit.com{THREAD_PATH}.json?sort=new",
            f"https://old.reddit.com{THREAD_PATH}.json?sort=new",
            "https://www.reddit.com",
            True,
        ),
        (
            "https://reddit.com/r/acme/new",
            "https://reddit.com/r/acme/new.json",
            "https://www.reddit.com",
            False,
        ),
        (
            "http://127.0.0.1:8080/r/acme/new.json?limit=5",
            "http://127.0.0.1:8080/r/acme/new.json?limit=5",
            "http://127.0.0.1:8080",
            False,
        ),
    ],
)
def test_location(url: str, json_url: str, public: str, is_thread: bool) -> None:
    where = reddit.compute_location(url)

    assert where.json_url == json_url
    assert where.public_base == public
    assert where.is_thread is is_thread


def test_location_base_url_option_wins() -> None:
    where = reddit.compute_location("http://127.0.0.1:8080/r/acme/new", "https://www.reddit.com/")

    assert where.public_base == "https://www.reddit.com"
    assert where.origin == "http://127.0.0.1:8080"


@pytest.mark.parametrize(
    ("headers", "remaining", "exhausted"),
    [
        ({"x-ratelimit-remaining": "97.0", "x-ratelimit-reset": "212"}, 97.0, False),
        ({"x-ratelimit-remaining": "0.0", "x-ratelimit-reset": "212"}, 0.0, True),
        ({"x-ratelimit-remaining": "0.4"}, 0.4, True),
        ({}, None, False),
        ({"x-ratelimit-remaining": "lots"}, None, False),
    ],
)
def test_rate_limit(headers: dict[str, str], remaining: float | None, exhausted: bool) -> None:
    limit = reddit.compute_rate_limit(headers)

    assert limit.remaining == remaining
    assert limit.exhausted is exhausted


@pytest.mark.parametrize(
    "body",
    [
        b"<html>Our CDN is having trouble</html>",
        b"{}",
        b"[1, 2]",
        b'[{"data": {"children": []}}, ""]',
    ],
)
def test_malformed_thread_raises_parse_error_with_url(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        reddit.parse_thread(body, "https://www.reddit.com/r/a/comments/b/c.json")

    assert info.value.url == "https://www.reddit.com/r/a/comments/b/c.json"


# Whole passes against a loopback Reddit -------------------------------------------------


async def test_collect_thread_url(fixture_server: Start) -> None:
    server = fixture_server(directory=SITE)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(
            fetcher, SourceSpec(server.url(THREAD_PATH + "/")), FetchState()
        )

    assert result.status == 200
    docs = {d.key: d for d in result.documents}
    assert len(docs) == len(result.documents) == 8
    post = docs["t3_1cl9x2f"]
    assert (post.kind, post.author, post.parent_key) == ("post", "frankfurt_ops", None)
    assert post.url == server.url(THREAD_PATH + "/")
    nested = docs["t1_l2uac9d"]
    assert nested.kind == "comment"
    assert nested.author == "ops_nina"
    assert nested.parent_key == "t1_l2uab4c"
    assert nested.published_at == datetime(2024, 5, 6, 8, 45, tzinfo=UTC)
    assert nested.url == server.url(f"{THREAD_PATH}/l2uac9d/")
    assert nested.thread_url == server.url(THREAD_PATH + "/")
    (request,) = server.requests_for(THREAD_PATH + ".json")
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"] == OPTIONS.user_agent


async def test_collect_listing_follows_every_thread(fixture_server: Start) -> None:
    server = fixture_server(directory=SITE)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(fetcher, SourceSpec(server.url("/r/acme/new")), FetchState())

    assert result.warnings == []
    assert [r.url for r in result.threads] == [
        server.url(f"{path}.json") for path in (THIRD_PATH, SECOND_PATH, THREAD_PATH)
    ]
    keys = [d.key for d in result.documents]
    assert len(keys) == len(set(keys)) == 1 + 2 + 8
    docs = {d.key: d for d in result.documents}
    answer = docs["t1_l2uf0aa"]
    assert (answer.kind, answer.author, answer.parent_key) == ("comment", "jlee", "t3_1cla0b3")
    assert answer.url == server.url(f"{SECOND_PATH}/l2uf0aa/")
    assert answer.thread_title == "Switching from Acme to Globex?"
    assert answer.published_at == datetime(2024, 5, 6, 10, 56, 40, tzinfo=UTC)
    for path in (THIRD_PATH, SECOND_PATH, THREAD_PATH):
        assert len(server.requests_for(path + ".json")) == 1


async def test_listing_stops_when_the_rate_limit_runs_out(fixture_server: Start) -> None:
    plenty = {"X-Ratelimit-Remaining": "5.0", "X-Ratelimit-Reset": "300"}
    spent = {"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "42"}
    server = fixture_server(
        {
            "/r/acme/new.json": file_with_headers("/r/acme/new", plenty),
            f"{THIRD_PATH}.json": file_with_headers(THIRD_PATH, spent),
        },
        directory=SITE,
    )

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(fetcher, SourceSpec(server.url("/r/acme/new")), FetchState())

    assert server.requests_for(SECOND_PATH + ".json") == []
    assert server.requests_for(THREAD_PATH + ".json") == []
    (warning,) = result.warnings
    assert "2 thread(s) left for the next pass" in warning
    assert "42 s" in warning
    # The threads left for later still give their posts, from the listing.
    assert [d.key for d in result.documents] == ["t3_1clb7k9", "t3_1cla0b3", "t3_1cl9x2f"]
    assert len(result.threads) == 3


async def test_listing_stops_on_429(fixture_server: Start) -> None:
    server = fixture_server(
        {f"{SECOND_PATH}.json": Reply(429, b"Too Many Requests", {"Retry-After": "7"})},
        directory=SITE,
    )

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(fetcher, SourceSpec(server.url("/r/acme/new")), FetchState())

    assert server.requests_for(THREAD_PATH + ".json") == []
    (warning,) = result.warnings
    assert "2 thread(s) left" in warning
    assert "7 s" in warning


async def test_failing_thread_is_a_warning_and_the_rest_go_on(fixture_server: Start) -> None:
    server = fixture_server(
        {f"{SECOND_PATH}.json": Reply(200, b"<html>oops</html>")}, directory=SITE
    )

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(fetcher, SourceSpec(server.url("/r/acme/new")), FetchState())

    (warning,) = result.warnings
    assert SECOND_PATH in warning
    assert "malformed JSON" in warning
    assert "t1_l2uac9d" in {d.key for d in result.documents}


async def test_base_url_option_sets_public_links(fixture_server: Start) -> None:
    server = fixture_server(directory=SITE)
    spec = SourceSpec(server.url(THREAD_PATH), options={"base_url": "https://www.reddit.com"})

    async with build_fetcher(OPTIONS) as fetcher:
        result = await reddit.collect(fetcher, spec, FetchState())

    assert result.documents[1].url == f"https://www.reddit.com{THREAD_PATH}/l2u8k1a/"


async def test_collect_thread_from_a_listing_ref_then_unchanged(fixture_server: Start) -> None:
    server = fixture_server(directory=SITE)
    ref = ThreadRef(server.url(f"{SECOND_PATH}.json"), "reddit", server.url(f"{SECOND_PATH}/"))

    async with build_fetcher(OPTIONS) as fetcher:
        first = await reddit.collect_thread(fetcher, ref, FetchState())
        again = await reddit.collect_thread(fetcher, ref, first.state)

    assert [d.key for d in first.documents] == ["t3_1cla0b3", "t1_l2uf0aa"]
    assert first.documents[1].url == server.url(f"{SECOND_PATH}/l2uf0aa/")
    assert again.not_modified
    assert again.documents == []


async def test_malformed_listing_raises_parse_error_naming_the_url(fixture_server: Start) -> None:
    server = fixture_server({"/r/acme/new.json": Reply(200, b'{"kind": "t2", "data": {}}')})

    async with build_fetcher(OPTIONS) as fetcher:
        with pytest.raises(ParseError) as info:
            await reddit.collect(fetcher, SourceSpec(server.url("/r/acme/new")), FetchState())

    assert info.value.url == server.url("/r/acme/new.json")


async def test_dispatcher_reaches_this_collector(fixture_server: Start) -> None:
    server = fixture_server(directory=SITE)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await dispatch.collect_source(
            fetcher, SourceSpec(server.url("/r/acme/new"), kind="reddit"), FetchState()
        )
        thread = await dispatch.collect_thread(fetcher, result.threads[2], FetchState())

    assert len(result.documents) == 11
    assert [d.key for d in thread.documents][:2] == ["t3_1cl9x2f", "t1_l2u8k1a"]
