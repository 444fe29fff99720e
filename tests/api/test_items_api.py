"""The inbox lists items: a comment naming two brands is one entry, triaged once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed


def _seed(runtime: Runtime) -> dict[str, int]:
    return seed(runtime, [
        Doc("post", NOW - timedelta(hours=2), title="Espresso machines?",
            text="Which espresso machine? Acme or Globex?", url="https://forum.example/t/9",
            thread_url="https://forum.example/t/9", engagement={"score": 10},
            brands={"Acme": "neutral", "Globex": "neutral"}),
        Doc("both", NOW - timedelta(hours=1), kind="comment", author="omar",
            text="Acme broke after a week, Globex never did.",
            url="https://forum.example/t/9#p2", thread_url="https://forum.example/t/9",
            parent_key="post", brands={"Acme": "negative", "Globex": "positive"}),
        Doc("solo", NOW, text="Globex is fine", brands={"Globex": "neutral"},
            engagement={"score": 3}),
    ])


def _inbox(client: TestClient, auth: dict[str, str], **params: Any) -> dict[str, Any]:
    response = client.get("/api/v1/inbox", headers=auth, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_two_brand_comment_is_one_item_with_both_chips(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    items = _inbox(client, auth)["items"]
    assert [i["url"] for i in items] == [
        "https://forum.example/t/solo", "https://forum.example/t/9#p2", "https://forum.example/t/9"]
    both = items[1]
    assert [(m["brand"], m["sentiment"]["label"]) for m in both["mentions"]] == [
        ("Acme", "negative"), ("Globex", "positive")]
    assert [i["reply_reason"] for i in items] == ["", "complaint", "question"]
    mentions = client.get("/api/v1/mentions", headers=auth).json()["items"]
    assert len(mentions) == 5  # the per-(item, brand) view trends count
    negative = _inbox(client, auth, sentiment="negative")["items"]
    assert [i["id"] for i in negative] == [both["id"]]
    assert len(negative[0]["mentions"]) == 2  # the item shows every brand it names


def test_triage_tags_and_notes_belong_to_the_item(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    both = _inbox(client, auth)["items"][1]
    response = client.patch(f"/api/v1/items/{both['id']}", headers=auth,
                            json={"state": "needs_reply", "tags": ["Refund"], "note": "Call"})
    assert response.status_code == 200, response.text
    detail = response.json()
    assert (detail["state"], detail["tags"]) == ("needs_reply", ["refund"])
    assert [n["body"] for n in detail["notes"]] == ["Call"]
    for mention in both["mentions"]:  # each brand's mention reads its item's triage
        body = client.get(f"/api/v1/mentions/{mention['id']}", headers=auth).json()
        assert (body["state"], body["tags"]) == ("needs_reply", ["refund"])
        assert [n["body"] for n in body["notes"]] == ["Call"]
    # Triage through one mention changes the item, so its other brand's mention too.
    acme, globex = (m["id"] for m in both["mentions"])
    client.patch(f"/api/v1/mentions/{acme}", headers=auth, json={"state": "replied"})
    assert client.get(f"/api/v1/mentions/{globex}", headers=auth).json()["state"] == "replied"
    assert [i["id"] for i in _inbox(client, auth, state="replied")["items"]] == [both["id"]]
    assert client.patch("/api/v1/items/999999", headers=auth,
                        json={"state": "seen"}).status_code == 404


def test_sentiment_override_stays_per_brand(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    both = _inbox(client, auth)["items"][1]
    acme = both["mentions"][0]["id"]
    client.patch(f"/api/v1/mentions/{acme}", headers=auth, json={"sentiment": "neutral"})
    item = client.get(f"/api/v1/items/{both['id']}", headers=auth).json()
    assert [m["sentiment"]["label"] for m in item["mentions"]] == ["neutral", "positive"]


def test_inbox_pages_list_every_item_once_in_both_sorts(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    docs = [Doc(f"d{i}", NOW - timedelta(minutes=i % 7), engagement={"score": i % 5},
                brands={"Acme": "neutral", "Globex": "negative"} if i % 2 else
                {"Acme": "neutral"}) for i in range(30)]
    seed(runtime, docs)
    for sort in ("time", "engagement"):
        seen: list[int] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 4, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            page = _inbox(client, auth, **params)
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 30, sort


def test_unknown_brand_is_a_422_naming_it(client: TestClient, auth: dict[str, str],
                                          runtime: Runtime) -> None:
    _seed(runtime)
    for path in ("/api/v1/inbox", "/api/v1/mentions"):
        response = client.get(path, headers=auth, params={"brand": "Initech"})
        assert response.status_code == 422
        assert "Initech" in response.json()["error"]["message"]


def test_cursors_of_one_listing_are_refused_by_the_other(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    items = _inbox(client, auth, limit=1)["next_cursor"]
    mentions = client.get("/api/v1/mentions", headers=auth,
                          params={"limit": 1}).json()["next_cursor"]
    assert client.get("/api/v1/mentions", headers=auth,
                      params={"cursor": items}).status_code == 422
    assert client.get("/api/v1/inbox", headers=auth,
                      params={"cursor": mentions}).status_code == 422
