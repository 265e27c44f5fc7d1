"""The contract as /openapi.json (the spec file itself) and its docs, Swagger UI and ReDoc, offline."""

# The docs' assets are the static files inside the fastapi_offline package: no CDN, ever.

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import orjson
import yaml
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse, Response

STATIC_URL = "/static/docs"
OPENAPI_URL = "/openapi.json"


def load_spec(path: Path) -> bytes:
    """The spec file as JSON bytes, read once at start-up."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open("rb") as handle:
        document = yaml.load(handle, Loader=loader)
    return orjson.dumps(document)


def install_docs(app: FastAPI, spec_json: bytes, *, title: str) -> None:
    static = Path(str(files("fastapi_offline") / "static"))
    app.mount(STATIC_URL, StaticFiles(directory=static), name="docs-static")

    async def openapi() -> Response:
        return Response(spec_json, media_type="application/json")

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=OPENAPI_URL,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            # The online validator badge would call out to swagger.io; docs stay offline.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=OPENAPI_URL,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route(OPENAPI_URL, openapi, methods=["GET"], include_in_schema=False)
    app.add_api_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
