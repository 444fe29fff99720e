"""Slack payloads within Block Kit limits, escaping, and delivery against a real receiver."""

from __future__ import annotations

import asyncio
import json
import os
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.domain.alerts import SampleMention
from monitor.notify import (
    DeliveryOutcome,
    decide_next_attempt,
    render_alert_blocks,
    render_batch_blocks,
    send_slack,
)
from monitor.notify.slack_blocks import render_slack_cut, render_slack_escape, render_slack_link

GOLDEN = Path(__file__).parent / "golden"
DASHBOARD = "https://monitor.example.org/"
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)
EVIL = "<script>alert(1)</script> <!channel> <!here> <https://evil.example|click> & more "


def all_texts(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, text) for every text object in the blocks."""
    found: list[tuple[str, str]] = []

    def walk(node: object, kind: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append((kind, node["text"]))
            for key, value in node.items():
                walk(value, node.get("type", kind) if key != "text" else kind)
        elif isinstance(node, list):
            for item in node:
                walk(item, kind)

    walk(payload["blocks"], "block")
    return found


def assert_within_limits(payload: dict[str, Any]) -> None:
    blocks = payload["blocks"]
    assert 1 <= len(blocks) <= 50
    assert len(payload["text"]) <= 3000
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block["type"] == "section":
            if "text" in block:
                assert len(block["text"]["text"]) <= 3000
            assert len(block.get("fields", [])) <= 10
            assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))


def assert_no_markup_from_the_web(payload: dict[str, Any]) -> None:
    rendered = json.dumps(payload)
    for raw in ("<script", "<!channel>", "<!here>", "<https://evil.example"):
        assert raw not in rendered
    assert "&lt;script&gt;" in rendered or "&lt;script" in rendered


def test_alert_blocks_show_figures_samples_and_dashboard_link(make_alert: Any) -> None:
    payload = render_alert_blocks(make_alert(), DASHBOARD)
    assert_within_limits(payload)
    kinds = [b["type"] for b in payload["blocks"]]
    assert kinds[0] == "header"
    assert "actions" in kinds
    header = payload["blocks"][0]["text"]["text"]
    assert "Critical: Acme — Volume spike" in header
    fields = " ".join(f["text"] for f in payload["blocks"][2]["fields"])
    assert "42 in an hour; usually about 3 an hour" in fields
    assert "less than one in a million by chance" in fields
    assert "same hour of the week" in fields
    assert "negative" in fields
    assert "Acme forum" in fields
    button = next(b for b in payload["blocks"] if b["type"] == "actions")["elements"][0]
    assert button["url"] == "https://monitor.example.org/alerts/12"
    samples = [t for _, t in all_texts(payload) if t.startswith("*<https://forum.example")]
    assert len(samples) == 5
    # Crawled titles are escaped, links keep their query strings (with & escaped).
    assert "Battery &lt;b&gt;swelling&lt;/b&gt; &amp; heat" in samples[0]
    assert "https://forum.example/t/battery/5?a=1&amp;b=2|" in samples[0]


def test_huge_hostile_input_stays_within_limits_and_escaped(make_alert: Any) -> None:
    alert = make_alert(rows=60, text=EVIL * 130, subject="Acme " * 60,
                       summary=EVIL * 200)
    many = tuple(SampleMention(i, f"https://x.example/{i}", EVIL * 40, EVIL * 130, EVIL * 10,
                               EVIL, NOW, "negative") for i in range(60))
    alert = replace(alert, explanation=replace(alert.explanation, samples=many))
    payload = render_alert_blocks(alert, DASHBOARD)
    assert_within_limits(payload)
    assert_no_markup_from_the_web(payload)
    assert len([b for b in payload["blocks"] if b["type"] == "section"]) <= 10


def test_escaping_and_cutting_never_break_entities_or_links() -> None:
    assert render_slack_escape("a<b>&c") == "a&lt;b&gt;&amp;c"
    assert render_slack_cut("x" * 10 + "&amp;", 13) == "x" * 10 + "…"
    assert render_slack_cut("ab <https://a.example|label> cd", 12) == "ab …"
    assert render_slack_link("javascript:alert(1)", "<x>") == "&lt;x&gt;"
    assert render_slack_link("https://a.example/a|b c>", "t") == "<https://a.example/a%7Cb%20c%3E|t>"


def test_batch_digest_is_short_sorted_and_capped(make_alert: Any) -> None:
    alerts = [make_alert(alert_id=i, severity="warning" if i % 2 else "info",
                         summary=f"summary {i} {EVIL}") for i in range(1, 31)]
    payload = render_batch_blocks(alerts, DASHBOARD)
    assert_within_limits(payload)
    assert_no_markup_from_the_web(payload)
    assert payload["blocks"][0]["text"]["text"] == "30 alerts: 15 warning, 15 info"
    sections = [b for b in payload["blocks"] if b["type"] == "section"]
    assert len(sections) == 20
    assert sections[0]["text"]["text"].startswith(":warning:")
    assert "10 more" in payload["blocks"][-1]["elements"][0]["text"]
    with pytest.raises(ValueError, match="at least one alert"):
        render_batch_blocks([], DASHBOARD)


def test_golden_slack_payload(make_alert: Any) -> None:
    payload = render_alert_blocks(make_alert(), DASHBOARD)
    rendered = json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    golden = GOLDEN / "slack_alert.json"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(rendered, encoding="utf-8")
    assert rendered == golden.read_text(encoding="utf-8")


def send(url: str, payload: dict[str, Any]) -> DeliveryOutcome:
    async def run() -> DeliveryOutcome:
        async with httpx.AsyncClient() as client:
            return await send_slack(client, url, payload, timeout=5.0)

    return asyncio.run(run())


def test_ok_is_sent_and_the_receiver_got_the_payload(receiver: Any, make_alert: Any) -> None:
    payload = render_alert_blocks(make_alert(), DASHBOARD)
    outcome = send(receiver.url, payload)
    assert (outcome.status, outcome.reason, outcome.status_code) == ("sent", "ok", 200)
    assert decide_next_attempt(outcome, 1, NOW) is None
    request = receiver.requests[0]
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.body) == payload


def test_rate_limit_waits_for_retry_after(receiver: Any) -> None:
    receiver.respond(429, "rate_limited", Retry_After="7")
    outcome = send(receiver.url, {"text": "hi"})
    assert (outcome.status, outcome.reason, outcome.status_code) == ("retry", "rate_limited", 429)
    assert outcome.retry_after == timedelta(seconds=7)
    assert decide_next_attempt(outcome, 1, NOW) == NOW + timedelta(seconds=7)


def test_server_error_backs_off_exponentially(receiver: Any) -> None:
    receiver.respond(500, "internal_error")
    outcome = send(receiver.url, {"text": "hi"})
    assert (outcome.status, outcome.reason) == ("retry", "server_error")
    assert decide_next_attempt(outcome, 1, NOW) == NOW + timedelta(seconds=30)
    assert decide_next_attempt(outcome, 3, NOW) == NOW + timedelta(minutes=2)
    assert decide_next_attempt(outcome, 12, NOW) is None


@pytest.mark.parametrize(("status", "word"), [
    (400, "invalid_blocks"), (400, "invalid_payload"), (403, "invalid_token"),
    (403, "action_prohibited"), (404, "no_service"), (404, "channel_not_found"),
    (410, "channel_is_archived"),
])
def test_slack_errors_fail_for_good_with_the_reason(receiver: Any, status: int,
                                                    word: str) -> None:
    receiver.respond(status, word)
    outcome = send(receiver.url, {"text": "hi"})
    assert (outcome.status, outcome.reason, outcome.status_code) == ("failed", word, status)
    assert decide_next_attempt(outcome, 1, NOW) is None


def test_stored_response_text_is_truncated(receiver: Any) -> None:
    receiver.respond(500, "x" * 100_000)
    outcome = send(receiver.url, {"text": "hi"})
    assert outcome.status == "retry"
    assert len(outcome.response_text) <= 500


def test_network_error_retries_without_leaking_the_webhook_url() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/T000/B000/SECRETPATH"
    outcome = send(url, {"text": "hi"})
    assert (outcome.status, outcome.reason) == ("retry", "network_error")
    assert "SECRETPATH" not in outcome.response_text
    assert decide_next_attempt(outcome, 2, NOW) == NOW + timedelta(minutes=1)


def test_bad_scheme_fails_without_retrying() -> None:
    outcome = send("ftp://hooks.example/x", {"text": "hi"})
    assert (outcome.status, outcome.reason) == ("failed", "invalid_url")
