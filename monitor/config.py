"""The one settings model: a YAML file, overridden by ``MONITOR_…`` environment variables.

Nested keys use a double underscore in the environment: ``MONITOR_DATABASE__URL`` overrides
``database.url``. Settings are validated once at start-up and passed down; nothing imports them
as a global.
"""

from __future__ import annotations

import os
import re
from datetime import time, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from collectors import registry
from monitor.domain.duration import parse_duration
from monitor.errors import ConfigError

Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


def _clock(value: object) -> time:
    """A local time of day written "HH:MM". Unquoted 22:00 is a number to YAML (sexagesimal
    1320), so anything but a string or a time is refused rather than misread."""
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str):
        try:
            parsed = time.fromisoformat(value.strip())
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            return parsed
    raise ValueError('must be a local time written "HH:MM" (in quotes in YAML)')


Clock = Annotated[time, BeforeValidator(_clock)]


def _query(value: str) -> str:
    from monitor.domain.matching import check_query

    check_query(value, registry.kind_names())
    return value


def _source_kind(value: str) -> str:
    if not registry.is_kind(value):
        raise ValueError(
            f"unknown source kind {value!r}; known: {', '.join(registry.kind_names())}"
        )
    return value


def _http_url(value: str) -> str:
    if not _URL_RE.match(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


QueryText = Annotated[str, Field(min_length=1), AfterValidator(_query)]
HttpUrlText = Annotated[str, Field(max_length=2000), AfterValidator(_http_url)]
SourceKindName = Annotated[str, AfterValidator(_source_kind)]

_URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.IGNORECASE)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    url: str = "sqlite:///./monitor.db"
    echo: bool = False
    # Connections a process keeps (pool_size) and may add under load (max_overflow); a request
    # that finds none free within pool_timeout is answered 503 rather than queued for long.
    pool_size: int = Field(default=10, gt=0, le=200)
    max_overflow: int = Field(default=10, ge=0, le=200)
    pool_timeout: Duration = timedelta(seconds=3)
    busy_timeout: Duration = timedelta(seconds=10)  # SQLite: how long a writer waits for the lock
    statement_timeout: Duration = timedelta(seconds=15)  # Postgres: longest statement or lock wait
    connect_timeout: Duration = timedelta(seconds=5)  # Postgres: connecting, handshake included

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("must start with sqlite:/// or postgresql+psycopg://")
        return value


class CollectorSettings(_Section):
    user_agent: str = "brand-monitor/0.1 (+https://example.org/bot)"
    allow_private_networks: bool = False
    timeout: Duration = timedelta(seconds=20)
    deadline: Duration = timedelta(seconds=60)
    max_bytes: int = Field(default=10_000_000, gt=0)
    max_redirects: int = Field(default=5, ge=0)
    concurrency: int = Field(default=16, gt=0)
    per_host_concurrency: int = Field(default=2, gt=0)
    obey_robots: bool = True
    batch_size: int = Field(default=50, gt=0)
    per_host_batch: int = Field(default=10, gt=0)
    cycle_budget: Duration = timedelta(minutes=10)
    max_backoff: Duration = timedelta(hours=12)
    follow_threads_for: Duration = timedelta(days=14)
    # False: only the sources are fetched, never the comment threads behind their posts.
    fetch_threads: bool = True
    # Processes that parse feeds and pages (0: one per core).
    parse_workers: int = Field(default=0, ge=0)
    # CPU priority of collection work as a Unix nice value (0: as started, up to 19): the
    # parse workers always, the whole process for `monitor collect` and `monitor worker`. On
    # a machine that also serves the API, fetching and parsing give way to requests.
    nice: int = Field(default=10, ge=0, le=19)
    # Every language sentiment is scored in: with English alone, a Spanish comment would be
    # reported (and scored) as English.
    languages: list[str] = Field(default_factory=lambda: ["en", "es", "fr", "de", "pt"])


class WorkerSettings(_Section):
    """How processes share the work through the database (`monitor worker`, `monitor run`)."""

    # A claim whose holder stopped heart-beating is taken over after this long; the holder
    # renews its claims every quarter of it.
    lease: Duration = timedelta(minutes=1)
    tick: Duration = timedelta(seconds=30)  # how often a worker looks for due work

    @field_validator("lease")
    @classmethod
    def _lease_long_enough(cls, value: timedelta) -> timedelta:
        if value < timedelta(seconds=2):
            raise ValueError("must be at least 2s")
        return value


class BrandSettings(_Section):
    name: str = Field(min_length=1, max_length=200)
    query: QueryText


class SourceSettings(_Section):
    name: str = Field(min_length=1, max_length=200)
    url: HttpUrlText
    kind: SourceKindName | None = None
    interval: Duration = timedelta(minutes=30)
    enabled: bool = True
    options: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _options_of_kind(self) -> SourceSettings:
        if self.kind is not None:
            problems = registry.kind_info(self.kind).option_problems(self.options)
            if problems:
                raise ValueError("; ".join(problems))
        if self.kind == "search" and self.options.get("query"):
            _query(self.options["query"])
        return self

    @field_validator("interval")
    @classmethod
    def _not_too_often(cls, value: timedelta) -> timedelta:
        if value < timedelta(minutes=1):
            raise ValueError("must be at least 1m: polling faster is impolite")
        return value


class SlackSettings(_Section):
    webhook_url: SecretStr
    batch_interval: Duration = timedelta(minutes=30)


class WebhookSettings(_Section):
    url: HttpUrlText
    secret: SecretStr


class QuietHours(_Section):
    start: Clock
    end: Clock


class DigestSettings(_Section):
    enabled: bool = True  # the weekly digest, on ``weekday`` at ``at``
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    at: Clock = time(8, 0)
    # Also a digest of the previous day, every day at ``at`` (off unless asked for).
    daily: bool = False


def _address(value: str) -> str:
    """One address, bare or with a display name ("Ops <ops@example.com>"), on one line."""
    address = parseaddr(value)[1]
    local, at, domain = address.rpartition("@")
    if "\n" in value or "\r" in value or not (local and at and domain) or " " in address:
        raise ValueError(f"{value!r} is not an e-mail address (like ops@example.com)")
    return value


EmailAddress = Annotated[str, AfterValidator(_address)]
SeverityName = Literal["info", "warning", "critical"]


class EmailSettings(_Section):
    smtp_host: str
    smtp_port: int = 587
    starttls: bool = True
    use_tls: bool = False
    username: str | None = None
    password: SecretStr | None = None
    sender: EmailAddress
    recipients: list[EmailAddress] = Field(min_length=1)
    # Per-alert e-mail (off unless asked for): one message per alert notification, like the
    # Slack one, to ``alert_recipients`` (default: ``recipients``), for alerts at least as
    # severe as ``alert_min_severity``.
    # The longest one submission may take, from connecting to the server's last reply; a
    # server that accepts and then says nothing is given up on (and retried later) after it.
    timeout: Duration = timedelta(seconds=30)
    alerts: bool = False
    alert_recipients: list[EmailAddress] = Field(default_factory=list)
    alert_min_severity: SeverityName = "info"

    @model_validator(mode="after")
    def _alert_keys_need_alerts(self) -> EmailSettings:
        if not self.alerts and (self.alert_recipients or self.alert_min_severity != "info"):
            raise ValueError("alert_recipients and alert_min_severity only apply to e-mailed "
                             "alerts: add `alerts: true` to notifications.email")
        return self


class NotificationSettings(_Section):
    timezone: str = "UTC"
    quiet_hours: QuietHours | None = None
    slack: SlackSettings | None = None
    webhook: WebhookSettings | None = None
    email: EmailSettings | None = None
    digest: DigestSettings = Field(default_factory=DigestSettings)

    @model_validator(mode="after")
    def _daily_digest_needs_email(self) -> NotificationSettings:
        if self.digest.daily and self.email is None:
            raise ValueError("digest.daily needs an SMTP server to send it: add "
                             "notifications.email (smtp_host, sender, recipients)")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/Paris"
            ) from None
        return value


class AlertRuleSettings(_Section):
    name: str = Field(min_length=1, max_length=200)
    query: QueryText
    severity: SeverityName = "warning"
    brand: str | None = None  # only this brand's mentions; all brands when omitted
    min_matches: int = Field(default=1, ge=1)


class AlertingSettings(_Section):
    sensitivity: Literal["low", "medium", "high"] = "medium"
    window: Duration | None = None  # default: the preset's (1h)
    cooldown: Duration | None = None  # default: the preset's (6h)
    source_failures: int | None = Field(default=None, ge=1)  # failed cycles before a silence alert
    rules: list[AlertRuleSettings] = Field(default_factory=list)


ScopeName = Literal["read", "write", "admin"]
_ALL_SCOPES: tuple[ScopeName, ...] = ("read", "write", "admin")
_PASSWORD_HASH_RE = re.compile(r"^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_=-]+\$[A-Za-z0-9_=-]+$")


class ApiUserSettings(_Section):
    """A dashboard login; the password is stored as an scrypt hash, never in clear."""

    name: str = Field(min_length=1, max_length=100)
    password_hash: SecretStr
    scopes: list[ScopeName] = Field(default_factory=lambda: list(_ALL_SCOPES))

    @field_validator("password_hash")
    @classmethod
    def _scrypt_hash(cls, value: SecretStr) -> SecretStr:
        if not _PASSWORD_HASH_RE.match(value.get_secret_value()):
            raise ValueError("must be an scrypt hash: scrypt$n$r$p$salt$hash")
        return value


class ApiSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, gt=0, lt=65536)
    # API processes sharing the port (one per core is a good start); scheduled work never runs
    # in them: `monitor run` keeps the scheduler in the parent process.
    workers: int = Field(default=1, ge=1, le=64)
    public_url: str = "http://127.0.0.1:8000"
    users: list[ApiUserSettings] = Field(default_factory=list)
    session_lifetime: Duration = timedelta(hours=12)
    metrics_access: Literal["api_key", "loopback", "public"] = "api_key"
    # Requests that need the database are answered 503 (Retry-After) after this long, even
    # when the database stalls without refusing; other requests are never held by them.
    request_timeout: Duration = timedelta(seconds=20)
    # Largest request body accepted, and how long it may take to arrive; bodies are read only
    # after the key or session is checked.
    max_body_bytes: int = Field(default=1_000_000, gt=0)
    body_timeout: Duration = timedelta(seconds=10)
    # Failed logins (and API-key failures) allowed before each further one doubles the wait,
    # per account; a client address gets four times as many. The wait never exceeds the max.
    login_attempts: int = Field(default=5, gt=0)
    login_max_backoff: Duration = timedelta(minutes=15)


class Settings(BaseSettings):
    """Everything brand-monitor can be told, mirroring ``config.example.yaml``."""

    model_config = SettingsConfigDict(
        env_prefix="MONITOR_", env_nested_delimiter="__", extra="forbid"
    )

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    collector: CollectorSettings = Field(default_factory=CollectorSettings)
    workers: WorkerSettings = Field(default_factory=WorkerSettings)
    api: ApiSettings = Field(default_factory=ApiSettings)
    brands: list[BrandSettings] = Field(default_factory=list)
    sources: list[SourceSettings] = Field(default_factory=list)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)
    alerts: AlertingSettings = Field(default_factory=AlertingSettings)
    # Topic name -> query; None uses the built-in taxonomy for customer conversations.
    topics: dict[str, str] | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The YAML file arrives as init arguments; the environment must win over it.
        return (env_settings, init_settings)

    @field_validator("topics")
    @classmethod
    def _topic_queries(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for name, query in (value or {}).items():
            try:
                _query(query)
            except ValueError as exc:
                raise ValueError(f"topic {name!r}: {exc}") from None
        return value

    @field_validator("brands")
    @classmethod
    def _unique_brand_names(cls, value: list[BrandSettings]) -> list[BrandSettings]:
        _require_unique([b.name.casefold() for b in value], "brand name")
        return value

    @field_validator("sources")
    @classmethod
    def _unique_source_urls(cls, value: list[SourceSettings]) -> list[SourceSettings]:
        _require_unique([s.url for s in value], "source url")
        return value


def _require_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {what}: {value!r}")
        seen.add(value)


def load_settings(path: Path | None = None) -> Settings:
    """Read the YAML file (``path``, else ``$MONITOR_CONFIG``, else none) and validate it."""
    if path is None and os.environ.get("MONITOR_CONFIG"):
        path = Path(os.environ["MONITOR_CONFIG"])
    data = _read_yaml(path) if path is not None else {}
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, path)) from None


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    return data


def _describe(exc: ValidationError, path: Path | None) -> str:
    where = f" in {path}" if path else ""
    lines = [f"invalid configuration{where}:"]
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)
