"""`monitor demo`: the sample site, a config pointing at it, a key, and the running service."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import yaml

from monitor.config import load_settings
from monitor.db.engine import unit_of_work
from monitor.db.repositories import ApiKeyRepository
from monitor.demo.guard import holding_demo_lock
from monitor.demo.site import DemoSite
from monitor.errors import ConfigError
from monitor.logs import configure_logging
from monitor.pipeline.config_sync import sync_config
from monitor.pipeline.cycle import run_cycle
from monitor.runtime import open_runtime
from monitor.server import serve_api_with_scheduler

DEMO_MARKER = "# Written by `monitor demo`; rewritten on every run."
DEMO_RULES = [
    {"name": "Recall or safety", "query": 'recall* OR lawsuit OR "cracked tank"',
     "severity": "critical"},
]
DEMO_BRANDS = [
    {"name": "Acme", "query": 'Acme OR "Acme Barista"'},
    {"name": "Globex", "query": "Globex"},
]


def write_demo_config(directory: Path, site: DemoSite, port: int) -> Path:
    """A config for the demo; its database starts empty on every run (it is sample data)."""
    directory.mkdir(parents=True, exist_ok=True)
    database = directory / "monitor.db"
    _refuse_foreign_data(directory)
    for leftover in directory.glob("monitor.db*"):
        leftover.unlink()
    config = {
        "database": {"url": f"sqlite:///{database.resolve()}"},
        "collector": {"allow_private_networks": True},
        "api": {"host": "127.0.0.1", "port": port, "public_url": f"http://127.0.0.1:{port}"},
        "brands": DEMO_BRANDS,
        "alerts": {"rules": DEMO_RULES},
        "sources": [{"name": n, "url": u, "interval": "5m"} for n, u in site.feed_urls.items()],
    }
    path = directory / "config.yaml"
    path.write_text(DEMO_MARKER + "\n" + yaml.safe_dump(config, sort_keys=False))
    return path


def _refuse_foreign_data(directory: Path) -> None:
    """The demo starts afresh by deleting its own database: never someone else's."""
    config = directory / "config.yaml"
    ours = config.is_file() and config.read_text(errors="replace").startswith(DEMO_MARKER)
    if ours:
        return
    if config.exists() or any(directory.glob("monitor.db*")):
        raise ConfigError(
            f"{directory} holds a config or database that `monitor demo` did not write; "
            "pick another --directory (the demo deletes its database on every run)"
        )


def run_demo(directory: Path, port: int) -> None:
    with holding_demo_lock(directory, port), DemoSite(hold_late_posts=True) as site:
        settings = load_settings(write_demo_config(directory, site, port))
        configure_logging(settings.log_level)
        runtime = open_runtime(settings)
        sync_config(runtime)
        with unit_of_work(runtime.sessions) as session:
            key = ApiKeyRepository(session).create("demo", ["read", "write", "admin"],
                                                   datetime.now(UTC)).key
        first = asyncio.run(run_cycle(runtime, include_all=True))
        site.publish_late_posts()  # news arrives after the first crawl: it can raise alerts
        second = asyncio.run(run_cycle(runtime, include_all=True))
        url = settings.api.public_url
        print(f"demo site:   {site.base_url}/brew/ and {site.base_url}/beans/")
        new_mentions = first.collected.new_mentions + second.collected.new_mentions
        print(f"collected:   {new_mentions} mentions, {second.alerts.opened} alerts")
        print(f"dashboard:   {url}/  (log in with the API key below)")
        print(f"API:         {url}/docs")
        print(f"try:         curl -H 'Authorization: Bearer {key}' {url}/api/v1/mentions")
        print(f"API key:     {key}", flush=True)
        asyncio.run(serve_api_with_scheduler(runtime, host=None, port=port))
