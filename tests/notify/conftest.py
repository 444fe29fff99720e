"""A real HTTP receiver on loopback, and sample alerts, for the notification tests."""

from __future__ import annotations

import hashlib
import hmac
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from monitor.domain.alerts import (
    Detection,
    Figures,
    MentionRow,
    Severity,
    compute_explanation,
)
from monitor.notify import AlertMessage

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers scripted responses in order (then ``200 ok``) and records every request.

    With ``secret`` set it checks ``X-Brand-Monitor-Signature`` itself, with hmac from the
    standard library, and answers 401 ``bad_signature`` on a mismatch.
    """

    url: str
    requests: list[Received] = field(default_factory=list)
    script: deque[tuple[int, dict[str, str], bytes]] = field(default_factory=deque)
    secret: bytes | None = None

    def respond(self, status: int, body: bytes | str = b"ok", **headers: str) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.script.append((status, {k.replace("_", "-"): v for k, v in headers.items()}, data))

    def signature_ok(self, headers: dict[str, str], body: bytes) -> bool:
        assert self.secret is not None
        timestamp = headers.get("X-Brand-Monitor-Timestamp", "")
        expected = hmac.new(self.secret, timestamp.encode() + b"." + body,
                            hashlib.sha256).hexdigest()
        return hmac.compare_digest(f"sha256={expected}",
                                   headers.get("X-Brand-Monitor-Signature", ""))


def make_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = dict(self.headers.items())
            extra: dict[str, str]
            receiver.requests.append(Received(self.path, headers, body))
            if receiver.secret is not None and not receiver.signature_ok(headers, body):
                status, extra, answer = 401, {}, b"bad_signature"
            elif receiver.script:
                status, extra, answer = receiver.script.popleft()
            else:
                status, extra, answer = 200, {}, b"ok"
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            """Keep test output quiet."""

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    box = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(box))
    box.url = f"http://127.0.0.1:{server.server_address[1]}/services/T000/B000/SECRETPATH"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()
    thread.join()


def make_rows(count: int, *, text: str | None = None) -> list[MentionRow]:
    rows = []
    for i in range(1, count + 1):
        rows.append(MentionRow(
            mention_id=i, url=f"https://forum.example/t/battery/{i}?a=1&b=2",
            title=f"Battery <b>swelling</b> & heat #{i}",
            text=text or f"My Acme X2 battery swelled after the update. Refund? ({i})",
            source_name="Acme forum" if i % 2 else "r/acme",
            published_at=NOW - timedelta(minutes=i), discovered_at=NOW,
            label="negative" if i % 3 else "neutral", score=-i / 100,
            author=f"user{i}", thread_url=f"https://forum.example/t/battery-{i % 3}",
            thread_title=f"Battery thread {i % 3}", topics=("battery", "update")))
    return rows


def make_detection(severity: Severity = "critical") -> Detection:
    figures = Figures(unit="mentions", observed=42, expected=3.2,
                      window_start=NOW - timedelta(hours=1), window_end=NOW,
                      baseline_method="hour_of_week", p_value=2.5e-12, window_mentions=42)
    return Detection(kind="volume_spike", severity=severity, detected_at=NOW,
                     summary="42 mentions in the last hour; usually about 3 an hour; 67% negative",
                     figures=figures,
                     brand_id=1)


AlertFactory = Callable[..., AlertMessage]


@pytest.fixture
def make_alert() -> AlertFactory:
    def build(*, rows: int = 6, text: str | None = None, severity: Severity = "critical",
              subject: str = "Acme", alert_id: int = 12, escalated: bool = False,
              summary: str | None = None) -> AlertMessage:
        explanation = compute_explanation(make_detection(severity), make_rows(rows, text=text),
                                          exclude_terms=["Acme"])
        if summary is not None:
            explanation = replace(explanation, summary=summary)
        return AlertMessage(alert_id=alert_id, subject=subject, kind="volume_spike",
                            severity=severity, opened_at=NOW, explanation=explanation,
                            escalated=escalated)

    return build
