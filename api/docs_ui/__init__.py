"""Interactive API documentation served entirely from this machine.

FastAPI's default /docs page loads Swagger UI from a CDN and needs an inline script; this one
serves the assets shipped in the ``swagger-ui-bundle-v2`` package and starts them from a
static file, so it works offline and under the dashboard's strict Content-Security-Policy.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/docs/assets"
HERE = Path(__file__).parent
router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs_page() -> HTMLResponse:
    return HTMLResponse((HERE / "docs.html").read_text(encoding="utf-8"))


@router.get("/docs/start.js")
def docs_start_script() -> Response:
    return Response((HERE / "start.js").read_text(encoding="utf-8"),
                    media_type="text/javascript")


def install_docs(app: FastAPI) -> None:
    """/docs and its assets; the schema itself stays at /openapi.json."""
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
