"""The preview as an ASGI app: a landing page, Swagger UI, ReDoc, the bundled spec and its status.

/                the landing page: links to both UIs and the spec, and the problems
/swagger /redoc  the two UIs, re-rendered in place when the spec changes
/openapi.json    the last good bundled document (every `$ref` local), with an ETag
/status          what the pages poll (with If-None-Match): the document's version, problems
/assets/...      Swagger UI and ReDoc from the fastapi-offline package, and the preview's
                 own script and style: nothing is fetched from a CDN
"""

from __future__ import annotations

import contextlib
import html
from collections.abc import AsyncIterator
from importlib.resources import files
from pathlib import Path
from string import Template

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .preview import Preview, Served
from .watch import Watcher

HERE = Path(__file__).parent
VENDOR = Path(str(files("fastapi_offline") / "static"))  # swagger-ui-bundle.js, redoc.standalone.js
# Each UI: its name, its bundle and stylesheet in fastapi_offline's static folder.
UIS = {
    "swagger": ("Swagger UI", "swagger-ui-bundle.js", "swagger-ui.css"),
    "redoc": ("ReDoc", "redoc.standalone.js", ""),
}


def pages(spec: Path) -> dict[str, str]:
    """The landing page and a page for each UI; every asset they name is under /assets."""

    def fill(template: str, **values: str) -> str:
        text = (HERE / "pages" / template).read_text(encoding="utf-8")
        return Template(text).substitute(spec=html.escape(str(spec)), **values)

    built = {"index": fill("index.html")}
    for ui, (name, bundle, css) in UIS.items():
        link = f'<link rel="stylesheet" href="/assets/vendor/{css}">\n' if css else ""
        built[ui] = fill("ui.html", ui=ui, name=name, bundle=bundle, stylesheet=link)
    return built


def _conditional(served: Served, request: Request) -> Response:
    # no-cache: the browser may keep a copy but asks each time, and gets a 304 when it is current.
    headers = {"ETag": served.etag, "Cache-Control": "no-cache"}
    if served.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(served.body, media_type="application/json", headers=headers)


def build_app(preview: Preview, watcher: Watcher | None = None) -> Starlette:
    """The app serving `preview`; `watcher`, when given, runs while the app does."""
    built = pages(preview.spec)

    async def openapi(request: Request) -> Response:
        document = preview.document()
        if document is None:
            problem = {
                "type": "about:blank",
                "title": "No document yet",
                "status": 503,
                "detail": f"{preview.spec} has not been read successfully yet; see /status",
            }
            return JSONResponse(problem, status_code=503, media_type="application/problem+json")
        return _conditional(document, request)

    async def status(request: Request) -> Response:
        return _conditional(preview.status(), request)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if watcher is not None:
            watcher.start()
        try:
            yield
        finally:
            if watcher is not None:
                watcher.stop()

    async def to_swagger(request: Request) -> Response:
        return RedirectResponse("/swagger")

    def page_route(path: str, name: str) -> Route:
        async def endpoint(request: Request) -> Response:
            return HTMLResponse(built[name])

        return Route(path, endpoint, methods=["GET"])

    routes = [
        page_route("/", "index"),
        page_route("/swagger", "swagger"),
        page_route("/redoc", "redoc"),
        Route("/docs", to_swagger, methods=["GET"]),  # where FastAPI users look first
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/status", status, methods=["GET"]),
        Mount("/assets/vendor", StaticFiles(directory=VENDOR), name="vendor"),
        Mount("/assets/preview", StaticFiles(directory=HERE / "static"), name="preview"),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
