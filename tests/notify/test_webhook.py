"""Signed generic webhooks against a receiver that checks the HMAC itself."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx

from monitor.notify import (
    DeliveryOutcome,
    decide_next_attempt,
    match_signature,
    render_webhook_payload,
    send_webhook,
    sign_payload,
)

SECRET = b"s3cret-shared-with-the-receiver"
NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def post(url: str, body: bytes, *, secret: bytes = SECRET,
         now: datetime | None = None) -> DeliveryOutcome:
    async def run() -> DeliveryOutcome:
        async with httpx.AsyncClient() as client:
            return await send_webhook(client, url, body, secret=secret, now=now, timeout=5.0)

    return asyncio.run(run())


def test_payload_is_stable_canonical_json(make_alert: Any) -> None:
    alert = make_alert()
    body = render_webhook_payload(alert, dashboard_url="https://monitor.example.org")
    assert body == render_webhook_payload(alert, dashboard_url="https://monitor.example.org")
    document = json.loads(body)
    assert body == json.dumps(document, sort_keys=True, separators=(",", ":"),
                              ensure_ascii=False).encode()
    assert document["event"] == "alert.opened"
    assert document["version"] == 1
    assert document["alert"]["url"] == "https://monitor.example.org/alerts/12"
    assert document["alert"]["severity"] == "critical"
    assert document["explanation"]["figures"]["observed"] == 42
    assert len(document["explanation"]["samples"]) == 5
    escalated = json.loads(render_webhook_payload(make_alert(escalated=True)))
    assert escalated["event"] == "alert.escalated"
    assert escalated["alert"]["url"] is None


def test_receiver_verifies_the_signature(receiver: Any, make_alert: Any) -> None:
    receiver.secret = SECRET
    body = render_webhook_payload(make_alert())
    outcome = post(receiver.url, body)
    assert (outcome.status, outcome.status_code) == ("sent", 200)
    request = receiver.requests[0]
    assert request.body == body
    assert request.headers["X-Brand-Monitor-Event"] == "alert.opened"
    timestamp = int(request.headers["X-Brand-Monitor-Timestamp"])
    assert abs(datetime.now(UTC).timestamp() - timestamp) < 600


def test_wrong_secret_is_refused_for_good(receiver: Any, make_alert: Any) -> None:
    receiver.secret = SECRET
    outcome = post(receiver.url, render_webhook_payload(make_alert()), secret=b"wrong")
    assert (outcome.status, outcome.reason, outcome.status_code) == ("failed", "bad_signature",
                                                                     401)


def test_signature_matches_an_independent_hmac() -> None:
    body = b'{"a":1}'
    expected = hmac.new(SECRET, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign_payload(SECRET, 1700000000, body) == f"sha256={expected}"
    assert sign_payload(SECRET.decode(), 1700000000, body) == f"sha256={expected}"


def test_match_signature_rejects_tampering_and_replays() -> None:
    body = b'{"a":1}'
    stamp = int(NOW.timestamp())
    good = sign_payload(SECRET, stamp, body)
    assert match_signature(SECRET, str(stamp), body, good, now=NOW)
    assert not match_signature(SECRET, str(stamp), body + b" ", good, now=NOW)
    assert not match_signature(SECRET, str(stamp), body, good, now=NOW + timedelta(minutes=6))
    assert not match_signature(SECRET, "soon", body, good, now=NOW)


def test_unavailable_receiver_with_http_date_retry_after(receiver: Any) -> None:
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=120)
    receiver.respond(503, "maintenance", Retry_After=format_datetime(later, usegmt=True))
    outcome = post(receiver.url, b"{}")
    assert (outcome.status, outcome.reason) == ("retry", "server_error")
    assert outcome.retry_after is not None
    assert timedelta(seconds=100) < outcome.retry_after <= timedelta(seconds=120)


def test_retry_then_success_on_the_same_body(receiver: Any, make_alert: Any) -> None:
    receiver.respond(502, "bad gateway")
    body = render_webhook_payload(make_alert())
    first = post(receiver.url, body)
    next_at = decide_next_attempt(first, 1, NOW, jitter=0.0)
    assert first.status == "retry"
    assert next_at == NOW + timedelta(seconds=24)
    second = post(receiver.url, body)
    assert second.status == "sent"
    assert [r.body for r in receiver.requests] == [body, body]


def test_client_errors_fail_with_a_generic_reason(receiver: Any) -> None:
    receiver.respond(422, '{"error": "unknown field"}')
    outcome = post(receiver.url, b"{}")
    assert (outcome.status, outcome.reason) == ("failed", "http_422")
    assert "unknown field" in outcome.response_text


def test_redirects_are_not_followed(receiver: Any) -> None:
    receiver.respond(302, "", Location="http://127.0.0.1:1/elsewhere")
    outcome = post(receiver.url, b"{}")
    assert (outcome.status, outcome.reason) == ("failed", "unexpected_redirect")
    assert len(receiver.requests) == 1
