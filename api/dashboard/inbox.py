"""Inbox pages: the mention list, one mention in context, triage forms, views, muting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api.dashboard.auth import DeskDep, check_csrf, local_path
from api.dashboard.highlight import render_field, safe_href
from api.dashboard.inbox_view import (
    SENTIMENTS,
    SNOOZE_CHOICES,
    STATES,
    InboxQuery,
    build_item,
    parse_inbox_query,
)
from api.dashboard.render import render_page
from api.deps import Principal, RuntimeDep, SessionDep
from monitor.db.engine import unit_of_work
from monitor.db.repositories import BrandRepository, MentionRepository
from monitor.db.repositories.exclusions import (
    EXCLUSION_KINDS,
    ExclusionRepository,
    ExclusionRule,
    as_rule,
    normalise_value,
)
from monitor.db.repositories.inbox import InboxRepository, TriageChange
from monitor.db.repositories.items import ItemRepository, ItemRow, lead_mention
from monitor.db.repositories.mentions import MentionFilter, MentionRow
from monitor.db.repositories.users import DeskUserRepository
from monitor.db.repositories.views import ViewRepository
from monitor.errors import InvalidInputError
from monitor.runtime import Runtime

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
MAX_BULK = 10_000
FormText = Annotated[str, Form(max_length=5000)]


def require_write(principal: Principal, csrf_token: str) -> None:
    check_csrf(principal, csrf_token)
    if not principal.can("write"):
        raise HTTPException(status_code=403, detail="your login may read but not change things")


@router.get("/")
def home() -> Response:
    return RedirectResponse("/inbox", status_code=303)


def _record_visit(runtime: Runtime, principal: str, now: datetime) -> datetime | None:
    """The visit is its own brief write, so reading the inbox takes no write lock."""
    with unit_of_work(runtime.sessions) as session:
        return DeskUserRepository(session).record_visit(principal, now)


@router.get("/inbox")
def inbox(request: Request, session: SessionDep, principal: DeskDep,
          runtime: RuntimeDep) -> Response:
    now = datetime.now(UTC)
    last_visit = _record_visit(runtime, principal.id, now)
    query = parse_inbox_query(request.query_params, last_visit=last_visit, now=now)
    repo, items = MentionRepository(session), ItemRepository(session)
    query = _known_brand(repo, query)
    try:
        page = items.list_page(query.filters, limit=PAGE_SIZE,
                               cursor=request.query_params.get("cursor") or None,
                               sort=query.sort)  # type: ignore[arg-type]
    except InvalidInputError:
        query.notices.append("That page link is out of date: showing the first page.")
        page = items.list_page(query.filters, limit=PAGE_SIZE, cursor=None,
                               sort=query.sort)  # type: ignore[arg-type]
    return render_page(
        request, "inbox.html", principal, query=query,
        items=_items(session, page.rows, query.filters.brand, last_visit, now),
        next_cursor=page.next_cursor,
        tab_counts=_tab_counts(items, query.filters), last_visit=last_visit,
        fresh_count=items.count(MentionFilter(created_after=last_visit)) if last_visit else 0,
        views=ViewRepository(session).list_for(principal.id),
        brands=[b.name for b in BrandRepository(session).list_all()],
        tags=InboxRepository(session).all_tags(), states=STATES, sentiments=SENTIMENTS,
        snooze_choices=list(SNOOZE_CHOICES), back=request.url.query,
    )


def _known_brand(repo: MentionRepository, query: InboxQuery) -> InboxQuery:
    try:
        repo.check_brand(query.filters.brand)
    except InvalidInputError as error:
        query.notices.append(f"Ignored brand: {error}.")
        return replace(query, filters=replace(query.filters, brand=None))
    return query


def _items(session: Session, rows: list[ItemRow], brand: str | None,
           last_visit: datetime | None, now: datetime) -> list[object]:
    tags = InboxRepository(session).item_tags_for([r.document.id for r in rows])
    parents = MentionRepository(session).parents_of([r.document for r in rows])
    return [build_item(lead_mention(r, brand), r.document, r.source, r.mentions,
                       tags.get(r.document.id, []), parents.get(r.document.parent_key or ""),
                       last_visit, now)
            for r in rows if r.mentions]


def _tab_counts(repo: ItemRepository, filters: MentionFilter) -> dict[str, int]:
    return {state: repo.count(replace(filters, state=state, created_after=None))
            for state in ("new", "needs_reply", "snoozed")}


def _back(back: str) -> Response:
    """Back to the inbox with the query string it was submitted from."""
    pairs = [(k, v) for k, v in parse_qsl(back)[:40] if k != "cursor"]
    return RedirectResponse("/inbox?" + urlencode(pairs), status_code=303)


def _change_for(action: str, tag: str) -> TriageChange:
    kind, _, value = action.partition(":")
    if kind == "state" and value in STATES and value != "snoozed":
        return TriageChange(state=value)
    if kind == "snooze" and value in SNOOZE_CHOICES:
        until = datetime.now(UTC) + SNOOZE_CHOICES[value]
        return TriageChange(state="snoozed", snoozed_until=until)
    if kind == "sentiment" and value in ("", *SENTIMENTS):
        return TriageChange(change_sentiment=True, sentiment=value or None)
    if kind == "tag" and tag.strip():
        return TriageChange(add_tags=[tag])
    if kind == "untag" and tag.strip():
        return TriageChange(remove_tags=[tag])
    raise InvalidInputError("choose an action (and a tag for tagging)")


@router.post("/inbox/bulk")
def inbox_bulk(
    request: Request, session: SessionDep, principal: DeskDep,
    csrf_token: FormText = "", action: FormText = "", tag: FormText = "", back: FormText = "",
    all_matching: FormText = "", ids: Annotated[list[int] | None, Form()] = None,
) -> Response:
    require_write(principal, csrf_token)
    change = _change_for(action, tag)
    if all_matching == "1":
        last = DeskUserRepository(session).visit_mark(principal.id)
        query = parse_inbox_query(dict(parse_qsl(back)), last_visit=last, now=datetime.now(UTC))
        targets = MentionRepository(session).ids_matching(query.filters, limit=MAX_BULK)
    else:
        targets = [i for i in ids or [] if 0 < i < 2**31][:MAX_BULK]
    InboxRepository(session).apply(targets, change, datetime.now(UTC))
    return _back(back)


@router.post("/mentions/{mention_id}/triage")
def triage_one(
    mention_id: int, session: SessionDep, principal: DeskDep, csrf_token: FormText = "",
    action: FormText = "", tag: FormText = "", back: FormText = "", to: FormText = "",
) -> Response:
    require_write(principal, csrf_token)
    MentionRepository(session).get_row(_checked_id(mention_id))
    InboxRepository(session).apply([mention_id], _change_for(action, tag), datetime.now(UTC))
    if to == "mention":
        return RedirectResponse(f"/mentions/{mention_id}", status_code=303)
    return _back(back)


def _checked_id(value: int) -> int:
    if not 0 < value < 2**31:
        raise InvalidInputError("no such mention")
    return value


@router.get("/mentions/{mention_id}")
def mention_page(mention_id: int, request: Request, session: SessionDep, principal: DeskDep,
                 mute: str = "", all_brands: str = "") -> Response:
    repo, inbox_repo = MentionRepository(session), InboxRepository(session)
    row = repo.get_row(_checked_id(mention_id))
    doc, spans = row.document, list(row.mention.spans or [])
    parent = repo.parents_of([doc]).get(doc.parent_key or "")
    now = datetime.now(UTC)
    whole = ItemRepository(session).load([doc.id], include_hidden=True)[0]
    item = build_item(row.mention, doc, row.source, whole.mentions,
                      inbox_repo.item_tags_for([doc.id]).get(doc.id, []), parent, None, now)
    return render_page(
        request, "mention.html", principal, item=item,
        text=render_field(doc.text, spans, "text"), notes=inbox_repo.item_notes_for(doc.id),
        parent=parent, parent_href=safe_href(parent.url) if parent else "#",
        mute_preview=_mute_preview(session, row, mute, all_brands == "1"),
        mute_kinds=EXCLUSION_KINDS, states=STATES, sentiments=SENTIMENTS,
        snooze_choices=list(SNOOZE_CHOICES), back="",
    )


def _mute_value(row: MentionRow, kind: str) -> str | None:
    doc = row.document
    if kind == "author":
        return doc.author or None
    return (doc.thread_url or doc.url) if kind == "thread" else doc.url


def _mute_preview(session: Session, row: MentionRow, kind: str, all_brands: bool
                  ) -> dict[str, object] | None:
    value = _mute_value(row, kind) if kind in EXCLUSION_KINDS else None
    if value is None:
        return None
    rule = ExclusionRule(0, kind, normalise_value(kind, value),
                         None if all_brands else row.brand.id)
    count = ExclusionRepository(session).count_matching(rule)
    return {"kind": kind, "value": rule.value, "count": count, "all_brands": all_brands}


@router.post("/mentions/{mention_id}/mute")
def mute(mention_id: int, session: SessionDep, principal: DeskDep, csrf_token: FormText = "",
         kind: FormText = "", all_brands: FormText = "", hide_past: FormText = "") -> Response:
    require_write(principal, csrf_token)
    row = MentionRepository(session).get_row(_checked_id(mention_id))
    value = _mute_value(row, kind) if kind in EXCLUSION_KINDS else None
    if value is None:
        raise InvalidInputError("nothing to mute of that kind on this mention")
    repo = ExclusionRepository(session)
    exclusion = repo.create(kind, value, None if all_brands == "1" else row.brand.id,
                            principal.id, datetime.now(UTC))
    if hide_past == "1":
        repo.hide_matching(as_rule(exclusion))
    return RedirectResponse("/muted", status_code=303)


@router.post("/mentions/{mention_id}/notes")
def add_note(mention_id: int, session: SessionDep, principal: DeskDep,
             csrf_token: FormText = "", body: FormText = "") -> Response:
    require_write(principal, csrf_token)
    InboxRepository(session).add_note(_checked_id(mention_id), principal.display_name, body,
                                      datetime.now(UTC))
    return RedirectResponse(f"/mentions/{mention_id}#notes", status_code=303)


@router.post("/mentions/{mention_id}/tags")
def set_tags(mention_id: int, session: SessionDep, principal: DeskDep,
             csrf_token: FormText = "", tags: FormText = "") -> Response:
    require_write(principal, csrf_token)
    MentionRepository(session).get_row(_checked_id(mention_id))
    names = [t for t in tags.split(",") if t.strip()]
    InboxRepository(session).apply([mention_id], TriageChange(set_tags=names), datetime.now(UTC))
    return RedirectResponse(f"/mentions/{mention_id}", status_code=303)


@router.post("/views")
def save_view(session: SessionDep, principal: DeskDep, csrf_token: FormText = "",
              name: FormText = "", back: FormText = "") -> Response:
    check_csrf(principal, csrf_token)
    params = {k: v for k, v in parse_qsl(back)[:30] if k != "cursor"}
    if not name.strip():
        raise InvalidInputError("give the view a name")
    ViewRepository(session).save(principal.id, name.strip()[:100], params, datetime.now(UTC))
    return _back(back)


@router.post("/views/{view_id}/delete")
def delete_view(view_id: int, session: SessionDep, principal: DeskDep,
                csrf_token: FormText = "", back: FormText = "") -> Response:
    check_csrf(principal, csrf_token)
    ViewRepository(session).delete(principal.id, _checked_id(view_id))
    return _back(back)


@router.get("/muted")
def muted(request: Request, session: SessionDep, principal: DeskDep) -> Response:
    brands = {b.id: b.name for b in BrandRepository(session).list_all()}
    rows = ExclusionRepository(session).list_all()
    return render_page(request, "muted.html", principal, exclusions=rows, brands=brands)


@router.post("/muted/{exclusion_id}/delete")
def unmute(exclusion_id: int, session: SessionDep, principal: DeskDep,
           csrf_token: FormText = "") -> Response:
    require_write(principal, csrf_token)
    ExclusionRepository(session).delete(_checked_id(exclusion_id))
    return RedirectResponse(local_path("/muted"), status_code=303)
