"""Build the digest e-mail and hand it to an SMTP server.

SMTP replies decide the outcome: 2xx sent; 4xx (greylisting, mailbox busy, temporary auth
trouble) and network errors retry; 5xx fail for good. Retries use the same pure
``decide_next_attempt`` as Slack and webhooks.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import aiosmtplib

from monitor.notify.delivery import DeliveryOutcome, DeliveryStatus, compute_response_excerpt

DEFAULT_SMTP_TIMEOUT = 30.0


@dataclass(frozen=True, slots=True)
class SmtpParams:
    """Where and how to submit mail. ``starttls`` upgrades a plain connection (port 587);
    ``use_tls`` speaks TLS from the start (port 465); never both."""

    host: str
    port: int = 587
    starttls: bool = True
    use_tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_SMTP_TIMEOUT

    def __post_init__(self) -> None:
        if self.starttls and self.use_tls:
            raise ValueError("SMTP: set either starttls (port 587) or use_tls (port 465), "
                             "not both")


def compute_message_domain(sender: str) -> str:
    """The sender's domain, for the Message-ID."""
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2] or "brand-monitor.invalid"


def build_digest_message(
    subject: str, html: str, text: str, sender: str, recipients: Sequence[str], *,
    now: datetime | None = None,
) -> EmailMessage:
    """A multipart/alternative message: the text part first, the HTML part preferred."""
    if not recipients:
        raise ValueError("the digest needs at least one recipient")
    message = EmailMessage()
    # Header values must be one line; crawled or configured names could carry newlines.
    message["Subject"] = " ".join(subject.split())
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=compute_message_domain(sender))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def decide_smtp_code(code: int, message: str) -> DeliveryOutcome:
    """4xx is temporary, anything else the server refused is final."""
    status: DeliveryStatus = "retry" if 400 <= code < 500 else "failed"
    return DeliveryOutcome(status, f"smtp_{code}", code, compute_response_excerpt(message))


def decide_refused_recipients(exc: aiosmtplib.SMTPRecipientsRefused) -> DeliveryOutcome:
    """All recipients refused: retry if any refusal was temporary."""
    detail = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in exc.recipients)
    temporary = any(400 <= r.code < 500 for r in exc.recipients)
    code = exc.recipients[0].code if exc.recipients else None
    return DeliveryOutcome("retry" if temporary else "failed", "recipients_refused", code,
                           compute_response_excerpt(detail))


async def send_email(message: EmailMessage, smtp: SmtpParams) -> DeliveryOutcome:
    """Submit ``message`` within ``smtp.timeout`` in all; every failure becomes an outcome,
    none is raised."""
    try:
        # aiosmtplib's timeout bounds each reply; the outer one bounds the whole exchange, so
        # a server that answers each command just in time cannot hold a delivery run.
        async with asyncio.timeout(smtp.timeout):
            refused, reply = await aiosmtplib.send(
                message, hostname=smtp.host, port=smtp.port, username=smtp.username,
                password=smtp.password, use_tls=smtp.use_tls,
                start_tls=smtp.starttls if not smtp.use_tls else False, timeout=smtp.timeout)
    except TimeoutError:
        return DeliveryOutcome("retry", "timeout", None, compute_response_excerpt(
            f"the SMTP server did not finish within {smtp.timeout:g}s"))
    except aiosmtplib.SMTPRecipientsRefused as exc:
        return decide_refused_recipients(exc)
    except aiosmtplib.SMTPResponseException as exc:
        return decide_smtp_code(exc.code, exc.message)
    except (aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected,
            aiosmtplib.SMTPTimeoutError, OSError) as exc:
        return DeliveryOutcome("retry", "network_error", None,
                               compute_response_excerpt(f"{type(exc).__name__}: {exc}"))
    except aiosmtplib.SMTPException as exc:
        return DeliveryOutcome("failed", "smtp_error", None,
                               compute_response_excerpt(f"{type(exc).__name__}: {exc}"))
    partial = "; ".join(f"{to}: {r.code} {r.message}" for to, r in refused.items())
    note = f" (refused {partial})" if partial else ""
    return DeliveryOutcome("sent", "ok", 250, compute_response_excerpt(reply + note))
