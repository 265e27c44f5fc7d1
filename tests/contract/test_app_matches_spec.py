"""The assembled service app (real handlers, not `verify`'s 501 placeholders) serves the spec.

`make verify` proves the generated routers agree with the spec; this proves the app that
service.app builds from them does: no route added, lost or reshaped on the way, and the same
comparison (`harbor_pipeline.codegen.verify.compare`) over operations, parameters with their
constraints, request bodies, response statuses and security.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from harbor_pipeline.codegen.verify import compare
from service.app import SPEC_PATH, create_app
from service.kit.docs import DOCS_OPENAPI_URL, OPENAPI_URL, STATIC_URL, VERSIONED_OPENAPI_URL
from tests.fixtures.service import make_settings

# What the app serves besides the contract's operations: the contract and its docs.
DOCS_ROUTES = {
    (OPENAPI_URL, "GET"),
    (DOCS_OPENAPI_URL, "GET"),
    (VERSIONED_OPENAPI_URL, "GET"),
    ("/docs", "GET"),
    ("/redoc", "GET"),
}
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text())
    return document


@pytest.fixture(scope="module")
def service_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    # Building the app connects to nothing; the database file is never created.
    database = Path(tmp_path_factory.mktemp("contract")) / "unused.db"
    return create_app(make_settings(f"sqlite:///{database}"))


def derived_schema(app: FastAPI) -> dict[str, Any]:
    """What FastAPI derives from the app's routes (the app itself serves the spec file)."""
    return get_openapi(title=app.title, version=app.version, routes=app.routes)


def test_the_assembled_app_agrees_with_the_spec(spec, service_app):
    differences = list(compare(spec, derived_schema(service_app)))
    assert differences == []


def served_routes(app: FastAPI) -> Iterator[tuple[str, str, bool]]:
    """(path, method, in the derived schema) for every route, included routers flattened."""
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            assert context.path == STATIC_URL, f"unexpected mount {context.path}"
            continue
        for method in sorted(context.methods or ()):
            if method != "HEAD":  # Starlette answers HEAD wherever GET is served
                yield context.path or "", method, bool(getattr(context, "include_in_schema", False))


def test_every_route_the_app_serves_is_in_the_spec_or_is_the_docs(spec, service_app):
    declared = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    }
    served = {(path, method) for path, method, _ in served_routes(service_app)}
    assert served - DOCS_ROUTES == declared


def test_the_derived_schema_hides_no_operation(service_app):
    """Every operation route is in the derived schema, so the comparison above sees it."""
    hidden = [
        (path, method)
        for path, method, in_schema in served_routes(service_app)
        if not in_schema and (path, method) not in DOCS_ROUTES
    ]
    assert hidden == []


async def test_a_405_allows_exactly_the_methods_the_spec_gives_the_path(spec, service_app):
    transport = httpx.ASGITransport(app=service_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://harbor.test") as client:
        for path, item in spec["paths"].items():
            declared = sorted(m.upper() for m in HTTP_METHODS if m in item)
            url = re.sub(r"\{[^}]+\}", "0193a5b2-7c4e-7d1a-9f3b-2c4d5e6f7a8b", path)
            response = await client.request("PATCH", url)
            assert response.status_code == 405, path
            assert response.headers["allow"] == ", ".join(declared), path
