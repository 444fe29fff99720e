"""API keys: created (shown once), listed and revoked with the admin scope."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.deps import AdminDep, SessionDep, key_cache
from api.schemas import ERROR_RESPONSES, ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut
from monitor.db.repositories import ApiKeyRepository

router = APIRouter(prefix="/api/v1", tags=["api keys"], responses=ERROR_RESPONSES)
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/keys", response_model=list[ApiKeyOut], summary="Every API key (never the keys)")
def list_keys(session: SessionDep, _who: AdminDep) -> list[ApiKeyOut]:
    return [ApiKeyOut.model_validate(k) for k in ApiKeyRepository(session).list_all()]


@router.post("/keys", response_model=ApiKeyCreatedOut, status_code=201,
             summary="Create a key; the response holds it, this once")
def create_key(body: ApiKeyIn, session: SessionDep, _who: AdminDep) -> ApiKeyCreatedOut:
    repo = ApiKeyRepository(session)
    scopes: list[str] = [s for s in ("read", "write", "admin") if s in body.scopes]
    created = repo.create(body.name.strip() or "key", scopes, datetime.now(UTC))
    row = next(k for k in repo.list_all() if k.id == created.id)
    return ApiKeyCreatedOut(**ApiKeyOut.model_validate(row).model_dump(), key=created.key)


@router.delete("/keys/{key_id}", response_model=ApiKeyOut,
               summary="Revoke a key: it stops working at once, dashboard sessions too "
                       "(in other API worker processes within seconds)")
def revoke_key(key_id: RowId, session: SessionDep, _who: AdminDep,
               request: Request) -> ApiKeyOut:
    revoked = ApiKeyRepository(session).revoke(key_id, datetime.now(UTC))
    key_cache(request).forget(key_id)
    return ApiKeyOut.model_validate(revoked)
