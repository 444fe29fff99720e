"""Templates and the helpers every page uses: escaping filters, times, the page frame."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.dashboard.highlight import safe_href
from api.deps import Principal
from collectors import registry

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"


def render_age(moment: datetime | None, now: datetime) -> str:
    """"5m", "3h", "2d", or the date for anything older than a week."""
    if moment is None:
        return "—"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 3600:
        return f"{max(seconds // 60, 1)}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 7 * 86400:
        return f"{seconds // 86400}d"
    return f"{moment:%d %b %Y}"


def render_utc(moment: datetime | None) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if moment else "—"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["href"] = safe_href
    env.filters["utc"] = render_utc
    # Kind name -> display name, from the collectors' registry, for every kind menu.
    env.globals["source_kinds"] = registry.display_names()
    return env


templates = Jinja2Templates(env=_environment())


def render_page(request: Request, name: str, principal: Principal | None,
                status_code: int = 200, **context: Any) -> HTMLResponse:
    """A page in the common frame; the CSRF token goes into forms and a meta tag for scripts."""
    now = datetime.now(UTC)
    context.update(
        request=request, principal=principal, now=now,
        age=lambda moment: render_age(moment, now),
        csrf_token=principal.csrf_token if principal else "",
        nav=request.url.path.split("/")[1] if request.url.path != "/" else "inbox",
    )
    return templates.TemplateResponse(request, name, context, status_code=status_code)


HEADINGS = {401: "Please log in", 403: "Not allowed", 404: "Not found", 409: "Conflict",
            422: "That did not work", 503: "Database unavailable"}


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page of the desk, for browsers."""
    heading = HEADINGS.get(status, "Something went wrong")
    return render_page(request, "error.html", None, status_code=status, heading=heading,
                       message=message)
