"""Brands and sources: listed with read scope, changed with admin scope, live at the next cycle.

The collection cycle reloads brands and sources from the database, so nothing needs a restart.
Rows from the config file (``from_config``) may be disabled here but are deleted only there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Path, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from api.deps import AdminDep, ReadDep, RuntimeDep, SessionDep, WriteDep
from api.schemas import (
    ERROR_RESPONSES,
    BrandIn,
    BrandOut,
    BrandPatchIn,
    BrandSavedOut,
    PreviewIn,
    PreviewOut,
    PreviewSampleOut,
    SourceIn,
    SourceOut,
    SourcePatchIn,
    SourceSuggestionOut,
)
from collectors import registry
from monitor.config import SourceSettings
from monitor.db.models import Brand, Source
from monitor.db.repositories import BrandRepository, SourceRepository
from monitor.db.repositories.catalog import BrandChange, CatalogRepository, SourceChange
from monitor.domain.matching import check_query
from monitor.domain.source_health import compute_source_health
from monitor.errors import InvalidInputError
from monitor.runtime import Runtime

router = APIRouter(prefix="/api/v1", tags=["configuration"], responses=ERROR_RESPONSES)
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/brands", response_model=list[BrandOut], summary="The brands being watched")
def list_brands(session: SessionDep, _who: ReadDep) -> list[BrandOut]:
    return [BrandOut.model_validate(b) for b in BrandRepository(session).list_all()]


@router.get("/brands/{brand_id}", response_model=BrandOut, summary="One brand")
def get_brand(brand_id: RowId, session: SessionDep, _who: ReadDep) -> BrandOut:
    return BrandOut.model_validate(CatalogRepository(session).get_brand(brand_id))


@router.post("/brands", response_model=BrandSavedOut, status_code=201,
             summary="Watch a new brand; past documents are matched in the background")
def create_brand(body: BrandIn, session: SessionDep, runtime: RuntimeDep,
                 background: BackgroundTasks, _who: AdminDep) -> BrandSavedOut:
    """A query that does not parse is a 422 whose message names the position."""
    check_brand_query(body.query)
    brand = CatalogRepository(session).create_brand(
        body.name.strip(), body.query, body.enabled, datetime.now(UTC))
    return saved_brand(session, runtime, background, brand, rematch=body.enabled)


@router.patch("/brands/{brand_id}", response_model=BrandSavedOut,
              summary="Rename, change the query of, enable or disable a brand")
def update_brand(brand_id: RowId, body: BrandPatchIn, session: SessionDep, runtime: RuntimeDep,
                 background: BackgroundTasks, _who: AdminDep) -> BrandSavedOut:
    """A new query re-matches the stored documents in the background."""
    if body.query is not None:
        check_brand_query(body.query)
    change = BrandChange(name=body.name.strip() if body.name else None, query=body.query,
                         enabled=body.enabled)
    repo = CatalogRepository(session)
    rematch = repo.update_brand(brand_id, change, datetime.now(UTC))
    return saved_brand(session, runtime, background, repo.get_brand(brand_id), rematch=rematch)


@router.delete("/brands/{brand_id}", status_code=204, response_class=Response,
               summary="Stop watching a brand and drop its mentions")
def delete_brand(brand_id: RowId, session: SessionDep, _who: AdminDep) -> Response:
    CatalogRepository(session).delete_brand(brand_id)
    return Response(status_code=204)


@router.post("/brands/preview", response_model=PreviewOut,
             summary="Try a query on the last 30 days of stored documents")
def preview_brand_query(body: PreviewIn, session: SessionDep, runtime: RuntimeDep,
                        _who: WriteDep) -> PreviewOut:
    from monitor.pipeline.preview import preview_query

    session.commit()  # the preview reads in its own session: SQLite allows one writer at a time
    try:
        preview = preview_query(runtime, body.query)
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    return PreviewOut(
        query=preview.query, last_7_days=preview.last_7_days, last_30_days=preview.last_30_days,
        samples=[PreviewSampleOut(url=s.url, title=s.title, snippet=s.snippet,
                                  published_at=s.published_at, sentiment=s.sentiment)
                 for s in preview.samples],
    )


def check_brand_query(query: str) -> None:
    try:
        check_query(query, registry.kind_names())
    except ValueError as exc:
        raise InvalidInputError(str(exc)) from None
    except RecursionError:
        raise InvalidInputError("invalid query: nested too deeply") from None


def saved_brand(session: Session, runtime: Runtime, background: BackgroundTasks, brand: Brand,
           *, rematch: bool) -> BrandSavedOut:
    out = BrandSavedOut.model_validate(brand)
    if rematch and brand.enabled:
        SourceRepository(session).make_due("search", datetime.now(UTC))  # back-fill now
        session.commit()  # the re-match runs in its own transactions and must see the change
        background.add_task(_rematch, runtime, brand.id)
        out.rematched = True
    return out


def _rematch(runtime: Runtime, brand_id: int) -> None:
    from monitor.pipeline.rematch import rematch_brand

    rematch_brand(runtime, brand_id)


@router.get("/sources", response_model=list[SourceOut],
            summary="Sources with their fetch health")
def list_sources(session: SessionDep, _who: ReadDep) -> list[SourceOut]:
    return [source_out(s) for s in SourceRepository(session).list_all()]


@router.get("/sources/suggestions", response_model=list[SourceSuggestionOut],
            summary="Sites that keep turning up in collected mentions, not followed yet")
def list_source_suggestions(runtime: RuntimeDep, _who: ReadDep) -> list[SourceSuggestionOut]:
    from monitor.pipeline.suggestions import suggest_sources

    return [SourceSuggestionOut(host=s.host, documents=s.documents, url=s.url,
                                samples=list(s.samples)) for s in suggest_sources(runtime)]


@router.get("/sources/{source_id}", response_model=SourceOut, summary="One source")
def get_source(source_id: RowId, session: SessionDep, _who: ReadDep) -> SourceOut:
    return source_out(CatalogRepository(session).get_source(source_id))


@router.post("/sources", response_model=SourceOut, status_code=201,
             summary="Add a source; it is fetched at the next cycle")
def create_source(body: SourceIn, session: SessionDep, _who: AdminDep) -> SourceOut:
    checked = validated_source(body.name, body.url, body.kind, body.interval_seconds,
                                body.options)
    now = datetime.now(UTC)
    source = CatalogRepository(session).create_source(
        checked.name, checked.url, checked.kind, checked.interval, body.enabled,
        checked.options, now)
    return source_out(source)


@router.patch("/sources/{source_id}", response_model=SourceOut,
              summary="Edit, enable or disable a source")
def update_source(source_id: RowId, body: SourcePatchIn, session: SessionDep, _who: AdminDep
                  ) -> SourceOut:
    repo = CatalogRepository(session)
    current = repo.get_source(source_id)
    checked = validated_source(
        body.name or current.name, body.url or current.url, body.kind or current.kind,
        body.interval_seconds or current.interval_s,
        body.options if body.options is not None else dict(current.options))
    change = SourceChange(
        name=checked.name if body.name else None, url=checked.url if body.url else None,
        kind=body.kind, enabled=body.enabled, options=body.options,
        interval=timedelta(seconds=body.interval_seconds) if body.interval_seconds else None,
    )
    now = datetime.now(UTC)
    return source_out(repo.update_source(source_id, change, now))


@router.delete("/sources/{source_id}", status_code=204, response_class=Response,
               summary="Delete a source with its documents and mentions")
def delete_source(source_id: RowId, session: SessionDep, _who: AdminDep) -> Response:
    CatalogRepository(session).delete_source(source_id)
    return Response(status_code=204)


def validated_source(name: str, url: str, kind: str | None, interval_s: int,
                      options: dict[str, str]) -> SourceSettings:
    """The same checks as a source in the config file, reported as a 422."""
    try:
        return SourceSettings(name=name.strip(), url=url.strip(), kind=kind,
                              interval=timedelta(seconds=interval_s), options=options)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: "
                            f"{str(e['msg']).removeprefix('Value error, ')}"
                            for e in exc.errors())
        raise InvalidInputError(f"invalid source: {reasons}") from None


def compute_health(source: Source) -> str:
    """ok, failing (the last fetch failed), pending (never fetched) or disabled."""
    return compute_source_health(source.enabled, source.last_fetched_at, source.error_count)


def source_out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id, name=source.name, url=source.url, kind=source.kind, enabled=source.enabled,
        interval_seconds=source.interval_s, options=dict(source.options),
        from_config=source.from_config, health=compute_health(source),
        last_fetched_at=source.last_fetched_at, last_status=source.last_status,
        last_error=source.last_error, error_count=source.error_count,
        next_check_at=source.next_check_at,
    )
