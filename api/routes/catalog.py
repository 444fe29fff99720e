"""The configured brands and sources, with each source's fetch health."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import KeyDep, SessionDep
from api.schemas import BrandOut, SourceOut
from monitor.db.models import Source
from monitor.db.repositories import BrandRepository, SourceRepository

router = APIRouter(prefix="/api/v1", tags=["configuration"])


@router.get("/brands", response_model=list[BrandOut])
def list_brands(session: SessionDep, _key: KeyDep) -> list[BrandOut]:
    return [BrandOut.model_validate(b) for b in BrandRepository(session).list_all()]


@router.get("/sources", response_model=list[SourceOut])
def list_sources(session: SessionDep, _key: KeyDep) -> list[SourceOut]:
    return [source_out(s) for s in SourceRepository(session).list_all()]


def source_out(source: Source) -> SourceOut:
    return SourceOut(
        id=source.id, name=source.name, url=source.url, kind=source.kind, enabled=source.enabled,
        interval_seconds=source.interval_s, last_fetched_at=source.last_fetched_at,
        last_status=source.last_status, last_error=source.last_error,
        error_count=source.error_count, next_check_at=source.next_check_at,
    )
