"""POST a body to a receiver and classify what came back (shared by Slack and webhooks)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import httpx

from monitor.notify.delivery import (
    DeliveryOutcome,
    compute_response_excerpt,
    compute_retry_after,
    decide_http_outcome,
)

# Receivers answer with a word or a short JSON; anything longer is cut before storing anyway.
MAX_RESPONSE_BYTES = 64 * 1024
DEFAULT_TIMEOUT = 10.0


async def load_capped_body(response: httpx.Response, limit: int = MAX_RESPONSE_BYTES) -> str:
    """Read at most ``limit`` bytes of a streamed response, decoded leniently."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)[:limit].decode(response.encoding or "utf-8", errors="replace")


def compute_network_reason(exc: Exception, url: str) -> str:
    """The error without the URL, which may carry a secret (Slack webhook paths do)."""
    detail = str(exc).replace(url, "<url>")
    return compute_response_excerpt(f"{type(exc).__name__}: {detail}" if detail else
                                    type(exc).__name__)


async def send_post(
    client: httpx.AsyncClient, url: str, *, content: bytes, headers: Mapping[str, str],
    timeout: float = DEFAULT_TIMEOUT,
) -> DeliveryOutcome:
    """POST ``content`` without following redirects; never raises for network trouble."""
    try:
        async with client.stream("POST", url, content=content, headers=dict(headers),
                                 timeout=timeout, follow_redirects=False) as response:
            body = await load_capped_body(response)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        return DeliveryOutcome("failed", "invalid_url", None, compute_network_reason(exc, url))
    except httpx.TransportError as exc:
        return DeliveryOutcome("retry", "network_error", None, compute_network_reason(exc, url))
    retry_after = compute_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
    return decide_http_outcome(response.status_code, body, retry_after)
