"""`monitor doctor`: everything a person checks when something looks wrong, in one pass.

The config (already loaded by the caller), the database and its migrations, each source's fetch
health as stored, whether Slack, the webhook and the SMTP server answer, and what the e-mail
channel carries. Nothing is sent: the channels are only connected to.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import aiosmtplib
import httpx
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from monitor.config import EmailSettings, Settings
from monitor.db.engine import build_engine, build_read_sessionmaker, check_database
from monitor.db.migrate import alembic_config
from monitor.db.models import Source
from monitor.db.repositories import SourceRepository
from monitor.errors import DatabaseError
from monitor.runtime import engine_limits

Level = Literal["ok", "warn", "fail"]
PROBE_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    level: Level
    detail: str


def decide_source_health(source: Source, now: datetime) -> Finding:
    """A source is failing when its last fetches failed, stale when it has not succeeded for
    three of its intervals (is the scheduler running?)."""
    name = f"source {source.name}"
    if not source.enabled:
        return Finding(name, "ok", "disabled")
    if source.error_count > 0:
        return Finding(name, "fail", f"failed {source.error_count} time(s) in a row: "
                                     f"{source.last_error or source.last_status or 'unknown'}")
    if source.last_success_at is None:
        return Finding(name, "warn", "not fetched yet")
    stale_after = timedelta(seconds=3 * source.interval_s) + timedelta(hours=1)
    if now - source.last_success_at > stale_after:
        return Finding(name, "warn", f"no fetch since {source.last_success_at:%Y-%m-%d %H:%M} "
                                     "UTC: is `monitor run` running?")
    return Finding(name, "ok", f"fetched {source.last_success_at:%Y-%m-%d %H:%M} UTC")


def run_doctor(settings: Settings, now: datetime | None = None) -> list[Finding]:
    now = now or datetime.now(UTC)
    findings = [Finding("config", "ok", f"{len(settings.brands)} brand(s), "
                                        f"{len(settings.sources)} source(s) configured")]
    engine = build_engine(settings.database.url, limits=engine_limits(settings.database))
    try:
        findings += _database(engine, now)
    finally:
        engine.dispose()
    findings += asyncio.run(_channels(settings))
    return findings


def _database(engine: Engine, now: datetime) -> list[Finding]:
    try:
        check_database(engine)
    except DatabaseError as exc:
        return [Finding("database", "fail", str(exc))]
    found = [Finding("database", "ok", f"{engine.dialect.name} answers")]
    head = ScriptDirectory.from_config(alembic_config(str(engine.url))).get_current_head()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current != head:
        return [*found, Finding("migrations", "fail", f"at {current or 'none'}, newest is "
                                                      f"{head}: run `monitor db upgrade`")]
    found.append(Finding("migrations", "ok", f"at the newest ({head})"))
    return found + _sources(engine, now)


def _sources(engine: Engine, now: datetime) -> list[Finding]:
    with build_read_sessionmaker(engine)() as session:
        sources = SourceRepository(session).list_all()
        return [decide_source_health(s, now) for s in sources] or [
            Finding("sources", "warn", "no sources stored yet: run `monitor collect --once`")]


async def _channels(settings: Settings) -> list[Finding]:
    found: list[Finding] = []
    channels = settings.notifications
    async with httpx.AsyncClient(timeout=PROBE_TIMEOUT, follow_redirects=False) as client:
        if channels.slack is not None:
            found.append(await _http_probe(client, "slack",
                                           channels.slack.webhook_url.get_secret_value()))
        if channels.webhook is not None:
            found.append(await _http_probe(client, "webhook", channels.webhook.url))
    if channels.email is not None:
        found.append(await _smtp_probe(channels.email))
        found.append(decide_email_use(settings))
    return found


def decide_email_use(settings: Settings) -> Finding:
    """What the e-mail channel carries: alerts (from which severity, to whom) and the digests;
    a warning when it is configured but carries nothing."""
    channels = settings.notifications
    email, digest = channels.email, channels.digest
    if email is None:
        return Finding("email", "ok", "not configured")
    uses = []
    if email.alerts:
        recipients = email.alert_recipients or email.recipients
        level = ("every alert" if email.alert_min_severity == "info"
                 else f"{email.alert_min_severity} alerts and above")
        uses.append(f"{level} to {len(recipients)} recipient(s)")
    at = f"{digest.at:%H:%M} {channels.timezone}"
    if digest.enabled:
        uses.append(f"the weekly digest ({digest.weekday} {at})")
    if digest.daily:
        uses.append(f"the daily digest ({at})")
    if not uses:
        return Finding("email", "warn", "configured but unused: set notifications.email.alerts, "
                                        "digest.enabled or digest.daily")
    return Finding("email", "ok", "sends " + ", ".join(uses))


async def _http_probe(client: httpx.AsyncClient, name: str, url: str) -> Finding:
    """Any HTTP answer from the receiver's host will do: nothing is posted."""
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}/"
    try:
        response = await client.head(origin)
    except httpx.HTTPError as exc:
        return Finding(name, "fail", f"{parts.hostname} cannot be reached: "
                                     f"{type(exc).__name__} {exc}".strip())
    return Finding(name, "ok", f"{parts.hostname} answers (HTTP {response.status_code})")


async def _smtp_probe(email: EmailSettings) -> Finding:
    where = f"{email.smtp_host}:{email.smtp_port}"
    smtp = aiosmtplib.SMTP(hostname=email.smtp_host, port=email.smtp_port,
                           use_tls=email.use_tls,
                           start_tls=email.starttls if not email.use_tls else False,
                           timeout=PROBE_TIMEOUT)
    try:
        await smtp.connect()
        if email.username and email.password is not None:
            await smtp.login(email.username, email.password.get_secret_value())
        await smtp.quit()
    except (aiosmtplib.SMTPException, OSError) as exc:
        return Finding("smtp", "fail", f"{where}: {type(exc).__name__} {exc}".strip())
    return Finding("smtp", "ok", f"{where} accepts connections")
