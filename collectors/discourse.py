"""Discourse forums through their JSON API: ``/latest.json``, then every post of each topic.

A topic's JSON carries the ids of all its posts (``post_stream.stream``) but the bodies of
only the first chunk (about 20); the rest come from ``/t/{id}/posts.json?post_ids[]=…`` in
batches of the same size.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser

from collectors.dates import parse_iso
from collectors.document import CollectResult, Document, FetchState, SourceSpec, ThreadRef
from collectors.errors import CollectorError, ParseError
from collectors.fetching import Fetcher, Response
from collectors.jsonbody import describe_error, load_json
from collectors.parsing import run_parser
from collectors.registry import KindInfo, OptionField
from collectors.text import node_text

KIND = KindInfo(
    name="discourse", display_name="Discourse forum", url_help="a forum's base URL",
    options=(OptionField("max_topics", "topics read per pass (one page of /latest.json)",
                         integer=True),),
    thread_kinds=("discourse",), order=30,
)

POSTS_PER_REQUEST = 20  # Discourse's own chunk size
MAX_POSTS_PER_TOPIC = 1000  # newest first when a topic is longer; older ones were seen before
DEFAULT_MAX_TOPICS = 30  # one page of /latest.json
ACCEPT_JSON = "application/json"
SMALL_ACTION = 3  # post_type of "closed this topic", "pinned globally" and the like

# Quotes repeat another post's words and oneboxes another site's; neither is this author's.
_NOT_AUTHORED = "aside.quote, aside.onebox, .lightbox-wrapper .meta"
# Routes of a Discourse site below its root; what precedes them is the forum's base path.
_FORUM_PAGE = re.compile(r"/(?:latest|top|new|unread|hot|categories|c|tag|tags|u|t)(?:[/.].*)?$")
_TOPIC_URL = re.compile(r"^(?P<base>.+?)/t/(?:(?P<slug>[^/]+)/)?(?P<id>\d+)(?:\.json)?/?$")


@dataclass(frozen=True, slots=True)
class Post:
    """One post of a topic as the JSON API describes it, text already plain."""

    id: int
    number: int
    reply_to: int | None
    username: str | None
    created_at: datetime | None
    text: str
    score: int
    reads: int
    replies: int


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic page: ``stream`` lists every post id in order, ``included`` those on the page.

    ``posts`` holds the included posts that have an author's words (not small actions such
    as "pinned this topic", not withdrawn or deleted ones).
    """

    id: int
    slug: str
    title: str
    stream: tuple[int, ...]
    included: frozenset[int]
    posts: tuple[Post, ...]


async def collect(fetcher: Fetcher, spec: SourceSpec, state: FetchState) -> CollectResult:
    """Latest topics of the forum at ``spec.url`` and all their posts.

    Option ``max_topics`` (default 30) caps the topics followed. Each topic is also
    returned as a ThreadRef; a topic that fails is reported in ``warnings`` and the others
    are still collected. A topic URL as ``spec.url`` collects just that topic.
    """
    if is_topic_url(spec.url):
        ref = ThreadRef(url=spec.url, kind="discourse", thread_url=spec.url)
        return await collect_thread(fetcher, ref, state)
    base = compute_base_url(spec.url)
    max_topics = _int_option(spec.options, "max_topics", DEFAULT_MAX_TOPICS)
    response = await fetcher.fetch(f"{base}/latest.json", state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    refs = (await run_parser(response.url, len(response.body), parse_latest, response.body,
                             response.url, base))[:max_topics]
    outcomes = await asyncio.gather(*(_collect_topic_quietly(fetcher, ref) for ref in refs))
    documents = [doc for docs, _ in outcomes for doc in docs]
    warnings = [warning for _, found in outcomes for warning in found]
    pairs = zip(refs, outcomes, strict=True)
    followed = [replace(ref, parent_key=_post_key(docs)) for ref, (docs, _) in pairs]
    return CollectResult(documents, response.state, response.status, followed, warnings)


async def collect_thread(fetcher: Fetcher, ref: ThreadRef, state: FetchState) -> CollectResult:
    """Every post of one topic; ``ref.url`` is its JSON (or public) URL."""
    base, topic_url = compute_topic_location(ref.url)
    response = await fetcher.fetch(topic_url, state=state, accept=ACCEPT_JSON)
    if response.not_modified:
        return CollectResult(documents=[], state=response.state, status=response.status)
    documents, warnings = await _complete_topic(fetcher, base, response)
    return CollectResult(documents, response.state, response.status, warnings=warnings)


def _post_key(documents: Sequence[Document]) -> str | None:
    """Key of the topic's first post, which its comments hang under, once it is known."""
    return next((doc.key for doc in documents if doc.kind == "post"), None)


async def _collect_topic_quietly(
    fetcher: Fetcher, ref: ThreadRef
) -> tuple[list[Document], list[str]]:
    try:
        base, topic_url = compute_topic_location(ref.url)
        response = await fetcher.fetch(topic_url, accept=ACCEPT_JSON)
        return await _complete_topic(fetcher, base, response)
    except CollectorError as exc:
        return [], [f"topic {ref.thread_url} skipped: {exc}"]


async def _complete_topic(
    fetcher: Fetcher, base: str, response: Response
) -> tuple[list[Document], list[str]]:
    topic = await run_parser(response.url, len(response.body), parse_topic, response.body,
                             response.url)
    missing = compute_missing_post_ids(topic)
    warnings = []
    if len(missing) > MAX_POSTS_PER_TOPIC:
        warnings.append(
            f"topic {base}/t/{topic.slug}/{topic.id} has {len(topic.stream)} posts; "
            f"only the newest {MAX_POSTS_PER_TOPIC} were fetched"
        )
        missing = missing[-MAX_POSTS_PER_TOPIC:]
    size = POSTS_PER_REQUEST
    batches = [missing[i : i + size] for i in range(0, len(missing), size)]
    outcomes = await asyncio.gather(
        *(_fetch_posts_quietly(fetcher, base, topic.id, batch) for batch in batches)
    )
    posts = list(topic.posts)
    for found, problems in outcomes:
        posts.extend(found)
        warnings.extend(problems)
    return compute_documents(base, topic, posts), warnings


async def _fetch_posts_quietly(
    fetcher: Fetcher, base: str, topic_id: int, ids: Sequence[int]
) -> tuple[list[Post], list[str]]:
    try:
        return await fetch_posts(fetcher, base, topic_id, ids), []
    except CollectorError as exc:
        return [], [f"{len(ids)} posts of topic {base}/t/{topic_id} skipped: {exc}"]


async def fetch_posts(fetcher: Fetcher, base: str, topic_id: int, ids: Sequence[int]) -> list[Post]:
    """The posts with ``ids`` of topic ``topic_id`` (one request)."""
    query = urlencode([("post_ids[]", post_id) for post_id in ids])
    response = await fetcher.fetch(f"{base}/t/{topic_id}/posts.json?{query}", accept=ACCEPT_JSON)
    return await run_parser(response.url, len(response.body), parse_posts, response.body,
                            response.url)


def compute_base_url(url: str) -> str:
    """Forum root from any forum page URL (``/``, ``/latest.json``, ``/c/news/5``, ``/t/…``)."""
    parts = urlsplit(url.strip())
    path = _FORUM_PAGE.sub("", parts.path).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def is_topic_url(url: str) -> bool:
    return _TOPIC_URL.match(_without_query(url)) is not None


def _without_query(url: str) -> str:
    return urlsplit(url)._replace(query="", fragment="").geturl()


def compute_topic_location(url: str) -> tuple[str, str]:
    """(forum base, topic JSON URL) for a topic's JSON or public URL."""
    match = _TOPIC_URL.match(_without_query(url))
    if match is None:
        raise CollectorError(f"{url}: not a Discourse topic URL (expected …/t/slug/123)")
    base, slug, topic_id = match["base"], match["slug"], match["id"]
    path = f"/t/{slug}/{topic_id}.json" if slug else f"/t/{topic_id}.json"
    return base, base + path


def compute_missing_post_ids(topic: Topic) -> list[int]:
    """Ids in the topic's stream whose bodies the topic page did not include, in order."""
    return [post_id for post_id in topic.stream if post_id not in topic.included]


def parse_latest(body: bytes, url: str, base: str) -> list[ThreadRef]:
    """Topics listed by ``/latest.json``, as ThreadRefs to their JSON."""
    data = load_json(body, url)
    try:
        return [_topic_ref(base, topic) for topic in data["topic_list"]["topics"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(url, f"not a Discourse topic list ({describe_error(exc)})") from exc


def _topic_ref(base: str, topic: Mapping[str, Any]) -> ThreadRef:
    topic_id, slug = int(topic["id"]), str(topic["slug"])
    return ThreadRef(
        url=f"{base}/t/{slug}/{topic_id}.json",
        kind="discourse",
        thread_url=f"{base}/t/{slug}/{topic_id}",
        thread_title=str(topic.get("title") or ""),
    )


def parse_topic(body: bytes, url: str) -> Topic:
    """A topic page (``/t/{slug}/{id}.json``)."""
    data = load_json(body, url)
    try:
        stream = data["post_stream"]
        return Topic(
            id=int(data["id"]),
            slug=str(data.get("slug") or ""),
            title=str(data.get("title") or ""),
            stream=tuple(int(post_id) for post_id in stream.get("stream") or ()),
            included=frozenset(int(raw["id"]) for raw in stream["posts"]),
            posts=tuple(_parse_posts_of(stream)),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Discourse topic ({describe_error(exc)})") from exc


def parse_posts(body: bytes, url: str) -> list[Post]:
    """The posts of a ``/t/{id}/posts.json`` answer."""
    data = load_json(body, url)
    try:
        return _parse_posts_of(data["post_stream"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ParseError(url, f"not a Discourse post list ({describe_error(exc)})") from exc


def parse_topic_documents(body: bytes, url: str, base: str) -> list[Document]:
    """Documents for the posts included in one topic page, without fetching the rest."""
    topic = parse_topic(body, url)
    return compute_documents(base, topic, topic.posts)


def _parse_posts_of(stream: Mapping[str, Any]) -> list[Post]:
    return [_parse_post(raw) for raw in stream["posts"] if _is_authored(raw)]


def _is_authored(raw: Mapping[str, Any]) -> bool:
    deleted = raw.get("deleted_at") or raw.get("user_deleted") or raw.get("hidden")
    return raw.get("post_type") != SMALL_ACTION and not deleted


def _parse_post(raw: Mapping[str, Any]) -> Post:
    reply_to = raw.get("reply_to_post_number")
    return Post(
        id=int(raw["id"]),
        number=int(raw["post_number"]),
        reply_to=int(reply_to) if reply_to else None,
        username=str(raw["username"]) if raw.get("username") else None,
        created_at=parse_iso(raw.get("created_at")),
        text=render_post_text(str(raw.get("cooked") or "")),
        score=round(float(raw.get("score") or 0)),
        reads=int(raw.get("reads") or 0),
        replies=int(raw.get("reply_count") or 0),
    )


def compute_documents(base: str, topic: Topic, posts: Iterable[Post]) -> list[Document]:
    """One Document per post, in post order, each post once.

    A reply's parent is the post it answers; other posts hang under the topic's first post.
    """
    host = urlsplit(base).hostname or base
    by_number = {post.number: post for post in posts if post.text}
    first_id = by_number[1].id if 1 in by_number else (topic.stream[0] if topic.stream else None)
    first_key = None if first_id is None else f"discourse:{host}:{first_id}"
    documents = []
    for number in sorted(by_number):
        post = by_number[number]
        replied = by_number.get(post.reply_to) if post.reply_to else None
        parent = f"discourse:{host}:{replied.id}" if replied else first_key
        documents.append(_document(base, host, topic, post, None if number == 1 else parent))
    return documents


def _document(base: str, host: str, topic: Topic, post: Post, parent: str | None) -> Document:
    thread_url = f"{base}/t/{topic.slug}/{topic.id}"
    return Document(
        key=f"discourse:{host}:{post.id}",
        url=f"{thread_url}/{post.number}",
        kind="post" if post.number == 1 else "comment",
        title=topic.title if post.number == 1 else "",
        text=post.text,
        author=post.username,
        published_at=post.created_at,
        thread_url=thread_url,
        thread_title=topic.title,
        parent_key=parent,
        engagement={"score": post.score, "reads": post.reads, "replies": post.replies},
    )


def render_post_text(cooked: str) -> str:
    """Plain text of a post's ``cooked`` HTML, quotes and link previews left out."""
    tree = LexborHTMLParser(cooked)
    if tree.body is None:
        return ""
    for node in tree.body.css(_NOT_AUTHORED):
        node.decompose()
    return node_text(tree.body)


def _int_option(options: Mapping[str, str], name: str, default: int) -> int:
    value = options.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise CollectorError(f"option {name} must be a whole number, got {value!r}") from None

