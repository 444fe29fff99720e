"""Saved views: each person's named inbox filters."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import ReadDep, SessionDep
from api.schemas import ERROR_RESPONSES, ViewIn, ViewOut
from monitor.db.repositories.views import ViewRepository

router = APIRouter(prefix="/api/v1", tags=["saved views"], responses=ERROR_RESPONSES)
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@router.get("/views", response_model=list[ViewOut], summary="My saved views")
def list_views(session: SessionDep, who: ReadDep) -> list[ViewOut]:
    return [ViewOut.model_validate(v) for v in ViewRepository(session).list_for(who.id)]


@router.post("/views", response_model=ViewOut, status_code=201,
             summary="Save a view (a view of the same name is replaced)")
def save_view(body: ViewIn, session: SessionDep, who: ReadDep) -> ViewOut:
    view = ViewRepository(session).save(who.id, body.name.strip() or "view", body.params,
                                        datetime.now(UTC))
    return ViewOut.model_validate(view)


@router.delete("/views/{view_id}", status_code=204, response_class=Response,
               summary="Delete one of my saved views")
def delete_view(view_id: RowId, session: SessionDep, who: ReadDep) -> Response:
    ViewRepository(session).delete(who.id, view_id)
    return Response(status_code=204)
