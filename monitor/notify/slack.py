"""Send a rendered payload to a Slack incoming webhook and classify the answer.

Slack answers ``ok`` with 200; errors are plain words (``invalid_blocks``, ``no_service``,
``channel_is_archived``…) with 4xx statuses and are final; 429 carries ``Retry-After``; 5xx and
network errors are retried with backoff (see ``delivery.decide_next_attempt``).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from monitor.notify.delivery import DeliveryOutcome
from monitor.notify.posting import DEFAULT_TIMEOUT, send_post


async def send_slack(
    client: httpx.AsyncClient, webhook_url: str, payload: dict[str, Any], *,
    timeout: float = DEFAULT_TIMEOUT,
) -> DeliveryOutcome:
    """POST ``payload`` as JSON to the webhook; the URL (a secret) never enters the outcome."""
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return await send_post(client, webhook_url, content=body, timeout=timeout,
                           headers={"Content-Type": "application/json; charset=utf-8"})
