"""Liveness with the database's state; the one route without an API key."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from api.deps import get_runtime
from api.errors import RETRY_AFTER
from api.schemas import HealthOut
from monitor.db.engine import check_database
from monitor.errors import DatabaseError
from monitor.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=HealthOut, responses={503: {"model": HealthOut}},
            summary="Liveness and whether the database answers (no key needed)")
def healthz(runtime: Annotated[Runtime, Depends(get_runtime)]) -> JSONResponse:
    try:
        check_database(runtime.engine)
    except DatabaseError as exc:
        # The reason names hosts and roles: it goes to the log, not to anonymous callers.
        log.warning("health check failed", extra={"reason": str(exc)})
        body = HealthOut(status="degraded", database="unavailable",
                         detail="the database does not answer; see the service log")
        return JSONResponse(body.model_dump(), status_code=503, headers=RETRY_AFTER)
    return JSONResponse(HealthOut(status="ok", database="ok").model_dump())
