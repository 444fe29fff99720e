"""Notifications: render messages as data (pure), send them (I/O), classify every attempt.

Slack: ``render_alert_blocks`` / ``render_batch_blocks`` then ``send_slack``. Webhooks:
``render_webhook_payload`` then ``send_webhook`` (signature scheme in ``webhook``). E-mail:
``render_digest`` (or ``render_alert_email`` for one alert) then ``build_digest_message`` then
``send_email``. After any attempt,
``decide_next_attempt`` says when to retry; ``decide_send_time`` applies quiet hours.
"""

from monitor.notify.alert_email import render_alert_email
from monitor.notify.delivery import (
    DEFAULT_RETRY_POLICY,
    DeliveryOutcome,
    DeliveryStatus,
    RetryPolicy,
    decide_http_outcome,
    decide_next_attempt,
)
from monitor.notify.digest import render_digest
from monitor.notify.digest_data import (
    BrandDigest,
    DayVolume,
    DigestAlert,
    DigestData,
    DigestThread,
    RisingTerm,
)
from monitor.notify.email import SmtpParams, build_digest_message, send_email
from monitor.notify.message import AlertMessage, compute_alert_url, render_alert_title
from monitor.notify.slack import send_slack
from monitor.notify.slack_blocks import render_alert_blocks, render_batch_blocks
from monitor.notify.timing import decide_send_time
from monitor.notify.webhook import (
    match_signature,
    render_webhook_payload,
    send_webhook,
    sign_payload,
)
from monitor.notify.weeks import compute_previous_week, compute_week_bounds, compute_week_label

__all__ = [
    "DEFAULT_RETRY_POLICY",
    "AlertMessage",
    "BrandDigest",
    "DayVolume",
    "DeliveryOutcome",
    "DeliveryStatus",
    "DigestAlert",
    "DigestData",
    "DigestThread",
    "RetryPolicy",
    "RisingTerm",
    "SmtpParams",
    "build_digest_message",
    "compute_alert_url",
    "compute_previous_week",
    "compute_week_bounds",
    "compute_week_label",
    "decide_http_outcome",
    "decide_next_attempt",
    "decide_send_time",
    "match_signature",
    "render_alert_blocks",
    "render_alert_email",
    "render_alert_title",
    "render_batch_blocks",
    "render_digest",
    "render_webhook_payload",
    "send_email",
    "send_slack",
    "send_webhook",
    "sign_payload",
]
