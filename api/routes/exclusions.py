"""Muting a thread, an author or a site: future mentions are hidden, past ones on request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from api.deps import ReadDep, SessionDep, WriteDep
from api.schemas import (
    ERROR_RESPONSES,
    ExclusionIn,
    ExclusionKind,
    ExclusionOut,
    ExclusionPreviewOut,
)
from monitor.db.models import Brand
from monitor.db.models_desk import Exclusion
from monitor.db.repositories import BrandRepository, MentionRepository
from monitor.db.repositories.catalog import CatalogRepository
from monitor.db.repositories.exclusions import (
    ExclusionRepository,
    ExclusionRule,
    as_rule,
    normalise_value,
)
from monitor.errors import InvalidInputError

router = APIRouter(prefix="/api/v1", tags=["exclusions"], responses=ERROR_RESPONSES)
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


class MuteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "author", "all_brands": False, "hide_past": True, "dry_run": True}]})

    kind: ExclusionKind
    all_brands: bool = Field(default=False, description="mute for every brand, not only "
                                                        "this mention's")
    hide_past: bool = False
    dry_run: bool = Field(default=False, description="only count what would be hidden")


class MuteOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"kind": "author", "value": "spambot42", "would_hide": 17, "exclusion": None}]})

    kind: ExclusionKind
    value: str
    would_hide: int
    exclusion: ExclusionOut | None = Field(description="null on a dry run")


@router.get("/exclusions", response_model=list[ExclusionOut], summary="Muted threads, "
            "authors and sites")
def list_exclusions(session: SessionDep, _who: ReadDep) -> list[ExclusionOut]:
    brands = {b.id: b.name for b in _brands(session)}
    return [exclusion_out(row, brands) for row in ExclusionRepository(session).list_all()]


@router.post("/exclusions/preview", response_model=ExclusionPreviewOut,
             summary="Dry run: how many stored mentions a rule would hide")
def preview_exclusion(body: ExclusionIn, session: SessionDep, _who: ReadDep
                      ) -> ExclusionPreviewOut:
    rule = _rule(session, body.kind, body.value, body.brand)
    count = ExclusionRepository(session).count_matching(rule)
    return ExclusionPreviewOut(kind=body.kind, value=rule.value, would_hide=count)


@router.post("/exclusions", response_model=ExclusionOut, status_code=201,
             summary="Mute a thread, author or site")
def create_exclusion(body: ExclusionIn, session: SessionDep, who: WriteDep) -> ExclusionOut:
    brand_id = _brand_id(session, body.brand)
    return _create(session, body.kind, body.value, brand_id, body.hide_past, who.id)


@router.delete("/exclusions/{exclusion_id}", status_code=204, response_class=Response,
               summary="Unmute: the mentions it hid come back")
def delete_exclusion(exclusion_id: RowId, session: SessionDep, _who: WriteDep) -> Response:
    ExclusionRepository(session).delete(exclusion_id)
    return Response(status_code=204)


@router.post("/mentions/{mention_id}/mute", response_model=MuteOut,
             summary="Mute this mention's thread, author or site", tags=["mentions"])
def mute_from_mention(mention_id: RowId, body: MuteIn, session: SessionDep, who: WriteDep
                      ) -> MuteOut:
    """With `dry_run`, nothing is stored: `would_hide` says how many past mentions match."""
    row = MentionRepository(session).get_row(mention_id)
    value = _value_of(body.kind, row.document.url, row.document.author, row.document.thread_url)
    brand_id = None if body.all_brands else row.brand.id
    rule = ExclusionRule(0, body.kind, normalise_value(body.kind, value), brand_id)
    would_hide = ExclusionRepository(session).count_matching(rule)
    if body.dry_run:
        return MuteOut(kind=body.kind, value=rule.value, would_hide=would_hide, exclusion=None)
    created = _create(session, body.kind, value, brand_id, body.hide_past, who.id)
    return MuteOut(kind=body.kind, value=rule.value, would_hide=would_hide, exclusion=created)


def _value_of(kind: str, url: str, author: str | None, thread_url: str | None) -> str:
    if kind == "author":
        if not author:
            raise InvalidInputError("this mention has no author to mute")
        return author
    return (thread_url or url) if kind == "thread" else url


def _create(session: Session, kind: str, value: str, brand_id: int | None, hide_past: bool,
            created_by: str) -> ExclusionOut:
    repo = ExclusionRepository(session)
    row = repo.create(kind, value, brand_id, created_by, datetime.now(UTC))
    hidden = repo.hide_matching(as_rule(row)) if hide_past else 0
    return exclusion_out(row, {b.id: b.name for b in _brands(session)}, hidden)


def _rule(session: Session, kind: str, value: str, brand: str | None) -> ExclusionRule:
    return ExclusionRule(0, kind, normalise_value(kind, value), _brand_id(session, brand))


def _brand_id(session: Session, brand: str | None) -> int | None:
    if not brand:
        return None
    row = CatalogRepository(session).brand_by_name(brand)
    if row is None:
        raise InvalidInputError(f"no brand named {brand!r}")
    return row.id


def _brands(session: Session) -> list[Brand]:
    return BrandRepository(session).list_all()


def exclusion_out(row: Exclusion, brands: dict[int, str], hidden: int = 0) -> ExclusionOut:
    return ExclusionOut(
        id=row.id, kind=row.kind,
        value=row.value, brand=brands.get(row.brand_id) if row.brand_id else None,
        created_by=row.created_by, created_at=row.created_at, hidden=hidden,
    )
