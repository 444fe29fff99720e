"""Sources and brands pages: fetch health, add, edit, disable, and trying a query first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from api.dashboard.auth import DeskDep, check_csrf
from api.dashboard.render import render_page
from api.deps import Principal, RuntimeDep, SessionDep
from api.routes.catalog import (
    check_brand_query,
    compute_health,
    saved_brand,
    validated_source,
)
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.catalog import BrandChange, CatalogRepository, SourceChange
from monitor.errors import InvalidInputError

router = APIRouter(include_in_schema=False)
FormText = Annotated[str, Form(max_length=10_000)]
MAX_OPML_BYTES = 20 * 2**20


def require_admin(principal: Principal, csrf_token: str) -> None:
    check_csrf(principal, csrf_token)
    if not principal.can("admin"):
        raise HTTPException(status_code=403, detail="changing sources and brands needs admin")


def _interval(minutes: str) -> int:
    try:
        value = int(minutes.strip() or "30")
    except ValueError:
        raise InvalidInputError("the interval is a whole number of minutes") from None
    if not 1 <= value <= 30 * 1440:
        raise InvalidInputError("the interval must be between 1 minute and 30 days")
    return value * 60


@router.get("/sources")
def sources_page(request: Request, session: SessionDep, principal: DeskDep) -> Response:
    sources = SourceRepository(session).list_all()
    return render_page(
        request, "sources.html", principal, sources=sources,
        health={s.id: compute_health(s) for s in sources},
        brands=BrandRepository(session).list_all(),
    )


@router.get("/sources/export.opml")
def export_sources(runtime: RuntimeDep, principal: DeskDep) -> Response:
    from monitor.pipeline.opml import export_opml

    return Response(export_opml(runtime), media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="sources.opml"'})


@router.post("/sources/import")
async def import_sources(request: Request, session: SessionDep, runtime: RuntimeDep,
                         principal: DeskDep, opml: UploadFile, csrf_token: FormText = ""
                         ) -> Response:
    from monitor.pipeline.opml import import_opml

    require_admin(principal, csrf_token)
    body = await opml.read(MAX_OPML_BYTES + 1)
    if len(body) > MAX_OPML_BYTES:
        raise InvalidInputError(f"the OPML file is larger than {MAX_OPML_BYTES // 2**20} MB")
    session.commit()  # the import writes in its own transaction
    report = await run_in_threadpool(import_opml, runtime, body)
    sources = SourceRepository(session).list_all()
    return render_page(
        request, "sources.html", principal, sources=sources,
        health={s.id: compute_health(s) for s in sources},
        brands=BrandRepository(session).list_all(), import_report=report,
    )


@router.get("/sources/suggestions")
def suggestions_page(request: Request, runtime: RuntimeDep, principal: DeskDep) -> Response:
    from monitor.pipeline.suggestions import suggest_sources

    return render_page(request, "suggestions.html", principal,
                       suggestions=suggest_sources(runtime))


@router.post("/sources/new")
def add_source(session: SessionDep, principal: DeskDep, csrf_token: FormText = "",
               name: FormText = "", url: FormText = "", kind: FormText = "",
               interval_minutes: FormText = "30") -> Response:
    require_admin(principal, csrf_token)
    checked = validated_source(name or url, url, kind or None, _interval(interval_minutes), {})
    CatalogRepository(session).create_source(checked.name, checked.url, checked.kind,
                                             checked.interval, True, {}, datetime.now(UTC))
    return RedirectResponse("/sources", status_code=303)


@router.get("/sources/{source_id}")
def source_page(source_id: int, request: Request, session: SessionDep, principal: DeskDep
                ) -> Response:
    source = CatalogRepository(session).get_source(_checked(source_id))
    return render_page(request, "source.html", principal, source=source,
                       health=compute_health(source))


@router.post("/sources/{source_id}")
def edit_source(source_id: int, session: SessionDep, principal: DeskDep,
                csrf_token: FormText = "", name: FormText = "", url: FormText = "",
                kind: FormText = "", interval_minutes: FormText = "30",
                enabled: FormText = "") -> Response:
    require_admin(principal, csrf_token)
    repo = CatalogRepository(session)
    current = repo.get_source(_checked(source_id))
    seconds = _interval(interval_minutes)
    checked = validated_source(name or current.name, url or current.url,
                               kind or current.kind, seconds, dict(current.options))
    change = SourceChange(name=checked.name, url=checked.url, kind=kind or None,
                          interval=timedelta(seconds=seconds), enabled=enabled == "1")
    repo.update_source(source_id, change, datetime.now(UTC))
    return RedirectResponse("/sources", status_code=303)


@router.post("/sources/{source_id}/toggle")
def toggle_source(source_id: int, session: SessionDep, principal: DeskDep,
                  csrf_token: FormText = "") -> Response:
    require_admin(principal, csrf_token)
    repo = CatalogRepository(session)
    source = repo.get_source(_checked(source_id))
    repo.update_source(source_id, SourceChange(enabled=not source.enabled), datetime.now(UTC))
    return RedirectResponse("/sources", status_code=303)


@router.post("/brands/new")
def add_brand(session: SessionDep, runtime: RuntimeDep, background: BackgroundTasks,
              principal: DeskDep, csrf_token: FormText = "", name: FormText = "",
              query: FormText = "") -> Response:
    require_admin(principal, csrf_token)
    if not name.strip() or not query.strip():
        raise InvalidInputError("a brand needs a name and a query")
    check_brand_query(query)
    brand = CatalogRepository(session).create_brand(name.strip()[:200], query, True,
                                                    datetime.now(UTC))
    saved_brand(session, runtime, background, brand, rematch=True)
    return RedirectResponse("/sources#brands", status_code=303)


@router.get("/brands/{brand_id}")
def brand_page(brand_id: int, request: Request, session: SessionDep, runtime: RuntimeDep,
               principal: DeskDep, try_query: str = "") -> Response:
    brand = CatalogRepository(session).get_brand(_checked(brand_id))
    preview, error = None, None
    if try_query.strip():
        from monitor.pipeline.preview import preview_query

        session.commit()  # the preview reads in its own session
        try:
            preview = preview_query(runtime, try_query[:10_000])
        except ValueError as exc:
            error = str(exc)
    return render_page(request, "brand.html", principal, brand=brand, preview=preview,
                       preview_error=error, try_query=try_query or brand.query)


@router.post("/brands/{brand_id}")
def edit_brand(brand_id: int, session: SessionDep, runtime: RuntimeDep,
               background: BackgroundTasks, principal: DeskDep, csrf_token: FormText = "",
               name: FormText = "", query: FormText = "", enabled: FormText = "") -> Response:
    require_admin(principal, csrf_token)
    if query.strip():
        check_brand_query(query)
    repo = CatalogRepository(session)
    change = BrandChange(name=name.strip()[:200] or None, query=query if query.strip() else None,
                         enabled=enabled == "1")
    rematch = repo.update_brand(_checked(brand_id), change, datetime.now(UTC))
    saved_brand(session, runtime, background, repo.get_brand(brand_id), rematch=rematch)
    return RedirectResponse("/sources#brands", status_code=303)


def _checked(value: int) -> int:
    if not 0 < value < 2**31:
        raise InvalidInputError("no such item")
    return value
