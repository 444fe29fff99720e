"""Discourse collector: parsers on fixture files, and whole passes against a loopback forum."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from collectors import discourse, dispatch
from collectors.document import Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError
from collectors.http import FetchOptions, build_fetcher
from tests.collectors.conftest import FixtureServer, Handler, RecordedRequest, Reply

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "discourse"
SITE = FIXTURES / "site"
BIG_SLUG, BIG_ID = "acme-cloud-outage-megathread", 4521
SMALL_SLUG, SMALL_ID = "welcome-to-the-acme-community", 4522
OPTIONS = FetchOptions(user_agent="brand-monitor-test/1.0", allow_private_networks=True)
Start = Callable[..., FixtureServer]


def as_json(doc: Document) -> dict[str, object]:
    data = dataclasses.asdict(doc)
    data["published_at"] = doc.published_at.isoformat() if doc.published_at else None
    data["engagement"] = dict(doc.engagement)
    return data


def post_id(number: int) -> int:
    """Post ids of the 45-post fixture topic (see posts_4521.json)."""
    return 30000 + number * 3


def key(number: int) -> str:
    return f"discourse:127.0.0.1:{post_id(number)}"


def serve_posts_json(request: RecordedRequest) -> Reply:
    """``/t/4521/posts.json?post_ids[]=…`` as Discourse answers it: only the asked posts."""
    wanted = {int(v) for v in parse_qs(urlsplit(request.path).query).get("post_ids[]", [])}
    posts = json.loads((FIXTURES / f"posts_{BIG_ID}.json").read_bytes())["post_stream"]["posts"]
    chosen = [post for post in posts if post["id"] in wanted]
    body = json.dumps({"post_stream": {"posts": chosen}, "id": BIG_ID}).encode()
    return Reply(200, body, {"Content-Type": "application/json"})


def forum(fixture_server: Start, routes: dict[str, Reply | Handler] | None = None) -> FixtureServer:
    return fixture_server(
        {f"/t/{BIG_ID}/posts.json": serve_posts_json, **(routes or {})}, directory=SITE
    )


def posts_requests(server: FixtureServer) -> list[list[int]]:
    found = server.requests_for(f"/t/{BIG_ID}/posts.json")
    return [[int(v) for v in parse_qs(urlsplit(r.path).query)["post_ids[]"]] for r in found]


# Parsers on fixture files ----------------------------------------------------------------


def test_topic_page_matches_golden_file() -> None:
    body = (SITE / "t" / SMALL_SLUG / f"{SMALL_ID}.json").read_bytes()

    documents = discourse.parse_topic_documents(
        body, "https://f.example/t/x/1.json", "https://forum.acme.example"
    )

    expected = json.loads((FIXTURES / "expected" / "topic_4522.json").read_text())
    assert [as_json(doc) for doc in documents] == expected


def test_topic_page_text_leaves_out_quotes_oneboxes_and_emoji() -> None:
    body = (SITE / "t" / SMALL_SLUG / f"{SMALL_ID}.json").read_bytes()

    by_number = {
        d.url.rsplit("/", 1)[1]: d
        for d in discourse.parse_topic_documents(body, "u", "https://forum.acme.example")
    }

    assert sorted(by_number) == ["1", "2", "4", "6"]  # 3 is a small action, 5 was withdrawn
    assert by_number["2"].text == (
        "Glad to be here. Found this review earlier:\nMostly agree with it."
    )
    assert by_number["4"].text.startswith("Pricey is right")
    assert "Mostly agree" not in by_number["4"].text
    assert by_number["1"].text.endswith("Say hello below")
    assert "acme login --sso\nThings I like:\nfast deploys" in by_number["6"].text


def test_reply_to_a_withdrawn_post_hangs_under_the_first_post() -> None:
    body = (SITE / "t" / SMALL_SLUG / f"{SMALL_ID}.json").read_bytes()

    documents = discourse.parse_topic_documents(body, "u", "https://forum.acme.example")

    assert documents[-1].parent_key == "discourse:forum.acme.example:30101"
    assert documents[2].parent_key == "discourse:forum.acme.example:30102"


def test_latest_lists_topics_as_thread_refs() -> None:
    refs = discourse.parse_latest((SITE / "latest.json").read_bytes(), "u", "https://f.example")

    assert refs[0] == ThreadRef(
        url=f"https://f.example/t/{BIG_SLUG}/{BIG_ID}.json",
        kind="discourse",
        thread_url=f"https://f.example/t/{BIG_SLUG}/{BIG_ID}",
        thread_title="Acme Cloud outage megathread (May 6)",
    )
    assert [r.thread_title for r in refs][1] == "Welcome to the Acme community"


def test_big_topic_page_names_the_posts_it_left_out() -> None:
    topic = discourse.parse_topic((SITE / "t" / BIG_SLUG / f"{BIG_ID}.json").read_bytes(), "u")

    assert len(topic.stream) == 45
    assert len(topic.posts) == 20
    assert discourse.compute_missing_post_ids(topic) == [post_id(n) for n in range(21, 46)]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://f.example/t/some-topic/12.json", ("https://f.example", "/t/some-topic/12.json")),
        ("https://f.example/t/some-topic/12", ("https://f.example", "/t/some-topic/12.json")),
        (
            "https://f.example/forum/t/some-topic/12/",
            ("https://f.example/forum", "/t/some-topic/12.json"),
        ),
        ("https://f.example/t/12.json", ("https://f.example", "/t/12.json")),
    ],
)
def test_topic_location(url: str, expected: tuple[str, str]) -> None:
    base, topic_url = discourse.compute_topic_location(url)

    assert (base, topic_url) == (expected[0], expected[0] + expected[1])


def test_topic_location_rejects_other_urls() -> None:
    with pytest.raises(CollectorError, match="not a Discourse topic URL"):
        discourse.compute_topic_location("https://f.example/c/general/4")


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://f.example", "https://f.example"),
        ("https://f.example/", "https://f.example"),
        ("https://f.example/latest.json", "https://f.example"),
        ("https://f.example/latest?order=created", "https://f.example"),
        ("https://f.example/c/announcements/5", "https://f.example"),
        ("https://t.example/t/some-topic/12", "https://t.example"),
        ("https://example.com/forum/latest", "https://example.com/forum"),
        ("https://example.com/forum/", "https://example.com/forum"),
    ],
)
def test_base_url(url: str, base: str) -> None:
    assert discourse.compute_base_url(url) == base


@pytest.mark.parametrize(
    "body", [b"<html>maintenance</html>", b'{"post_stream": 3, "id": 1}', b'{"id": 1}', b"[]"]
)
def test_malformed_topic_raises_parse_error_with_url(body: bytes) -> None:
    with pytest.raises(ParseError) as info:
        discourse.parse_topic(body, "https://f.example/t/x/1.json")

    assert info.value.url == "https://f.example/t/x/1.json"


# Whole passes against a loopback forum --------------------------------------------------


async def test_collect_fetches_every_post_of_a_long_topic_exactly_once(
    fixture_server: Start,
) -> None:
    server = forum(fixture_server)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, SourceSpec(server.base_url + "/"), FetchState())

    assert result.status == 200
    assert result.warnings == []
    big = [d for d in result.documents if d.thread_url and d.thread_url.endswith(f"/{BIG_ID}")]
    assert [d.key for d in big] == [key(n) for n in range(1, 46)]
    batches = posts_requests(server)
    assert sorted(i for batch in batches for i in batch) == [post_id(n) for n in range(21, 46)]
    assert all(len(batch) <= discourse.POSTS_PER_REQUEST for batch in batches)
    assert len(batches) == 2


async def test_collect_sets_parents_authors_times_and_urls(fixture_server: Start) -> None:
    server = forum(fixture_server)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, SourceSpec(server.base_url), FetchState())

    docs = {d.key: d for d in result.documents}
    first = docs[key(1)]
    assert (first.kind, first.parent_key, first.author) == ("post", None, "maria_k")
    assert first.title == "Acme Cloud outage megathread (May 6)"
    assert first.url == f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}/1"
    assert first.published_at == datetime(2024, 5, 6, 8, 22, tzinfo=UTC)
    expected_parents = {2: 1, 3: 2, 21: 20, 25: 2, 40: 33, 44: 3, 41: 1}
    for number, parent in expected_parents.items():
        doc = docs[key(number)]
        assert doc.parent_key == key(parent), number
        assert doc.kind == "comment"
        assert doc.url == f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}/{number}"
        assert doc.thread_url == f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}"
        assert doc.thread_title == first.title
    late = docs[key(40)]
    assert late.author == "maria_k"
    assert late.published_at == datetime(2024, 5, 6, 12, 55, tzinfo=UTC)
    assert late.engagement == {"score": 18, "reads": 34, "replies": 0}
    assert all(d.parent_key in docs for d in result.documents if d.parent_key)


async def test_collect_returns_each_topic_as_a_thread_ref(fixture_server: Start) -> None:
    server = forum(fixture_server)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, SourceSpec(server.base_url), FetchState())

    assert [r.url for r in result.threads] == [
        f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}.json",
        f"{server.base_url}/t/{SMALL_SLUG}/{SMALL_ID}.json",
    ]
    assert {r.kind for r in result.threads} == {"discourse"}
    assert [r.parent_key for r in result.threads] == [key(1), "discourse:127.0.0.1:30101"]
    assert len(result.documents) == 45 + 4


async def test_collect_honours_max_topics(fixture_server: Start) -> None:
    server = forum(fixture_server)
    spec = SourceSpec(server.base_url, options={"max_topics": "1"})

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, spec, FetchState())

    assert len(result.threads) == 1
    assert server.requests_for(f"/t/{SMALL_SLUG}/{SMALL_ID}.json") == []


async def test_collect_thread_follows_one_topic_then_sees_it_unchanged(
    fixture_server: Start,
) -> None:
    server = forum(fixture_server)
    ref = ThreadRef(
        f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}.json",
        "discourse",
        f"{server.base_url}/t/{BIG_SLUG}/{BIG_ID}",
    )

    async with build_fetcher(OPTIONS) as fetcher:
        first = await discourse.collect_thread(fetcher, ref, FetchState())
        server.clear_log()
        again = await discourse.collect_thread(fetcher, ref, first.state)

    assert [d.key for d in first.documents] == [key(n) for n in range(1, 46)]
    assert first.state.etag is not None
    assert again.not_modified
    assert again.documents == []
    assert posts_requests(server) == []


async def test_collect_a_configured_topic_url_collects_that_topic(fixture_server: Start) -> None:
    server = forum(fixture_server)
    spec = SourceSpec(server.url(f"/t/{SMALL_SLUG}/{SMALL_ID}"), kind="discourse")

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, spec, FetchState())

    assert [d.author for d in result.documents] == ["maria_k", "dev_tom", "jlee", "priya"]
    assert server.requests_for("/latest.json") == []


async def test_failing_topic_becomes_a_warning(fixture_server: Start) -> None:
    server = forum(fixture_server, {f"/t/{SMALL_SLUG}/{SMALL_ID}.json": Reply(500)})

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect(fetcher, SourceSpec(server.base_url), FetchState())

    assert len(result.documents) == 45
    (warning,) = result.warnings
    assert f"/t/{SMALL_SLUG}/{SMALL_ID}" in warning
    assert "500" in warning


async def test_failing_batch_of_posts_is_a_warning(fixture_server: Start) -> None:
    def fail_late_batch(request: RecordedRequest) -> Reply:
        if str(post_id(45)) in request.path:
            return Reply(502, b"Bad Gateway")
        return serve_posts_json(request)

    server = forum(fixture_server, {f"/t/{BIG_ID}/posts.json": fail_late_batch})
    ref = ThreadRef(server.url(f"/t/{BIG_SLUG}/{BIG_ID}.json"), "discourse", server.url("/"))

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect_thread(fetcher, ref, FetchState())

    assert [d.key for d in result.documents] == [key(n) for n in range(1, 41)]
    (warning,) = result.warnings
    assert "5 posts" in warning
    assert "502" in warning


async def test_malformed_latest_raises_parse_error_naming_the_url(fixture_server: Start) -> None:
    server = forum(fixture_server, {"/latest.json": Reply(200, b"<!doctype html><p>Maint.</p>")})

    async with build_fetcher(OPTIONS) as fetcher:
        with pytest.raises(ParseError) as info:
            await discourse.collect(fetcher, SourceSpec(server.base_url), FetchState())

    assert info.value.url == server.url("/latest.json")
    assert server.url("/latest.json") in str(info.value)


async def test_bad_option_is_reported(fixture_server: Start) -> None:
    server = forum(fixture_server)

    async with build_fetcher(OPTIONS) as fetcher:
        with pytest.raises(CollectorError, match="max_topics must be a whole number"):
            await discourse.collect(
                fetcher, SourceSpec(server.base_url, options={"max_topics": "many"}), FetchState()
            )


def huge_topic_route(total: int) -> Callable[[RecordedRequest], Reply]:
    """A topic with ``total`` posts served from memory: page and posts.json."""
    posts = json.loads((FIXTURES / f"posts_{BIG_ID}.json").read_bytes())["post_stream"]["posts"]
    template = posts[1]

    def make(number: int) -> dict[str, object]:
        return {**template, "id": number, "post_number": number, "reply_to_post_number": None}

    def answer(request: RecordedRequest) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        if "post_ids[]" in query:
            chosen = [make(int(v)) for v in query["post_ids[]"]]
            page: dict[str, object] = {"post_stream": {"posts": chosen}, "id": 9}
        else:
            first = [make(n) for n in range(1, 21)]
            stream = list(range(1, total + 1))
            page = {
                "id": 9,
                "slug": "huge",
                "title": "Huge",
                "post_stream": {"posts": first, "stream": stream},
            }
        return Reply(200, json.dumps(page).encode(), {"Content-Type": "application/json"})

    return answer


async def test_very_long_topic_fetches_only_the_newest_posts(fixture_server: Start) -> None:
    total = discourse.MAX_POSTS_PER_TOPIC + 30
    route = huge_topic_route(total)
    server = fixture_server({"/t/huge/9.json": route, "/t/9/posts.json": route})
    ref = ThreadRef(server.url("/t/huge/9.json"), "discourse", server.url("/t/huge/9"))

    async with build_fetcher(OPTIONS) as fetcher:
        result = await discourse.collect_thread(fetcher, ref, FetchState())

    numbers = [int(d.url.rsplit("/", 1)[1]) for d in result.documents]
    assert numbers == [*range(1, 21), *range(31, total + 1)]
    (warning,) = result.warnings
    assert f"{total} posts" in warning


async def test_dispatcher_reaches_this_collector(fixture_server: Start) -> None:
    server = forum(fixture_server)

    async with build_fetcher(OPTIONS) as fetcher:
        result = await dispatch.collect_source(
            fetcher, SourceSpec(server.base_url, kind="discourse"), FetchState()
        )
        thread = await dispatch.collect_thread(fetcher, result.threads[1], FetchState())

    assert len(result.documents) == 45 + 4
    assert [d.key for d in thread.documents] == [d.key for d in result.documents[45:]]
