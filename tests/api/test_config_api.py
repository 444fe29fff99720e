"""Brands, sources and metrics through the API: validation, live changes, re-matching."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from monitor.config import Settings
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed, seed_alert


def _post(client: TestClient, auth: dict[str, str], path: str, body: dict[str, Any],
          status: int = 201) -> Any:
    response = client.post(path, headers=auth, json=body)
    assert response.status_code == status, response.text
    return response.json()


def test_brand_crud_with_query_validation(client: TestClient, auth: dict[str, str]) -> None:
    brand = _post(client, auth, "/api/v1/brands", {"name": "Initech", "query": "Initech"})
    assert brand["from_config"] is False
    broken = client.post("/api/v1/brands", headers=auth,
                         json={"name": "Bad", "query": '"unclosed AND ('})
    assert broken.status_code == 422
    assert "invalid query" in broken.json()["error"]["message"]
    assert "position" in broken.json()["error"]["message"] or "column" in broken.json()[
        "error"]["message"] or any(ch.isdigit() for ch in broken.json()["error"]["message"])
    _post(client, auth, "/api/v1/brands", {"name": "Initech", "query": "x"}, status=409)
    url = f"/api/v1/brands/{brand['id']}"
    assert client.patch(url, headers=auth, json={"query": "Initech AND ("}).status_code == 422
    changed = client.patch(url, headers=auth, json={"enabled": False}).json()
    assert changed["enabled"] is False
    assert client.get(url, headers=auth).json()["enabled"] is False
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404


def test_a_new_or_changed_query_rematches_stored_documents(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    seed(runtime, [Doc("a", NOW, text="Acme and Initech make printers"),
                   Doc("b", NOW, text="Initech TPS reports"), Doc("c", NOW, text="Acme only")])
    brand = _post(client, auth, "/api/v1/brands", {"name": "Initech", "query": "Initech"})
    assert brand["rematched"] is True

    def initech() -> list[str]:
        items = client.get("/api/v1/mentions", headers=auth,
                           params={"brand": "Initech"}).json()["items"]
        return sorted(m["url"].rsplit("/", 1)[1] for m in items)

    assert initech() == ["a", "b"]
    client.patch(f"/api/v1/brands/{brand['id']}", headers=auth,
                 json={"query": "Initech AND printers"})
    assert initech() == ["a"]


def test_config_rows_are_disabled_not_deleted(client: TestClient, auth: dict[str, str],
                                              runtime: Runtime) -> None:
    seed(runtime, [])  # the seed's brands and sources come "from the config file"
    [acme] = [b for b in client.get("/api/v1/brands", headers=auth).json() if b["name"] == "Acme"]
    response = client.delete(f"/api/v1/brands/{acme['id']}", headers=auth)
    assert response.status_code == 409
    assert "config file" in response.json()["error"]["message"]
    source = client.get("/api/v1/sources", headers=auth).json()[0]
    assert client.delete(f"/api/v1/sources/{source['id']}", headers=auth).status_code == 409
    disabled = client.patch(f"/api/v1/sources/{source['id']}", headers=auth,
                            json={"enabled": False}).json()
    assert (disabled["enabled"], disabled["health"]) == (False, "disabled")


def test_source_crud_validates_like_the_config_file(client: TestClient, auth: dict[str, str]
                                                     ) -> None:
    body = {"name": "Brew blog", "url": "https://brew.example/feed/", "kind": "rss",
            "interval_seconds": 900}
    created = _post(client, auth, "/api/v1/sources", body)
    assert (created["health"], created["interval_seconds"], created["from_config"]) == (
        "pending", 900, False)
    _post(client, auth, "/api/v1/sources", body, status=409)
    for bad in ({**body, "url": "ftp://brew.example/"}, {**body, "url": "brew.example"},
                {**body, "interval_seconds": 30}, {**body, "kind": "gopher"}):
        response = client.post("/api/v1/sources", headers=auth, json=bad)
        assert response.status_code == 422, bad
    url = f"/api/v1/sources/{created['id']}"
    moved = client.patch(url, headers=auth, json={"url": "https://brew.example/atom/"}).json()
    assert moved["url"] == "https://brew.example/atom/"
    assert client.patch(url, headers=auth, json={"url": "javascript:alert(1)"}
                        ).status_code == 422
    assert client.delete(url, headers=auth).status_code == 204
    assert client.get(url, headers=auth).status_code == 404


def test_query_preview(client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, text="Initech printers jam")])
    response = client.post("/api/v1/brands/preview", headers=auth, json={"query": "Initech"})
    assert response.status_code == 200, response.text
    assert response.json()["query"] == "Initech"
    bad = client.post("/api/v1/brands/preview", headers=auth, json={"query": "a AND"})
    assert bad.status_code == 422


def test_metrics_need_a_key_and_report_figures(client: TestClient, auth: dict[str, str],
                                               runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW, brands={"Acme": "negative"}), Doc("b", NOW)])
    seed_alert(runtime, title="spike", severity="critical", deliveries=("slack:sent",))
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", headers=auth)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert "brand_monitor_documents 2.0" in text
    assert 'brand_monitor_mentions{brand="Acme",sentiment="negative"} 1.0' in text
    assert 'brand_monitor_sources{health="pending"} 3.0' in text
    assert "brand_monitor_queue_lag_seconds" in text
    assert 'brand_monitor_inbox_items{state="new"} 2.0' in text
    assert 'brand_monitor_sources_last_fetch{status="never"} 3.0' in text
    assert 'brand_monitor_alerts{severity="critical",state="open"} 1.0' in text
    assert 'brand_monitor_deliveries{channel="slack",status="sent"} 1.0' in text


def test_metrics_on_loopback_need_no_key(settings: Settings, runtime: Runtime) -> None:
    from api.app import create_app

    loopback = settings.model_copy(update={"api": settings.api.model_copy(
        update={"metrics_access": "loopback"})})
    with TestClient(create_app(loopback, runtime)) as remote:  # the test client is not local
        assert remote.get("/metrics").status_code == 403
    with TestClient(create_app(loopback, runtime), client=("127.0.0.1", 5555)) as local:
        assert local.get("/metrics").status_code == 200


def test_source_suggestions(client: TestClient, auth: dict[str, str], runtime: Runtime) -> None:
    seed(runtime, [
        Doc("s1", NOW, text="Acme recall: https://coffee-news.example/acme-recall"),
        Doc("s2", NOW, text="Acme again https://coffee-news.example/acme-2 "
                            "https://blog.example.org/followed"),
        Doc("s3", NOW, text="Acme https://blog.example.org/followed-too"),
    ])
    response = client.get("/api/v1/sources/suggestions", headers=auth)
    assert response.status_code == 200, response.text
    assert [(s["host"], s["documents"], s["url"]) for s in response.json()] == [
        ("coffee-news.example", 2, "https://coffee-news.example/")]
    assert client.get("/api/v1/sources/suggestions").status_code == 401
