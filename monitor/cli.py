"""The `monitor` command."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from collectors.parsing import close_default_pool, lower_priority
from monitor.config import Settings, load_settings
from monitor.db.engine import build_engine, unit_of_work
from monitor.db.migrate import upgrade_database
from monitor.db.repositories import ApiKeyRepository
from monitor.db.repositories.api_keys import ALL_SCOPES
from monitor.domain.duration import parse_duration
from monitor.errors import ConfigError, InvalidInputError, MonitorError
from monitor.logs import configure_logging
from monitor.pipeline.collect import CycleReport, SourceOutcome
from monitor.pipeline.config_sync import plan_config_sync, sync_config
from monitor.pipeline.cycle import FullReport, run_cycle
from monitor.pipeline.source_status import SourceStatus, load_source_statuses
from monitor.runtime import Runtime, open_runtime
from monitor.stopping import StoppedBySignal, run_until_signalled

app = typer.Typer(help="brand-monitor: follow conversations about your brand.",
                  no_args_is_help=True, add_completion=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys (only their hashes are stored).", no_args_is_help=True)
query_app = typer.Typer(help="Brand queries.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(apikey_app, name="apikey")
app.add_typer(query_app, name="query")
user_app = typer.Typer(help="Dashboard users (listed in the config's api.users).",
                       no_args_is_help=True)
app.add_typer(user_app, name="user")
sources_app = typer.Typer(help="Sources: their health, OPML import and export.",
                          no_args_is_help=True)
app.add_typer(sources_app, name="sources")

err = Console(stderr=True, soft_wrap=True)  # paths in messages stay whole
NO_CONFIG = "no config: pass --config PATH or set MONITOR_CONFIG"
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="YAML config file (may also come before the command).",
                 show_default=False),
]


@dataclass(slots=True)
class CliState:
    """What the options before the command said (``monitor --config x.yaml collect``)."""

    config: Path | None = None
    debug: bool = False
    yes: bool = False


_state = CliState()


@app.callback()
def main(
    config: Annotated[Path | None, typer.Option(
        "--config", "-c", envvar="MONITOR_CONFIG", show_envvar=True,
        help="YAML config file (default: $MONITOR_CONFIG).")] = None,
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show tracebacks and debug logs.")] = False,
    yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Apply a config even if it disables every monitored source.")]
    = False,
) -> None:
    """brand-monitor: follow conversations about your brand."""
    global _state
    _state = CliState(config, debug, yes)


@contextmanager
def _user_errors() -> Iterator[None]:
    """Expected failures print one clear line and exit 2; tracebacks only with --debug."""
    try:
        yield
    except MonitorError as exc:
        if _state.debug:
            raise
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except OSError as exc:
        if _state.debug:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        err.print(f"[red]error:[/red] {where}{exc.strerror or exc}", highlight=False)
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:  # the database failed mid-way (it stopped, or went away)
        if _state.debug:
            raise
        cause = str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["no detail"]
        err.print(f"[red]error:[/red] the database failed: {cause[0]}; what was stored "
                  "stays, run the command again once it answers", highlight=False)
        raise typer.Exit(2) from None


def _config_path(config: Path | None, *, required: bool) -> Path | None:
    chosen = config or _state.config
    if chosen is None and os.environ.get("MONITOR_CONFIG"):
        chosen = Path(os.environ["MONITOR_CONFIG"])
    if chosen is None and required:
        raise ConfigError(NO_CONFIG)
    return chosen


def _settings(config: Path | None, *, required: bool = True) -> Settings:
    settings = load_settings(_config_path(config, required=required))
    if _state.debug:
        settings = settings.model_copy(update={"log_level": "DEBUG"})
    elif settings.log_level == "DEBUG":
        _state.debug = True
    configure_logging(settings.log_level)
    return settings


def _runtime(config: Path | None) -> Runtime:
    """Settings from a config file that was read, the database, and the config's brands and
    sources stored (only then: no config must never switch monitoring off)."""
    runtime = open_runtime(_settings(config))
    try:
        _confirm_sync(runtime)
        sync_config(runtime)
    except BaseException:
        runtime.dispose()
        raise
    return runtime


def _bare_runtime(config: Path | None) -> Runtime:
    """The database only, for commands that do not need brands and sources."""
    return open_runtime(_settings(config, required=False))


def _confirm_sync(runtime: Runtime) -> None:
    plan = plan_config_sync(runtime)
    if not plan.disables_every_source or _state.yes:
        return
    dropped = plan.sources_disabled
    names = ", ".join(dropped[:5]) + (" …" if len(dropped) > 5 else "")
    question = (f"this config lists none of the {len(dropped)} sources monitored now ({names}); "
                "applying it disables them all")
    if sys.stdin.isatty() and typer.confirm(f"{question}. Go on?", err=True):
        return
    raise ConfigError(f"{question}. Check --config / MONITOR_CONFIG, or pass --yes if that is "
                      "what you want")


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply the database migrations."""
    with _user_errors():
        settings = _settings(config, required=False)
        engine = build_engine(settings.database.url)
        try:
            upgrade_database(engine)
        finally:
            engine.dispose()
    typer.echo("database is up to date")


@app.command()
def collect(
    config: ConfigOption = None,
    once: Annotated[bool, typer.Option("--once", help="Run one cycle and exit.")] = False,
    all_sources: Annotated[bool, typer.Option("--all", help="Fetch every source, due or not.")]
    = False,
) -> None:
    """Fetch the due sources, analyse and store; source failures are reported, not fatal."""
    if not once:
        err.print("collect runs one cycle: pass --once (use `monitor run` for the schedule)")
        raise typer.Exit(2)
    with _user_errors():
        runtime = _runtime(config)
        lower_priority(runtime.settings.collector.nice)  # before any thread starts
        runtime.keep_claims_alive()
        try:
            report = asyncio.run(run_until_signalled(_collect_with_progress(runtime,
                                                                            all_sources)))
            statuses = load_source_statuses(runtime, datetime.now(UTC))
        except StoppedBySignal as stopped:
            err.print(f"collect {stopped}: what was stored stays; the sources not done are "
                      "free for the next cycle", highlight=False)
            raise typer.Exit(stopped.exit_code) from None
        finally:
            close_default_pool()
            runtime.dispose()
    _print_report(report, statuses)
    if report.collected.program_errors:
        _print_program_errors(report.collected)
        raise typer.Exit(1)


async def _collect_with_progress(runtime: Runtime, all_sources: bool) -> FullReport:
    if not sys.stderr.isatty():
        return await run_cycle(runtime, include_all=all_sources)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("collecting", total=None)

        def claimed(count: int) -> None:
            progress.update(task, total=count)

        def advanced(outcome: SourceOutcome) -> None:
            progress.update(task, advance=1, description=outcome.name[:40])

        return await run_cycle(
            runtime, include_all=all_sources, on_claimed=claimed, on_progress=advanced
        )


def _print_report(full: FullReport, statuses: list[SourceStatus]) -> None:
    report, by_id = full.collected, {s.id: s for s in statuses}
    for outcome in report.failed:
        status = by_id.get(outcome.source_id)
        retry = f"; next attempt {_due(status.next_check_at)}" if status else ""
        typer.echo(f"failed: {outcome.name} (source {outcome.source_id}): {outcome.error}{retry}")
    fetched = {o.source_id for o in report.sources}
    skipped = [s for s in statuses if s.backing_off and s.id not in fetched]
    for status in skipped:
        typer.echo(f"skipped: {status.name} (source {status.id}): backing off after "
                   f"{status.error_count} failures; next attempt {_due(status.next_check_at)}")
    counts = Counter(o.status for o in report.sources)
    typer.echo(
        f"sources: {counts['ok']} fetched, {counts['not_modified']} not modified, "
        f"{counts['error']} failed, {len(skipped)} skipped (backing off); "
        f"{len(report.threads)} threads checked; "
        f"{report.new_documents} new documents, {report.new_mentions} new mentions"
    )
    alerts, sent = full.alerts, full.deliveries
    typer.echo(
        f"alerts: {alerts.opened} opened, {alerts.updated} updated, {alerts.resolved} resolved; "
        f"deliveries: {sent.sent} sent, {sent.retrying} to retry, {sent.failed} failed"
    )


def _print_program_errors(report: CycleReport) -> None:
    affected = sum(1 for o in report.outcomes if o.status == "program_error")
    for error in report.program_errors:
        err.print(f"[red]error:[/red] brand-monitor itself failed, not the sources: {error}",
                  highlight=False)
    err.print(f"{affected} sources or threads were not processed (they are not marked as "
              "failing and are tried again next cycle). This is a bug or a broken install: "
              "reinstall (`make run`, or `pip install .`), run with --debug for the "
              "traceback, and report it if it stays.", highlight=False)


def _due(moment: datetime) -> str:
    minutes = max(0, round((moment - datetime.now(UTC)).total_seconds() / 60))
    return f"{moment:%Y-%m-%d %H:%M} UTC (in {minutes} min)"


HostOption = Annotated[str | None, typer.Option(help="Address to bind (default: api.host).")]
PortOption = Annotated[int | None, typer.Option(help="Port (default: api.port).")]


@app.command()
def serve(config: ConfigOption = None, host: HostOption = None, port: PortOption = None) -> None:
    """Serve the HTTP API (no scheduled work runs in this process)."""
    from monitor.server import serve_api

    with _user_errors():
        asyncio.run(serve_api(_runtime(config), host=host, port=port))


@app.command()
def run(config: ConfigOption = None, host: HostOption = None, port: PortOption = None) -> None:
    """Scheduler and API in one process: the single-machine way to run brand-monitor."""
    from monitor.server import serve_api_with_scheduler

    with _user_errors():
        asyncio.run(serve_api_with_scheduler(_runtime(config), host=host, port=port))


@app.command()
def worker(
    config: ConfigOption = None,
    health_file: Annotated[Path | None, typer.Option(
        help="A file touched on every heartbeat (each quarter of workers.lease), for health "
             "checks.")] = None,
) -> None:
    """Collect, analyse and deliver without the API; run any number of them on Postgres."""
    from monitor.server import require_shared_database, run_worker

    with _user_errors():
        require_shared_database(_settings(config))
        runtime = _runtime(config)
        lower_priority(runtime.settings.collector.nice)
        asyncio.run(run_worker(runtime, health_file=health_file))


@apikey_app.command("create")
def apikey_create(
    name: Annotated[str, typer.Option("--name", help="Who or what uses this key.")],
    config: ConfigOption = None,
    scope: Annotated[list[str] | None, typer.Option(
        "--scope", help="read, write or admin (repeatable; default: all).")] = None,
) -> None:
    """Create an API key; it is printed once, alone on the last line."""
    scopes = scope or list(ALL_SCOPES)
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        err.print(f"error: unknown scope {', '.join(unknown)}; use read, write or admin")
        raise typer.Exit(2)
    with _user_errors():
        runtime = _bare_runtime(config)
        with unit_of_work(runtime.sessions) as session:
            new = ApiKeyRepository(session).create(name, scopes, datetime.now(UTC))
        runtime.dispose()
    err.print(f"created API key {new.id} ({name}); store it now, it is not shown again:")
    typer.echo(new.key)


@apikey_app.command("list")
def apikey_list(config: ConfigOption = None) -> None:
    """List API keys (never the keys themselves)."""
    with _user_errors():
        runtime = _bare_runtime(config)
        with runtime.reads() as session:
            keys = ApiKeyRepository(session).list_all()
        runtime.dispose()
    table = Table("id", "name", "prefix", "scopes", "created", "last used", "revoked")
    for key in keys:
        table.add_row(str(key.id), key.name, key.prefix + "…", ",".join(key.scopes),
                      _when(key.created_at), _when(key.last_used_at), _when(key.revoked_at))
    Console().print(table)


@apikey_app.command("revoke")
def apikey_revoke(key_id: int, config: ConfigOption = None) -> None:
    """Revoke an API key by id."""
    with _user_errors():
        runtime = _bare_runtime(config)
        with unit_of_work(runtime.sessions) as session:
            ApiKeyRepository(session).revoke(key_id, datetime.now(UTC))
        runtime.dispose()
    typer.echo(f"API key {key_id} revoked")


@query_app.command("test")
def query_test(
    expression: Annotated[str, typer.Argument(help="A query, e.g. 'Acme NOT (road OR runner)'.")],
    config: ConfigOption = None,
    samples: Annotated[int, typer.Option(help="How many matching snippets to show.")] = 5,
) -> None:
    """Run a query over the stored documents: matches in the last 7 and 30 days, with samples."""
    from monitor.pipeline.preview import preview_query

    with _user_errors():
        runtime = _runtime(config)
        try:
            preview = preview_query(runtime, expression, samples=samples)
        except ValueError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
        finally:
            runtime.dispose()
    typer.echo(f"last 7 days: {preview.last_7_days} matches")
    typer.echo(f"last 30 days: {preview.last_30_days} matches")
    for sample in preview.samples:
        typer.echo(f"- [{sample.sentiment}] {sample.title or sample.url}\n  {sample.snippet}\n"
                   f"  {sample.url}")


@sources_app.command("list")
def sources_list(config: ConfigOption = None) -> None:
    """Each source's health: last fetch, status, error and next check (as the dashboard)."""
    with _user_errors():
        runtime = _bare_runtime(config)
        try:
            statuses = load_source_statuses(runtime, datetime.now(UTC))
        finally:
            runtime.dispose()
    table = Table("id", "name", "kind", "health", "last fetch", "status", "next check", "error")
    for s in statuses:
        table.add_row(str(s.id), s.name, s.kind or "-", s.health, _when(s.last_fetched_at),
                      s.last_status or "-", _when(s.next_check_at), (s.last_error or "")[:80])
    Console(width=200).print(table)


@user_app.command("hash-password")
def user_hash_password(
    password: Annotated[str | None, typer.Option(
        help="The password; asked for (prompts on stderr, so stdout is only the hash) "
             "when not given.")] = None,
) -> None:
    """Print the hash to put in api.users[].password_hash for a dashboard login."""
    from monitor.db.repositories.users import hash_password

    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True,
                                err=True)

    if len(password) < 8:
        err.print("error: use at least 8 characters")
        raise typer.Exit(2)
    typer.echo(hash_password(password))


@app.command()
def digest(
    config: ConfigOption = None,
    send: Annotated[bool, typer.Option(
        "--send", help="Send it by email (once per week, or per day).")] = False,
    week: Annotated[str | None, typer.Option(
        "--week", help="ISO week like 2026-W47 (default: the last full week).")] = None,
    daily: Annotated[bool, typer.Option(
        "--daily", help="The daily digest instead of the weekly one.")] = False,
    day: Annotated[str | None, typer.Option(
        "--day", help="With --daily: the day, like 2026-12-04 (default: yesterday).")] = None,
) -> None:
    """Preview the weekly (or daily) digest (text on stdout), or send it."""
    from monitor.notify.days import compute_previous_day, parse_day
    from monitor.pipeline.digest import (
        build_period_digest,
        compute_day_period,
        compute_last_week,
        compute_week_period,
        send_period_digest,
    )

    with _user_errors():
        runtime = _runtime(config)
        zone = ZoneInfo(runtime.settings.notifications.timezone)
        try:
            if (daily or day) and week:
                raise ValueError("--week is for the weekly digest; the daily one takes --day")
            if daily or day:
                picked = parse_day(day) if day else compute_previous_day(datetime.now(UTC), zone)
                period = compute_day_period(picked, zone)
            else:
                week = week or compute_last_week(datetime.now(UTC), zone)
                period = compute_week_period(week, zone)
            chosen = period.label
            if not send:
                rendered = build_period_digest(runtime, period)
                typer.echo(f"Subject: {rendered.subject}\n\n{rendered.text}")
                return
            result = asyncio.run(send_period_digest(runtime, period))
        except ValueError as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False)
            raise typer.Exit(2) from None
        finally:
            runtime.dispose()
    messages = {"sent": f"digest for {chosen} sent",
                "already_sent": f"digest for {chosen} was already sent; not sent again",
                "retry": f"digest for {chosen} not sent yet, will retry: {result.detail}",
                "failed": f"digest for {chosen} failed: {result.detail}"}
    typer.echo(messages.get(result.status, result.status))
    if result.status == "failed":
        raise typer.Exit(1)


@app.command()
def doctor(config: ConfigOption = None) -> None:
    """Check the config, the database and its migrations, each source's health, and whether
    Slack, the webhook and SMTP answer; exits 1 when something is wrong."""
    from monitor.errors import ConfigError
    from monitor.pipeline.doctor import run_doctor

    try:
        findings = run_doctor(_settings(config))
    except ConfigError as exc:
        typer.echo(f"fail  config: {exc}")
        raise typer.Exit(1) from None
    for finding in findings:
        typer.echo(f"{finding.level:<5} {finding.check}: {finding.detail}")
    raise typer.Exit(1 if any(f.level == "fail" for f in findings) else 0)


@app.command()
def demo(
    directory: Annotated[Path, typer.Option(help="Where the demo keeps its config and data.")]
    = Path("demo-data"),
    port: Annotated[int, typer.Option(help="API port.")] = 8000,
) -> None:
    """Serve a sample site on loopback, collect it, and run the service on it."""
    from monitor.demo.run import run_demo

    with _user_errors():
        run_demo(directory, port)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


if __name__ == "__main__":
    app()


@sources_app.command("import")
def sources_import(
    path: Annotated[Path, typer.Argument(help="An OPML file (from a feed reader).")],
    config: ConfigOption = None,
    interval: Annotated[str, typer.Option(help="How often to check each new feed.")] = "30m",
) -> None:
    """Add the feeds of an OPML file; feeds already present are skipped, so it can be rerun."""
    from monitor.pipeline.opml import import_opml

    with _user_errors():
        body = _read_file(path)
        runtime = _runtime(config)
        report = import_opml(runtime, body, interval=_interval(interval))
        runtime.dispose()
    for url, why in report.plan.refused:
        err.print(f"refused: {url}: {why}", highlight=False, markup=False)
    for url, why in report.plan.duplicates:
        err.print(f"duplicate: {url}: {why}", highlight=False, markup=False)
    typer.echo(f"{report.added} added, {len(report.plan.duplicates)} duplicates, "
               f"{len(report.plan.refused)} refused")


@sources_app.command("export")
def sources_export(
    config: ConfigOption = None,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write to this file instead of the standard output.")] = None,
) -> None:
    """Print every source as OPML 2.0 (feed readers import it)."""
    from monitor.pipeline.opml import export_opml

    with _user_errors():
        runtime = _bare_runtime(config)
        text = export_opml(runtime)
        runtime.dispose()
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


def _read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None


def _interval(text: str) -> timedelta:
    try:
        interval = parse_duration(text)
    except ValueError:
        interval = None
    if not isinstance(interval, timedelta) or interval < timedelta(minutes=1):
        raise InvalidInputError(f"--interval takes a duration of at least 1m, not {text!r}")
    return interval


@sources_app.command("suggest")
def sources_suggest(
    config: ConfigOption = None,
    minimum: Annotated[int, typer.Option(help="Documents a site must turn up in.")] = 2,
) -> None:
    """Sites that keep turning up in collected mentions and are not sources yet."""
    from monitor.pipeline.suggestions import suggest_sources

    with _user_errors():
        runtime = _bare_runtime(config)
        suggestions = suggest_sources(runtime, minimum=minimum)
        runtime.dispose()
    for suggestion in suggestions:
        typer.echo(f"{suggestion.documents:5d}  {suggestion.url}  e.g. {suggestion.samples[0]}")
    if not suggestions:
        typer.echo("no suggestions yet")
