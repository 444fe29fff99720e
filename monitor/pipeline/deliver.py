"""Send the queued deliveries that are due, and record every attempt.

A delivery is claimed (with a lease) and committed before it is sent, then its outcome is
recorded. A process killed between the two leaves the claim to expire and the message is sent
again with the same delivery key: at least once, never lost; webhook receivers can drop the
repeat by its ``X-Brand-Monitor-Delivery`` header.

Deliveries of one channel go out in the order they were queued (the order their alerts were
raised or updated): one that waits for a retry holds back the later ones of its channel, which
follow it in order once the receiver is back.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from monitor.config import EmailSettings, Settings
from monitor.db.engine import unit_of_work
from monitor.db.models_alerts import Alert, Delivery
from monitor.db.repositories.alerts import AlertRepository
from monitor.db.repositories.claims import release_claim
from monitor.domain.alerts import compute_explanation_from_record
from monitor.notify.delivery import DeliveryOutcome, compute_response_excerpt, decide_next_attempt
from monitor.notify.email import build_digest_message, send_email
from monitor.notify.message import AlertMessage
from monitor.notify.slack import send_slack
from monitor.notify.slack_blocks import render_alert_blocks, render_batch_blocks
from monitor.notify.webhook import compute_event_name, render_webhook_payload, send_webhook
from monitor.pipeline.email_alerts import compute_smtp_params, send_alert_email
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
# A run sends at most BATCH messages one after another, each bounded by its timeout (30 s for
# SMTP): the claims stay alive through the run because the process's heartbeat renews them.
BATCH = 20

# Called after a message is sent and before its outcome is recorded; tests use it to stop
# the process exactly there.
AfterSend = Callable[[Delivery], None]


@dataclass(slots=True)
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def count(self, status: str) -> None:
        if status == "sent":
            self.sent += 1
        elif status == "failed":
            self.failed += 1
        else:
            self.retrying += 1


@dataclass(frozen=True, slots=True)
class _Claimed:
    delivery_id: int
    key: str
    channel: str
    severity: str
    attempts: int
    message: AlertMessage | None
    payload: dict[str, Any]
    created_at: datetime

    @property
    def order(self) -> tuple[datetime, int]:
        return self.created_at, self.delivery_id


async def send_due_deliveries(
    runtime: Runtime, *, now: datetime | None = None, after_send: AfterSend | None = None,
) -> DeliveryReport:
    """Send every due delivery once; failures are scheduled for a retry or marked failed."""
    now = now or datetime.now(UTC)
    claimed = await asyncio.to_thread(_claim, runtime, now)
    report = DeliveryReport()
    if not claimed:
        return report
    groups = _groups(claimed)
    channels = sorted({g[0].channel for g in groups})
    async with httpx.AsyncClient(follow_redirects=False) as client:
        # Channels go out side by side: an SMTP server that hangs until its timeout holds
        # back only the e-mail, never Slack or the webhook. Within a channel, one at a time.
        await asyncio.gather(*(
            _send_channel(runtime, client, [g for g in groups if g[0].channel == channel],
                          report, after_send)
            for channel in channels))
    return report


async def _send_channel(runtime: Runtime, client: httpx.AsyncClient,
                        groups: list[list[_Claimed]], report: DeliveryReport,
                        after_send: AfterSend | None) -> None:
    """One channel's groups in their order; after one is left to retry, the rest of the
    channel waits for it (deferred to its retry time)."""
    waiting: datetime | None = None
    for group in groups:
        if waiting is not None:
            await asyncio.to_thread(_defer, runtime, group, waiting)
            continue
        outcome = await _send(client, runtime.settings, group)
        if after_send:
            for item in group:
                after_send(_detached(item))
        waiting = await asyncio.to_thread(_record, runtime, group, outcome,
                                          datetime.now(UTC), report)


def _defer(runtime: Runtime, group: list[_Claimed], until: datetime) -> None:
    with unit_of_work(runtime.sessions) as session:
        AlertRepository(session).defer([c.delivery_id for c in group], until)


def _claim(runtime: Runtime, now: datetime) -> list[_Claimed]:
    with unit_of_work(runtime.sessions) as session:
        repo = AlertRepository(session)
        deliveries = _behind_none(
            repo, repo.claim_due_deliveries(now, limit=BATCH, terms=runtime.claim_terms), now
        )
        alerts = {d.alert_id: session.get(Alert, d.alert_id) for d in deliveries if d.alert_id}
        return [_Claimed(d.id, d.key, d.channel, d.severity, d.attempts,
                         _message(alerts.get(d.alert_id or 0), d), dict(d.payload),
                         d.created_at)
                for d in deliveries]


def _behind_none(repo: AlertRepository, claimed: list[Delivery], now: datetime
                 ) -> list[Delivery]:
    """The claimed deliveries with no earlier one of their channel still queued; the others are
    put back, due when that earlier one is."""
    ids = [d.id for d in claimed]
    kept: list[Delivery] = []
    for channel in sorted({d.channel for d in claimed}):
        blocker = repo.oldest_unsent(channel, ids)
        mine = [d for d in claimed if d.channel == channel]
        held = [d for d in mine if blocker is not None
                and (blocker.created_at, blocker.id) < (d.created_at, d.id)]
        if blocker is not None and held:
            repo.defer([d.id for d in held], max(blocker.next_attempt_at, now))
        kept += [d for d in mine if d not in held]
    return sorted(kept, key=lambda d: (d.created_at, d.id))


def _message(alert: Alert | None, delivery: Delivery) -> AlertMessage | None:
    if alert is None:
        return None
    return AlertMessage(
        alert_id=alert.id, subject=alert.subject, kind=alert.kind,  # type: ignore[arg-type]
        severity=alert.severity,  # type: ignore[arg-type]
        opened_at=alert.created_at,
        explanation=compute_explanation_from_record(alert.explanation),
        escalated=bool(delivery.payload.get("escalated")),
    )


def _groups(claimed: Sequence[_Claimed]) -> list[list[_Claimed]]:
    """Non-critical Slack messages due together go out as one batched message; groups go in
    the order of their earliest member."""
    batched = [c for c in claimed if c.channel == "slack" and c.severity != "critical"]
    single = [[c] for c in claimed if c not in batched]
    groups = ([batched] if len(batched) > 1 else [[c] for c in batched]) + single
    return sorted(groups, key=lambda g: min(c.order for c in g))


async def _send(client: httpx.AsyncClient, settings: Settings,
                group: list[_Claimed]) -> DeliveryOutcome:
    channels = settings.notifications
    if group[0].channel == "email" and channels.email is not None and (
            "subject" in group[0].payload):  # a digest, rendered when it was queued
        return await _send_email(channels.email, group[0].payload)
    messages = [c.message for c in group if c.message is not None]
    if not messages:
        return DeliveryOutcome(status="failed", reason="the alert no longer exists")
    dashboard = settings.api.public_url
    if group[0].channel == "email" and channels.email is not None:
        if not channels.email.alerts:  # switched off since it was queued
            return DeliveryOutcome(status="failed", reason="e-mailed alerts are switched off")
        return await send_alert_email(channels.email, messages[0], dashboard,
                                      channels.timezone)
    if group[0].channel == "slack" and channels.slack is not None:
        slack_url = channels.slack.webhook_url.get_secret_value()
        payload: dict[str, Any] = (render_alert_blocks(messages[0], dashboard) if len(group) == 1
                                   else render_batch_blocks(messages, dashboard))
        return await send_slack(client, slack_url, payload)
    if group[0].channel == "webhook" and channels.webhook is not None:
        hook = channels.webhook
        body = render_webhook_payload(messages[0], dashboard_url=dashboard)
        return await send_webhook(client, hook.url, body, secret=hook.secret.get_secret_value(),
                                  event=compute_event_name(messages[0]),
                                  delivery_id=group[0].key)
    return DeliveryOutcome(status="failed", reason=f"channel {group[0].channel} is not configured")


def _record(runtime: Runtime, group: list[_Claimed], outcome: DeliveryOutcome, now: datetime,
            report: DeliveryReport) -> datetime | None:
    """Record the outcome; returns when the group is tried again, if it is."""
    retry_at = None
    with unit_of_work(runtime.sessions) as session:
        repo = AlertRepository(session)
        for item in group:
            delivery = repo.delivery(item.delivery_id)
            apply_outcome(delivery, outcome, now)
            report.count(delivery.status)
            log.info("delivery attempted", extra={"delivery_id": item.delivery_id,
                                                   "channel": item.channel,
                                                   "status": delivery.status})
            if delivery.status == "pending":
                retry_at = delivery.next_attempt_at
    return retry_at


async def _send_email(email: EmailSettings, payload: dict[str, Any]) -> DeliveryOutcome:
    message = build_digest_message(payload["subject"], payload["html"], payload["text"],
                                   email.sender, email.recipients)
    return await send_email(message, compute_smtp_params(email))


def apply_outcome(delivery: Delivery, outcome: DeliveryOutcome, now: datetime) -> None:
    """Record one attempt's outcome on the delivery row."""
    delivery.attempts += 1
    release_claim(delivery)
    delivery.last_status_code = outcome.status_code
    delivery.last_response = compute_response_excerpt(
        " ".join(filter(None, [outcome.reason, outcome.response_text])))
    if outcome.status == "sent":
        delivery.status, delivery.sent_at = "sent", now
        return
    retry_at = None
    if outcome.status == "retry":
        retry_at = decide_next_attempt(outcome, delivery.attempts, now, jitter=random.random())
    if retry_at is None:
        delivery.status = "failed"
    else:
        delivery.next_attempt_at = retry_at


def _detached(item: _Claimed) -> Delivery:
    return Delivery(id=item.delivery_id, key=item.key, channel=item.channel)
