"""sort=priority on the inbox and the mention listing: order, reasons, cursors, triage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, get_args

from fastapi.testclient import TestClient

from api.schemas import PriorityReason
from monitor.domain import priority
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed

LISTINGS = ("/api/v1/inbox", "/api/v1/mentions")


def _seed(runtime: Runtime) -> dict[str, int]:
    return seed(runtime, [
        Doc("quiet", NOW, text="Acme makes kettles."),
        Doc("complaint", NOW - timedelta(days=2), score=-0.8,
            text="Acme charged me twice and support is ignoring me.",
            brands={"Acme": "negative", "Globex": "neutral"}),
        Doc("popular", NOW - timedelta(hours=1), text="Acme kettles are everywhere.",
            engagement={"score": 150, "comments": 30}),
    ])


def _get(client: TestClient, auth: dict[str, str], path: str, **params: Any
         ) -> dict[str, Any]:
    response = client.get(path, headers=auth, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _walk(client: TestClient, auth: dict[str, str], path: str, **params: Any
          ) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = _get(client, auth, path, **params, **({"cursor": cursor} if cursor else {}))
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return seen


def test_priority_sort_puts_the_complaint_first_with_its_reasons(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    for path in LISTINGS:
        items = _get(client, auth, path, sort="priority")["items"]
        first = items[0]
        assert first["snippet"].startswith("Acme charged me twice"), path
        assert first["priority_reasons"] == ["needs reply", "very negative"]
        assert first["priority"] == 64
        popular = next(i for i in items if "everywhere" in i["snippet"])
        assert popular["priority_reasons"] == ["high engagement", "engagement rising"]
        assert items[-1]["priority_reasons"] == []
        assert [i["priority"] for i in items] == sorted((i["priority"] for i in items),
                                                        reverse=True)


def test_the_default_order_stays_newest_first_and_carries_priorities(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    items = _get(client, auth, "/api/v1/inbox")["items"]
    assert [i["snippet"].split()[1] for i in items] == ["makes", "kettles", "charged"]
    assert [i["priority"] for i in items] == [0, 34, 64]


def test_priority_pages_list_every_entry_once_in_order(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    docs = [Doc(f"d{i}", NOW - timedelta(minutes=i), engagement={"score": (i * 7) % 40},
                text="Does Acme ship to Oslo?" if i % 5 == 0 else "Acme is a brand.",
                brands={"Acme": "neutral", "Globex": "neutral"} if i % 3 == 0 else
                {"Acme": "neutral"}) for i in range(30)]
    seed(runtime, docs)
    expected = {"/api/v1/inbox": 30, "/api/v1/mentions": 40}
    for path in LISTINGS:
        seen = _walk(client, auth, path, sort="priority", limit=4)
        keys = [(i["priority"], i["id"]) for i in seen]
        assert len(keys) == len(set(keys)) == expected[path], path
        assert keys == sorted(keys, reverse=True), path
        assert len({i["priority"] for i in seen}) > 5  # pages cross many distinct scores


def test_triage_moves_an_item_up_the_priority_order(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    quiet = next(i for i in _get(client, auth, "/api/v1/inbox")["items"]
                 if i["priority"] == 0)
    response = client.patch(f"/api/v1/items/{quiet['id']}", headers=auth,
                            json={"state": "needs_reply"})
    assert response.status_code == 200, response.text
    assert response.json()["priority_reasons"] == ["needs reply"]
    items = _get(client, auth, "/api/v1/inbox", sort="priority")["items"]
    assert [i["id"] for i in items[:2]] == [next(
        i["id"] for i in items if i["priority"] == 64), quiet["id"]]


def test_a_cursor_of_another_sort_is_refused(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    for path in LISTINGS:
        cursor = _get(client, auth, path, sort="priority", limit=1)["next_cursor"]
        for other in ("time", "engagement"):
            response = client.get(path, headers=auth, params={"sort": other, "cursor": cursor})
            assert response.status_code == 422, (path, other)


def test_every_reason_the_score_gives_is_in_the_api_schema() -> None:
    assert set(priority.REASONS) == set(get_args(PriorityReason))
