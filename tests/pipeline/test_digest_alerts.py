"""The weekly digest lists every alert of its week: brand alerts under their brand, rule and
source alerts (which belong to no brand) in a section of their own."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import update

from monitor.db.engine import unit_of_work
from monitor.db.models_alerts import Alert
from monitor.notify.weeks import compute_week_label
from monitor.pipeline.digest import build_digest
from monitor.runtime import Runtime
from tests.desk_seed import NOW, Doc, seed, seed_alert


def _alert(runtime: Runtime, title: str, brand: str | None, kind: str, severity: str,
           subject: str = "", days_ago: int = 0) -> int:
    alert_id = seed_alert(runtime, title=title, brand=brand, severity=severity,
                          created_at=NOW - timedelta(days=days_ago))
    with unit_of_work(runtime.sessions) as session:
        session.execute(update(Alert).where(Alert.id == alert_id).values(
            kind=kind, subject=subject or brand or title, summary=title))
    return alert_id


def test_brand_less_alerts_are_in_the_digest_in_their_own_section(runtime: Runtime) -> None:
    seed(runtime, [Doc("a", NOW)])
    _alert(runtime, "Acme spike", "Acme", "volume_spike", "warning")
    _alert(runtime, "Legal: recall mentioned", None, "rule_match", "critical", "Legal")
    _alert(runtime, "Coffee forum failing", None, "source_silence", "warning", "Coffee forum")
    _alert(runtime, "Older rule alert", None, "rule_match", "critical", "Legal", days_ago=30)
    digest = build_digest(runtime, compute_week_label(NOW, ZoneInfo("UTC")), NOW)
    assert "3 alerts" in digest.subject
    other = digest.text.split("Other alerts this week")[1]
    assert "Legal: recall mentioned" in other
    assert "(Legal)" in other
    assert "Coffee forum failing" in other
    assert "Acme spike" not in other
    assert "Older rule alert" not in digest.text
    acme = digest.text.split("Other alerts this week")[0]
    assert "Acme spike" in acme
    assert "Other alerts this week (2)" in digest.html
    assert "Legal: recall mentioned" in digest.html
