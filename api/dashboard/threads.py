"""A whole thread on the desk: the post and every stored comment, nested; follow and mute."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from api.dashboard.auth import DeskDep
from api.dashboard.highlight import safe_href
from api.dashboard.inbox import require_write
from api.dashboard.render import render_page
from api.deps import RuntimeDep, SessionDep, get_settings
from api.routes.threads import record_thread_open, thread_view
from monitor.db.repositories.conversations import ConversationRepository
from monitor.db.repositories.exclusions import ExclusionRepository, as_rule
from monitor.errors import InvalidInputError

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=5000)]
MAX_INDENT = 8  # deeper replies line up at this depth: the page stays readable


def _checked(thread_id: int) -> int:
    if not 0 < thread_id < 2**31:
        raise InvalidInputError("no such thread")
    return thread_id


@router.get("/threads/{thread_id}")
def thread_page(thread_id: int, request: Request, session: SessionDep, principal: DeskDep,
                runtime: RuntimeDep) -> Response:
    now = datetime.now(UTC)
    previous = record_thread_open(runtime, principal.id, _checked(thread_id), now)
    view = thread_view(session, thread_id, now, previous)
    return render_page(request, "thread.html", principal, thread=view,
                       thread_href=safe_href(view.url), max_indent=MAX_INDENT,
                       hrefs={p.id: safe_href(p.url) for p in view.posts})


@router.post("/threads/{thread_id}/follow")
def follow(thread_id: int, request: Request, session: SessionDep, principal: DeskDep,
           csrf_token: FormText = "", followed: FormText = "1") -> Response:
    require_write(principal, csrf_token)
    now = datetime.now(UTC)
    on = followed == "1"
    until = now + get_settings(request).collector.follow_threads_for if on else None
    ConversationRepository(session).set_followed(_checked(thread_id), on, until)
    return RedirectResponse(f"/threads/{thread_id}", status_code=303)


@router.post("/threads/{thread_id}/mute")
def mute(thread_id: int, session: SessionDep, principal: DeskDep, csrf_token: FormText = "",
         hide_past: FormText = "") -> Response:
    require_write(principal, csrf_token)
    thread = ConversationRepository(session).get(_checked(thread_id))
    repo = ExclusionRepository(session)
    exclusion = repo.create("thread", thread.url, None, principal.id, datetime.now(UTC))
    if hide_past == "1":
        repo.hide_matching(as_rule(exclusion))
    return RedirectResponse("/muted", status_code=303)
