"""Triage through the API: PATCH, bulk, mute, exclusions, saved views, scopes and CSRF."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, make_key, seed


def _seed_thread(runtime: Runtime) -> dict[str, int]:
    return seed(runtime, [
        Doc("post", NOW - timedelta(hours=2), title="Espresso machines?",
            text="Which espresso machine? Acme or Globex?", url="https://forum.example/t/9",
            thread_url="https://forum.example/t/9", thread_title="Espresso machines?",
            engagement={"score": 10, "replies": 2}),
        Doc("reply", NOW - timedelta(hours=1), kind="comment", author="omar",
            text="Acme broke after a week.", url="https://forum.example/t/9#p2",
            thread_url="https://forum.example/t/9", thread_title="Espresso machines?",
            parent_key="post", brands={"Acme": "negative"}),
        Doc("other", NOW, text="Acme is fine", author="spam", url="https://spam.example/1"),
    ])


def _patch(client: TestClient, auth: dict[str, str], mention_id: int, **body: Any
           ) -> dict[str, Any]:
    response = client.patch(f"/api/v1/mentions/{mention_id}", headers=auth, json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_mention_detail_has_text_context_and_notes(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    ids = _seed_thread(runtime)
    body = client.get(f"/api/v1/mentions/{ids['reply']}", headers=auth).json()
    assert body["text"] == "Acme broke after a week."
    assert body["spans"] == [["text", 0, 4]]
    assert body["context"] == {
        "parent_author": "nadia", "parent_text": "Which espresso machine? Acme or Globex?",
        "parent_url": "https://forum.example/t/9", "thread_title": "Espresso machines?",
        "thread_url": "https://forum.example/t/9"}
    assert body["site"] == "forum.example"
    assert client.get("/api/v1/mentions/999999", headers=auth).status_code == 404


def test_patch_state_tags_note_and_override(client: TestClient, auth: dict[str, str],
                                            runtime: Runtime) -> None:
    ids = _seed_thread(runtime)
    body = _patch(client, auth, ids["reply"], state="needs_reply", tags=["Support", "vip"],
                  note="Offer a repair", sentiment="neutral")
    assert body["state"] == "needs_reply"
    assert body["tags"] == ["support", "vip"]
    assert [n["body"] for n in body["notes"]] == ["Offer a repair"]
    assert body["notes"][0]["author"] == "tests"
    assert body["sentiment"]["label"] == "neutral"
    assert body["sentiment_override"] == "neutral"
    body = _patch(client, auth, ids["reply"], sentiment=None)  # null clears the override
    assert (body["sentiment"]["label"], body["sentiment_override"]) == ("negative", None)
    assert body["tags"] == ["support", "vip"]  # fields not sent stay
    listed = client.get("/api/v1/mentions", headers=auth,
                        params={"state": "needs_reply", "tag": "vip"}).json()["items"]
    assert [m["id"] for m in listed] == [ids["reply"]]


def test_snooze_needs_a_future_time(client: TestClient, auth: dict[str, str], runtime: Runtime
                                    ) -> None:
    ids = _seed_thread(runtime)
    until = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = _patch(client, auth, ids["post"], state="snoozed", snoozed_until=until)
    assert body["state"] == "snoozed"
    assert body["snoozed_until"] is not None
    for bad in ({"state": "snoozed"}, {"snoozed_until": "2001-01-01T00:00:00Z"},
                {"snoozed_until": "2030-01-01T00:00:00"}, {"state": "seen", "snoozed_until": until},
                {"state": "done"}, {"sentiment": "furious"}, {"tags": ["ok", ""]},
                {"unknown": 1}):
        response = client.patch(f"/api/v1/mentions/{ids['post']}", headers=auth, json=bad)
        assert response.status_code == 422, bad
        assert set(response.json()["error"]) == {"code", "message", "details"}


def test_bulk_by_ids_and_by_filter(client: TestClient, auth: dict[str, str], runtime: Runtime
                                   ) -> None:
    ids = _seed_thread(runtime)
    response = client.post("/api/v1/mentions/bulk", headers=auth, json={
        "ids": [ids["post"], ids["reply"], 999999], "state": "seen", "add_tags": ["triaged"]})
    assert response.json() == {"matched": 3, "updated": 2, "truncated": False}
    response = client.post("/api/v1/mentions/bulk", headers=auth, json={
        "filter": {"brand": "Acme", "state": "new"}, "state": "ignored"})
    assert response.json()["updated"] == 1
    states = {m["id"]: m["state"] for m in client.get(
        "/api/v1/mentions", headers=auth, params={"brand": "Acme"}).json()["items"]}
    assert states == {ids["post"]: "seen", ids["reply"]: "seen", ids["other"]: "ignored"}
    for bad in ({"state": "seen"}, {"ids": [1], "filter": {}, "state": "seen"},
                {"ids": [], "state": "seen"}, {"ids": [0], "state": "seen"},
                {"ids": [1], "sentiment": "positive", "clear_sentiment": True}):
        assert client.post("/api/v1/mentions/bulk", headers=auth, json=bad).status_code == 422


def test_mute_dry_run_then_hide_past_then_unmute(client: TestClient, auth: dict[str, str],
                                                 runtime: Runtime) -> None:
    ids = _seed_thread(runtime)
    url = f"/api/v1/mentions/{ids['reply']}/mute"
    dry = client.post(url, headers=auth, json={"kind": "thread", "dry_run": True}).json()
    assert dry == {"kind": "thread", "value": "https://forum.example/t/9", "would_hide": 2,
                   "exclusion": None}
    assert len(client.get("/api/v1/mentions", headers=auth).json()["items"]) == 3
    done = client.post(url, headers=auth, json={"kind": "thread", "hide_past": True}).json()
    assert done["exclusion"]["hidden"] == 2
    assert done["exclusion"]["brand"] == "Acme"
    items = client.get("/api/v1/mentions", headers=auth).json()["items"]
    assert [m["id"] for m in items] == [ids["other"]]
    hidden = client.get("/api/v1/mentions", headers=auth, params={"include_hidden": True})
    assert {m["muted_by"] for m in hidden.json()["items"]} == {None, done["exclusion"]["id"]}
    assert client.post(url, headers=auth, json={"kind": "thread"}).status_code == 409
    listed = client.get("/api/v1/exclusions", headers=auth).json()
    assert [(e["kind"], e["value"]) for e in listed] == [("thread", "https://forum.example/t/9")]
    assert client.delete(f"/api/v1/exclusions/{listed[0]['id']}", headers=auth).status_code == 204
    assert len(client.get("/api/v1/mentions", headers=auth).json()["items"]) == 3


def test_exclusions_api_preview_and_create(client: TestClient, auth: dict[str, str],
                                           runtime: Runtime) -> None:
    _seed_thread(runtime)
    body = {"kind": "site", "value": "https://www.spam.example/whatever"}
    preview = client.post("/api/v1/exclusions/preview", headers=auth, json=body).json()
    assert preview == {"kind": "site", "value": "spam.example", "would_hide": 1}
    created = client.post("/api/v1/exclusions", headers=auth, json=body)
    assert created.status_code == 201
    assert created.json()["hidden"] == 0  # hide_past not asked: past ones stay visible
    assert len(client.get("/api/v1/mentions", headers=auth).json()["items"]) == 3
    for bad in ({"kind": "site", "value": "com"}, {"kind": "planet", "value": "x"},
                {"kind": "author", "value": "x", "brand": "Nope"}):
        assert client.post("/api/v1/exclusions", headers=auth, json=bad).status_code == 422
    assert client.delete("/api/v1/exclusions/424242", headers=auth).status_code == 404


def test_saved_views_are_personal(client: TestClient, auth: dict[str, str], runtime: Runtime
                                  ) -> None:
    other = {"Authorization": f"Bearer {make_key(runtime, ['read'], 'omar')}"}
    saved = client.post("/api/v1/views", headers=auth,
                        json={"name": "Angry", "params": {"sentiment": "negative"}})
    assert saved.status_code == 201
    assert [v["name"] for v in client.get("/api/v1/views", headers=auth).json()] == ["Angry"]
    assert client.get("/api/v1/views", headers=other).json() == []
    view_id = saved.json()["id"]
    assert client.delete(f"/api/v1/views/{view_id}", headers=other).status_code == 404
    assert client.delete(f"/api/v1/views/{view_id}", headers=auth).status_code == 204


def test_scopes_nest_read_write_admin(client: TestClient, runtime: Runtime) -> None:
    ids = _seed_thread(runtime)
    reader = {"Authorization": f"Bearer {make_key(runtime, ['read'])}"}
    writer = {"Authorization": f"Bearer {make_key(runtime, ['write'])}"}
    assert client.get("/api/v1/mentions", headers=writer).status_code == 200
    patch = client.patch(f"/api/v1/mentions/{ids['post']}", headers=reader, json={"state": "seen"})
    assert patch.status_code == 403
    assert patch.json()["error"]["code"] == "forbidden"
    assert client.patch(f"/api/v1/mentions/{ids['post']}", headers=writer,
                        json={"state": "seen"}).status_code == 200
    assert client.get("/api/v1/keys", headers=writer).status_code == 403
    assert client.post("/api/v1/brands", headers=writer,
                       json={"name": "X", "query": "x"}).status_code == 403


def test_keys_created_listed_and_revoked(client: TestClient, auth: dict[str, str]) -> None:
    created = client.post("/api/v1/keys", headers=auth,
                          json={"name": "grafana", "scopes": ["read"]}).json()
    key = {"Authorization": f"Bearer {created['key']}"}
    assert created["key"].startswith(created["prefix"])
    assert client.get("/api/v1/brands", headers=key).status_code == 200
    listed = client.get("/api/v1/keys", headers=auth).json()
    assert "key" not in listed[-1]
    assert client.delete(f"/api/v1/keys/{created['id']}", headers=auth).json()["revoked_at"]
    assert client.get("/api/v1/brands", headers=key).status_code == 401


def test_session_cookie_works_for_the_api_with_a_csrf_header(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    ids = _seed_thread(runtime)
    login = client.get("/login")
    token = login.cookies.get("bm_login_csrf") or client.cookies.get("bm_login_csrf") or ""
    response = client.post("/login", data={"api_key": api_key, "login_token": token},
                           follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/v1/mentions").status_code == 200  # the cookie alone reads
    url = f"/api/v1/mentions/{ids['post']}"
    assert client.patch(url, json={"state": "seen"}).status_code == 403  # no CSRF header
    page = client.get("/inbox").text
    csrf = page.split('name="csrf-token" content="')[1].split('"')[0]
    assert client.patch(url, json={"state": "seen"}, headers={"X-CSRF-Token": csrf}
                        ).status_code == 200
    assert client.patch(url, json={"state": "seen"}, headers={"X-CSRF-Token": "x" + csrf}
                        ).status_code == 403
