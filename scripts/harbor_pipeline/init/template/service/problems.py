"""Every error answered as application/problem+json (RFC 9457), as the spec declares."""

from __future__ import annotations

import logging
from http import HTTPStatus
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

MEDIA_TYPE = "application/problem+json"
# RFC 3986 path characters: `instance` is a uri-reference, so the decoded path is encoded again.
_PATH_SAFE = "/:@!$&'()*+,;=-._~"
log = logging.getLogger(__name__)


def problem(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": quote(request.url.path, safe=_PATH_SAFE),
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _invalid(error: RequestValidationError) -> tuple[int, str]:
    """422 for a body that breaks its schema, 400 for a bad parameter (the spec's split)."""
    errors = error.errors()
    status = 422 if errors and all(e["loc"][:1] == ("body",) for e in errors) else 400
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return status, detail or "The request is invalid."


def _allowed_methods(request: Request) -> str:
    """Every method served at the request's path: Starlette's 405 names only the first route's."""
    methods = {
        method
        for route in request.app.routes
        if isinstance(route, APIRoute) and route.path_regex.match(request.url.path)
        for method in route.methods
    }
    return ", ".join(sorted(methods))


def install_problem_handlers(app: FastAPI) -> None:
    async def http_error(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            headers["Allow"] = _allowed_methods(request)
        return problem(request, error.status_code, str(error.detail), headers)

    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return problem(request, *_invalid(error))

    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(request, 500, "The service failed to answer; retry later.")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(Exception, unexpected)
