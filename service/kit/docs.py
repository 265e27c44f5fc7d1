"""The contract as /openapi.json (the spec file itself) and its docs, Swagger UI and ReDoc, offline."""

# The docs' assets are the static files inside the fastapi_offline package: no CDN, ever.
# The docs read their own copy of the contract, /docs/openapi.json, whose first server is the
# origin they are served from, so that "Try it out" calls this server whatever its host and
# port; /openapi.json stays the spec file byte for byte, with its documented servers.
# /openapi/{version}.json is the contract of each served version, for a partner pinned to one.

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from importlib.resources import files
from pathlib import Path

import orjson
import yaml
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from service.kit.problems import NotFound

STATIC_URL = "/static/docs"
OPENAPI_URL = "/openapi.json"
DOCS_OPENAPI_URL = "/docs/openapi.json"
VERSIONED_OPENAPI_URL = "/openapi/{version}.json"
THIS_SERVER = "This server: the origin these docs are served from"


def read_document(path: Path) -> object:
    """A YAML (or JSON) document, parsed with libyaml when it is there."""
    with path.open("rb") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_spec(path: Path) -> bytes:
    """The spec file as JSON bytes, read once at start-up."""
    return orjson.dumps(read_document(path))


@functools.lru_cache(maxsize=64)
def _release_json(path: Path, _mtime_ns: int) -> bytes:
    # Releases never change: each is parsed once per process, not once per app.
    return load_spec(path)


def served_contracts(spec_json: bytes, releases: Path, served: Collection[str]) -> dict[str, bytes]:
    """Each served version's contract as JSON bytes: its file in `releases`, and for the spec's
    own version the spec (the newest, which may not be released yet)."""
    contracts = {
        path.stem: _release_json(path, path.stat().st_mtime_ns)
        for path in sorted(releases.glob("*.yaml"))
        if path.stem in served
    }
    contracts[orjson.loads(spec_json)["info"]["version"]] = spec_json
    return contracts


def docs_document(spec_json: bytes, root_path: str) -> bytes:
    """The contract as the docs read it: this server first, then the spec's own servers."""
    document = orjson.loads(spec_json)
    here = {"url": root_path or "/", "description": THIS_SERVER}
    document["servers"] = [here, *document.get("servers", [])]
    _type_discriminated_unions(document)
    return orjson.dumps(document)


def _type_discriminated_unions(node: object) -> None:
    """State the type a discriminated union already implies (object, or null when a branch is
    null): ReDoc shows an untyped one as `any`. Only the docs' copy; the meaning is the same.
    Not in the spec itself, where openapi-typescript would turn it into `Record<string, never>`."""
    if isinstance(node, dict):
        branches = node.get("oneOf", node.get("anyOf"))
        if "discriminator" in node and "type" not in node and isinstance(branches, list):
            nullable = any(branch == {"type": "null"} for branch in branches)
            node["type"] = ["object", "null"] if nullable else "object"
        for value in node.values():
            _type_discriminated_unions(value)
    elif isinstance(node, list):
        for value in node:
            _type_discriminated_unions(value)


def install_docs(
    app: FastAPI, spec_json: bytes, *, title: str, contracts: Mapping[str, bytes]
) -> None:
    static = Path(str(files("fastapi_offline") / "static"))
    # The Swagger bundle is 1.5 MB: compressed on the way out, cached by the browser (ETag).
    assets = GZipMiddleware(StaticFiles(directory=static), compresslevel=6)
    app.mount(STATIC_URL, assets, name="docs-static")
    by_root_path: dict[str, bytes] = {}  # root_path is the server's setting, not the client's

    async def openapi() -> Response:
        return Response(spec_json, media_type="application/json")

    async def versioned_openapi(version: str) -> Response:
        contract = contracts.get(version)
        if contract is None:
            served = ", ".join(contracts)
            raise NotFound(f"No contract of version {version[:40]!r}; this server serves {served}.")
        return Response(contract, media_type="application/json")

    async def docs_openapi(request: Request) -> Response:
        root_path = request.scope.get("root_path", "")
        if root_path not in by_root_path:
            by_root_path[root_path] = docs_document(spec_json, root_path)
        return Response(by_root_path[root_path], media_type="application/json")

    async def swagger_ui(request: Request) -> HTMLResponse:
        prefix = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=prefix + DOCS_OPENAPI_URL,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{prefix}{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{prefix}{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{prefix}{STATIC_URL}/favicon.png",
            # The online validator badge would call out to swagger.io; docs stay offline.
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def redoc(request: Request) -> HTMLResponse:
        prefix = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=prefix + DOCS_OPENAPI_URL,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{prefix}{STATIC_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{prefix}{STATIC_URL}/favicon.png",
            with_google_fonts=False,
        )

    app.add_api_route(OPENAPI_URL, openapi, methods=["GET"], include_in_schema=False)
    app.add_api_route(DOCS_OPENAPI_URL, docs_openapi, methods=["GET"], include_in_schema=False)
    app.add_api_route(
        VERSIONED_OPENAPI_URL, versioned_openapi, methods=["GET"], include_in_schema=False
    )
    app.add_api_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
