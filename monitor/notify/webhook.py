"""Generic webhooks: a stable JSON body, signed so the receiver can trust it.

Signature scheme (what a receiver must check):

* ``X-Brand-Monitor-Timestamp``: Unix seconds when this attempt was sent.
* ``X-Brand-Monitor-Signature``: ``sha256=`` followed by the lower-case hex HMAC-SHA256, keyed
  with the shared secret (UTF-8), of the bytes ``{timestamp}.`` followed by the raw request body.
* ``X-Brand-Monitor-Event``: ``alert.opened`` or ``alert.escalated`` (also in the body).

Receivers recompute the HMAC over the raw body exactly as received, compare in constant time,
and reject timestamps more than five minutes from their clock, which stops replays. The body
is the same on every retry; the timestamp and signature are fresh each attempt. Deduplicate on
``alert.id`` plus ``event`` plus ``alert.severity``. Retries follow the Slack rules: 2xx is
delivered, 408/425/429/5xx and network errors are retried with backoff (``Retry-After``
honoured), other statuses fail for good.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from monitor.domain.alerts import compute_explanation_record
from monitor.notify.delivery import DeliveryOutcome
from monitor.notify.message import (
    AlertMessage,
    compute_alert_mentions_url,
    compute_alert_url,
    render_alert_title,
)
from monitor.notify.posting import DEFAULT_TIMEOUT, send_post

SIGNATURE_HEADER = "X-Brand-Monitor-Signature"
TIMESTAMP_HEADER = "X-Brand-Monitor-Timestamp"
EVENT_HEADER = "X-Brand-Monitor-Event"
DELIVERY_HEADER = "X-Brand-Monitor-Delivery"
PAYLOAD_VERSION = 1
SIGNATURE_TOLERANCE = timedelta(minutes=5)


def compute_event_name(alert: AlertMessage) -> str:
    return "alert.escalated" if alert.escalated else "alert.opened"


def render_webhook_payload(alert: AlertMessage, *, dashboard_url: str | None = None) -> bytes:
    """Canonical JSON (sorted keys, no spaces, UTF-8): the same alert gives the same bytes."""
    document: dict[str, Any] = {
        "version": PAYLOAD_VERSION,
        "event": compute_event_name(alert),
        "alert": {
            "id": alert.alert_id, "kind": alert.kind, "severity": alert.severity,
            "subject": alert.subject, "title": render_alert_title(alert),
            "opened_at": alert.opened_at.isoformat(),
            "url": compute_alert_url(dashboard_url, alert.alert_id) if dashboard_url else None,
            "mentions_url": (compute_alert_mentions_url(dashboard_url, alert.alert_id)
                             if dashboard_url else None),
        },
        "explanation": compute_explanation_record(alert.explanation),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def _key(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def sign_payload(secret: str | bytes, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` over ``b"{timestamp}." + body``."""
    digest = hmac.new(_key(secret), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def match_signature(
    secret: str | bytes, timestamp: str, body: bytes, signature: str, *, now: datetime,
    tolerance: timedelta = SIGNATURE_TOLERANCE,
) -> bool:
    """What a receiver does: fresh timestamp and a constant-time match of the signature."""
    if not timestamp.isdigit():
        return False
    sent = datetime.fromtimestamp(int(timestamp), UTC)
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(sign_payload(secret, int(timestamp), body), signature)


async def send_webhook(
    client: httpx.AsyncClient, url: str, body: bytes, *, secret: str | bytes,
    event: str = "alert.opened", now: datetime | None = None, timeout: float = DEFAULT_TIMEOUT,
    delivery_id: str | None = None,
) -> DeliveryOutcome:
    """POST ``body`` signed with ``secret``; classification as for Slack.

    ``delivery_id`` is sent as ``X-Brand-Monitor-Delivery`` and is the same on every retry of
    one message, so a receiver can drop a repeat sent after a crash between send and record.
    """
    timestamp = int((now or datetime.now(UTC)).timestamp())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign_payload(secret, timestamp, body),
        EVENT_HEADER: event,
    }
    if delivery_id:
        headers[DELIVERY_HEADER] = delivery_id
    return await send_post(client, url, content=body, headers=headers, timeout=timeout)
