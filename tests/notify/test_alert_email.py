"""The alert e-mail, rendered from fixtures: subject, plain words, the link to exactly its
mentions, crawled text escaped; and when it goes out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.domain.alerts import SampleMention
from monitor.notify.alert_email import render_alert_email
from monitor.notify.timing import decide_email_alert, decide_email_alert_time
from tests.notify.conftest import AlertFactory

DASHBOARD = "https://monitor.example.org/"
EVIL = "<script>alert(1)</script> <img src=x onerror=alert(2)> & more"


def test_subject_names_the_brand_and_what_happened_on_one_line(
        make_alert: AlertFactory) -> None:
    subject, _, _ = render_alert_email(make_alert(subject="Acme\r\nBcc: x@evil.example"),
                                       DASHBOARD)
    assert subject == "[brand-monitor] Critical: Acme Bcc: x@evil.example — Volume spike"
    escalated, _, _ = render_alert_email(make_alert(escalated=True, severity="warning"),
                                         DASHBOARD)
    assert escalated.startswith("[brand-monitor] Escalated to warning: Acme")


def test_both_parts_carry_the_explanation_and_the_link_to_its_mentions(
        make_alert: AlertFactory) -> None:
    alert = make_alert(alert_id=77)
    _, html, text = render_alert_email(alert, DASHBOARD, "Europe/Berlin")
    mentions = "https://monitor.example.org/inbox?state=all&alert=77"
    assert alert.explanation.summary in text
    assert alert.explanation.summary in html
    assert mentions in text
    assert f'href="{mentions.replace("&", "&amp;")}"' in html
    assert "https://monitor.example.org/alerts/77" in text
    # Times are local to the configured zone: 12:00 UTC is 13:00 in Berlin in November.
    assert "Mon 16 Nov 12:00 – Mon 16 Nov 13:00 (Europe/Berlin)" in text
    assert "Compared with: same hour of the week" in text


def test_crawled_text_is_escaped_and_unsafe_links_are_not_linked(
        make_alert: AlertFactory) -> None:
    alert = make_alert(rows=2, text=EVIL)
    evil_sample = SampleMention(99, "javascript:alert(3)", EVIL, EVIL, EVIL, EVIL,
                                datetime(2026, 11, 16, 11, 0, tzinfo=UTC), "negative")
    alert = replace(alert, explanation=replace(alert.explanation,
                                               samples=(evil_sample,)))
    _, html, text = render_alert_email(alert, DASHBOARD)
    assert "<script>" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    assert EVIL in text  # the text part is plain text: shown as written


def test_a_failing_source_has_no_mentions_link(make_alert: AlertFactory) -> None:
    alert = replace(make_alert(subject="Coffee forum"), kind="source_silence")
    subject, html, text = render_alert_email(alert, DASHBOARD)
    assert "Source failing" in subject
    assert "inbox?" not in text
    assert "inbox?" not in html
    assert "/alerts/12" in text


def test_critical_goes_now_others_wait_for_the_end_of_quiet_hours() -> None:
    zone = ZoneInfo("Europe/Paris")
    quiet = (time(22, 0), time(7, 0))
    night = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)  # 00:30 in Paris
    morning = datetime(2026, 11, 17, 6, 0, tzinfo=UTC)  # 07:00 in Paris
    assert decide_email_alert_time("critical", night, quiet, zone) == night
    assert decide_email_alert_time("warning", night, quiet, zone) == morning
    day = datetime(2026, 11, 17, 12, 7, tzinfo=UTC)
    assert decide_email_alert_time("info", day, quiet, zone) == day  # never batched
    assert decide_email_alert_time("info", night, None, zone) == night
    assert morning - night == timedelta(hours=6, minutes=30)


@pytest.mark.parametrize(("severity", "minimum", "sent"), [
    ("info", "info", True), ("info", "warning", False), ("warning", "warning", True),
    ("critical", "warning", True), ("warning", "critical", False),
])
def test_only_alerts_at_least_as_severe_as_the_minimum_are_emailed(
        severity: str, minimum: str, sent: bool) -> None:
    assert decide_email_alert(severity, minimum) is sent  # type: ignore[arg-type]
