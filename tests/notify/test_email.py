"""The digest e-mail through a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from monitor.notify import DeliveryOutcome, SmtpParams, build_digest_message, send_email

NOW = datetime(2026, 11, 16, 7, 0, tzinfo=UTC)


class Mailbox:
    """An aiosmtpd handler that keeps every message, or refuses with a set reply."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.reply = "250 Message accepted for delivery"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.reply.startswith("250"):
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos),
                                  envelope.original_content))
        return self.reply


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mailbox(smtp_port: int) -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield box
    controller.stop()


def params(port: int) -> SmtpParams:
    return SmtpParams(host="127.0.0.1", port=port, starttls=False, timeout=5.0)


def digest_message() -> EmailMessage:
    return build_digest_message(
        "Weekly brand digest 2026-W47:\r\n 420 mentions",
        "<html><body><h1>Digest</h1><p>Acme &amp; co</p></body></html>",
        "Digest\nAcme & co\n", "Brand Monitor <monitor@example.org>",
        ["team@example.org", "boss@example.org"], now=NOW)


def deliver(message: EmailMessage, port: int) -> DeliveryOutcome:
    return asyncio.run(send_email(message, params(port)))


def test_digest_arrives_multipart_with_text_and_html(mailbox: Mailbox, smtp_port: int) -> None:
    outcome = deliver(digest_message(), smtp_port)
    assert (outcome.status, outcome.reason, outcome.status_code) == ("sent", "ok", 250)
    sender, recipients, raw = mailbox.messages[0]
    assert sender == "monitor@example.org"
    assert recipients == ["team@example.org", "boss@example.org"]
    received = message_from_bytes(raw, policy=policy.default)
    assert received["Subject"] == "Weekly brand digest 2026-W47: 420 mentions"
    assert received["Message-ID"].endswith("@example.org>")
    assert received.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p.get_content().replace("\r\n", "\n")
             for p in received.iter_parts()}
    assert parts["text/plain"] == "Digest\nAcme & co\n"
    assert "<p>Acme &amp; co</p>" in parts["text/html"]


def test_server_down_first_retries_then_succeeds(smtp_port: int) -> None:
    first = deliver(digest_message(), smtp_port)
    assert (first.status, first.reason) == ("retry", "network_error")
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        second = deliver(digest_message(), smtp_port)
    finally:
        controller.stop()
    assert second.status == "sent"
    assert len(box.messages) == 1


@pytest.mark.parametrize(("reply", "status"), [
    ("451 4.3.0 Try again later", "retry"), ("554 5.7.1 Rejected as spam", "failed"),
])
def test_smtp_replies_decide_retry_or_failure(mailbox: Mailbox, smtp_port: int, reply: str,
                                              status: str) -> None:
    mailbox.reply = reply
    outcome = deliver(digest_message(), smtp_port)
    assert outcome.status == status
    assert outcome.status_code == int(reply[:3])
    assert reply[4:] in outcome.response_text


def test_message_needs_recipients_and_one_tls_mode() -> None:
    with pytest.raises(ValueError, match="recipient"):
        build_digest_message("s", "<p>h</p>", "t", "a@example.org", [])
    with pytest.raises(ValueError, match="not both"):
        SmtpParams(host="mail.example.org", starttls=True, use_tls=True)
    assert "hunter2" not in repr(SmtpParams(host="h", password="hunter2"))
