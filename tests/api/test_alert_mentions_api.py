"""An alert leads to exactly the mentions behind it; brand filters say what they hide."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from monitor.db.engine import unit_of_work
from monitor.db.models import Mention
from monitor.db.models_alerts import Alert
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed, seed_alert


def _ids(client: TestClient, auth: dict[str, str], path: str, **params: Any) -> list[str]:
    response = client.get(path, headers=auth, params=params)
    assert response.status_code == 200, response.text
    return sorted(i["url"].rsplit("/", 1)[-1] for i in response.json()["items"])


def _seed(runtime: Runtime) -> dict[str, int]:
    ids = seed(runtime, [
        Doc("inside", NOW - timedelta(minutes=30)),
        Doc("edge", NOW),  # the window's end is part of it
        Doc("before", NOW - timedelta(hours=1)),  # its start is not
        Doc("globex", NOW - timedelta(minutes=10), brands={"Globex": "neutral"}),
        Doc("history", NOW - timedelta(minutes=20)),
    ])
    with unit_of_work(runtime.sessions) as session:  # found by a first crawl: not news
        session.execute(update(Mention).where(Mention.id == ids["history"]).values(
            backfill=True))
    return ids


def test_a_volume_alert_links_to_the_mentions_in_its_window(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    alert_id = seed_alert(runtime, title="Acme spike", created_at=NOW)
    detail = client.get(f"/api/v1/alerts/{alert_id}", headers=auth).json()
    assert detail["mentions_url"] == f"/api/v1/inbox?alert={alert_id}"
    assert _ids(client, auth, "/api/v1/inbox", alert=alert_id) == ["edge", "inside"]
    assert _ids(client, auth, "/api/v1/mentions", alert=alert_id) == ["edge", "inside"]
    assert client.get("/api/v1/inbox", headers=auth,
                      params={"alert": 999999}).status_code == 404


def test_a_rule_alert_links_to_the_mentions_it_matched(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    ids = _seed(runtime)
    alert_id = seed_alert(runtime, title="Refund rule", brand=None, created_at=NOW)
    with unit_of_work(runtime.sessions) as session:
        alert = session.get(Alert, alert_id)
        assert alert is not None
        alert.kind = "rule_match"
        alert.explanation = {**alert.explanation, "mention_ids": [ids["before"], ids["globex"]]}
    assert _ids(client, auth, "/api/v1/inbox", alert=alert_id) == ["before", "globex"]


def test_a_brand_filter_says_how_many_brandless_alerts_it_hides(
    client: TestClient, auth: dict[str, str], runtime: Runtime
) -> None:
    _seed(runtime)
    seed_alert(runtime, title="Acme spike", created_at=NOW)
    silence = seed_alert(runtime, title="Coffee forum failing", brand=None, created_at=NOW)
    listed = client.get("/api/v1/alerts", headers=auth, params={"brand": "Acme"}).json()
    assert [a["title"] for a in listed["items"]] == ["Acme spike"]
    assert listed["brandless_hidden"] == 1
    everything = client.get("/api/v1/alerts", headers=auth).json()
    assert everything["brandless_hidden"] == 0
    assert len(everything["items"]) == 2
    with unit_of_work(runtime.sessions) as session:
        alert = session.get(Alert, silence)
        assert alert is not None
        alert.kind = "source_silence"
    assert _ids(client, auth, "/api/v1/inbox", alert=silence) == []
