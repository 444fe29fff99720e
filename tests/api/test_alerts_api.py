"""The alert feed API: list with filters and a cursor, one alert, acknowledging."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from monitor.runtime import Runtime
from tests.desk_seed import NOW, make_key, seed, seed_alert


def test_alerts_are_listed_newest_first_with_filters(client: TestClient, auth: dict[str, str],
                                                     runtime: Runtime) -> None:
    seed(runtime, [])
    for i in range(5):
        seed_alert(runtime, title=f"spike {i}", created_at=NOW - timedelta(hours=i),
                   severity="critical" if i == 2 else "warning",
                   brand="Globex" if i == 4 else "Acme")
    body = client.get("/api/v1/alerts", headers=auth, params={"limit": 2}).json()
    assert [a["title"] for a in body["items"]] == ["spike 0", "spike 1"]
    rest = client.get("/api/v1/alerts", headers=auth,
                      params={"limit": 10, "cursor": body["next_cursor"]}).json()
    assert [a["title"] for a in rest["items"]] == ["spike 2", "spike 3", "spike 4"]
    critical = client.get("/api/v1/alerts", headers=auth, params={"severity": "critical"})
    assert [a["title"] for a in critical.json()["items"]] == ["spike 2"]
    globex = client.get("/api/v1/alerts", headers=auth, params={"brand": "Globex"}).json()
    assert [(a["title"], a["brand"]) for a in globex["items"]] == [("spike 4", "Globex")]
    for params in ({"cursor": "junk"}, {"severity": "meh"}, {"limit": 0}):
        assert client.get("/api/v1/alerts", headers=auth, params=params).status_code == 422


def test_one_alert_with_explanation_deliveries_and_acknowledgement(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    seed(runtime, [])
    alert_id = seed_alert(runtime, title="Recall spike", deliveries=("slack:sent",
                                                                     "email:failed"))
    body = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    assert body["explanation"]["top_terms"][0] == ["recall", 20]
    assert [(d["channel"], d["status"]) for d in body["deliveries"]] == [
        ("slack", "sent"), ("email", "failed")]
    assert body["acknowledged_at"] is None
    [listed] = client.get("/api/v1/alerts", headers=auth).json()["items"]
    assert [d["status"] for d in listed["deliveries"]] == ["sent", "failed"]
    reader = {"Authorization": f"Bearer {make_key(runtime, ['read'])}"}
    url = f"/api/v1/alerts/{alert_id}/ack"
    assert client.post(url, headers=reader).status_code == 403
    first = client.post(url, headers=auth).json()["acknowledged_at"]
    assert first is not None
    assert client.post(url, headers=auth).json()["acknowledged_at"] == first
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()["state"] == "open"
    resolved = client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=auth).json()
    assert resolved["state"] == "resolved"
    assert resolved["resolved_at"] is not None
    assert client.post(f"/api/v1/alerts/{alert_id}/resolve", headers=reader).status_code == 403
    assert client.get("/api/v1/alerts/99999", headers=auth).status_code == 404
