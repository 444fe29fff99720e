"""Whole threads through the API: every stored comment in order, new replies, follow, mute."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

T = "https://forum.example/t/9"


def _thread_docs() -> list[Doc]:
    at = NOW - timedelta(hours=5)
    return [
        Doc("post", at, title="Espresso machines?", text="Acme or Globex?", url=T,
            thread_url=T, thread_title="Espresso machines?",
            brands={"Acme": "neutral", "Globex": "neutral"}),
        Doc("c1", at + timedelta(hours=1), kind="comment", author="omar", url=T + "#1",
            text="Mine is quiet.", thread_url=T, parent_key="post", brands={}),
        Doc("c2", at + timedelta(hours=3), kind="comment", author="lena", url=T + "#2",
            text="Acme broke.", thread_url=T, parent_key="post",
            brands={"Acme": "negative"}),
        Doc("c1a", at + timedelta(hours=2), kind="comment", author="nadia", url=T + "#3",
            text="Which one?", thread_url=T, parent_key="c1", brands={}),
        Doc("orphan", at + timedelta(hours=4), kind="comment", author="kim", url=T + "#4",
            text="Globex!", thread_url=T, parent_key="gone", brands={"Globex": "positive"}),
        Doc("elsewhere", at, text="Acme elsewhere", url="https://forum.example/t/10"),
    ]


def _get(client: TestClient, auth: dict[str, str], path: str) -> Any:
    response = client.get(path, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_thread_lists_every_stored_comment_nested_in_order(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    ids = seed(runtime, _thread_docs())
    mention = _get(client, auth, f"/api/v1/mentions/{ids['c2']}")
    thread_id = mention["thread_id"]
    assert thread_id is not None
    inbox = _get(client, auth, "/api/v1/inbox")["items"]
    assert {i["thread_id"] for i in inbox if i["url"].startswith(T)} == {thread_id}
    body = _get(client, auth, f"/api/v1/threads/{thread_id}")
    assert (body["url"], body["title"], body["last_opened_at"]) == (
        T, "Espresso machines?", None)
    assert [(p["author"], p["depth"]) for p in body["posts"]] == [
        ("nadia", 0), ("omar", 1), ("nadia", 2), ("lena", 1), ("kim", 0)]
    post = body["posts"][0]
    assert [(b["brand"], b["sentiment"]) for b in post["brands"]] == [
        ("Acme", "neutral"), ("Globex", "neutral")]
    assert body["posts"][2]["parent_id"] == body["posts"][1]["id"]
    assert not any(p["new"] for p in body["posts"])
    assert client.get("/api/v1/threads/999999", headers=auth).status_code == 404


def test_replies_stored_since_the_last_opening_are_marked(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    ids = seed(runtime, _thread_docs())
    thread_id = _get(client, auth, f"/api/v1/mentions/{ids['c2']}")["thread_id"]
    first = _get(client, auth, f"/api/v1/threads/{thread_id}")
    assert first["new_count"] == 0
    later = datetime.now(UTC)  # stored after the first opening, before the next
    seed(runtime, [Doc("late", later, kind="comment", author="zoe", url=T + "#5",
                       text="Acme replied to me.", thread_url=T, parent_key="c2")])
    second = _get(client, auth, f"/api/v1/threads/{thread_id}")
    assert second["last_opened_at"] is not None
    assert second["new_count"] == 1
    assert [p["author"] for p in second["posts"] if p["new"]] == ["zoe"]
    assert _get(client, auth, f"/api/v1/threads/{thread_id}")["new_count"] == 0


def test_follow_and_mute_a_thread(client: TestClient, auth: dict[str, str],
                                  runtime: Runtime) -> None:
    ids = seed(runtime, _thread_docs())
    thread_id = _get(client, auth, f"/api/v1/mentions/{ids['c2']}")["thread_id"]
    followed = client.post(f"/api/v1/threads/{thread_id}/follow", headers=auth, json={})
    assert followed.status_code == 200, followed.text
    assert followed.json()["followed"] is True
    muted = client.post(f"/api/v1/threads/{thread_id}/mute", headers=auth, json={})
    assert muted.status_code == 200, muted.text
    assert muted.json()["hidden"] == 4  # post (two brands), c2 and the orphan
    urls = [m["url"] for m in _get(client, auth, "/api/v1/mentions")["items"]]
    assert urls == ["https://forum.example/t/10"]
    assert client.post(f"/api/v1/threads/{thread_id}/mute", headers=auth,
                       json={}).status_code == 409
