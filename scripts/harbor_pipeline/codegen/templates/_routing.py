"""The route class of the generated routers: FastAPI's APIRoute, with a leaner request path.

FastAPI handles every request generically: it walks the endpoint's dependency tree, computes
cache keys, builds a throwaway Response for dependencies that might want one, and parses the
body's media type with the email package. A generated endpoint needs little of that: its
dependencies take only the request (the security hook, the media type guard), and its
parameters are plain path, query, header and cookie values and at most one JSON body. For such
an endpoint `FastRoute` compiles, once, a handler that does exactly that work, with FastAPI's
own field validators, so values and errors (`RequestValidationError`, same `loc`, `type` and
`msg`) are the same as FastAPI's. Anything else (sequences, forms, dependencies with parameters
of their own, overridden dependencies, an include that adds dependencies) takes FastAPI's
handler; so does every route when this FastAPI lacks a helper used here.

`CompiledDispatch` goes one step further for the hot path: added as the app's innermost
middleware, it matches the request against the router's routes itself and, when the route is a
compiled `FastRoute`, runs its handler directly, mapping exceptions with the handlers of the
app's own `ExceptionMiddleware` (the one just under it). That spares FastAPI's exception layer,
its exit stack, the router's dispatch and the route's wrapper on every such request. Anything
else (no match, a partial match, a route that is not compiled, overridden dependencies,
telemetry on, router middleware) goes down FastAPI's stack unchanged, so docs, overrides and
third-party routes and middleware behave as without it.
"""

import inspect
import json
from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any

from fastapi import HTTPException, params
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.requests import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.routing import Match
from starlette.types import ASGIApp, Receive, Scope, Send

try:
    from fastapi._compat import ModelField, Undefined, field_annotation_is_sequence
    from fastapi.dependencies.utils import _get_param_aliases, _validate_value_with_model_field
    from fastapi.routing import (
        _effective_route_context_var,
        _get_scope_effective_route_context,
        _update_scope,
    )
    from starlette._exception_handler import _lookup_exception_handler
    from starlette._utils import is_async_callable

    _LEAN = True
except ImportError:  # another FastAPI: every route keeps FastAPI's own handler
    _LEAN = False

Handler = Callable[[Request], Coroutine[Any, Any, Response]]
Source = Callable[[Request], Mapping[str, Any]]


def _path(request: Request) -> Mapping[str, Any]:
    return request.path_params


def _query(request: Request) -> Mapping[str, Any]:
    return request.query_params


def _header(request: Request) -> Mapping[str, Any]:
    return request.headers


def _cookie(request: Request) -> Mapping[str, Any]:
    return request.cookies


_SOURCES: dict[params.ParamTypes, Source] = {
    params.ParamTypes.path: _path,
    params.ParamTypes.query: _query,
    params.ParamTypes.header: _header,
    params.ParamTypes.cookie: _cookie,
}


class FastRoute(APIRoute):
    """An APIRoute whose simple endpoints skip FastAPI's generic dependency solving."""

    _fast: Handler | None = None

    # The compiled handler when the route's ASGI app is the lean one (what CompiledDispatch runs).
    direct: Handler | None = None

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        if self._fast is not None and kwargs.get("max_body_size") is None:
            self.app = _lean_app(self._fast, self.app, self.dependency_overrides_provider)
            self.direct = self._fast

    def get_route_handler(self) -> Handler:
        generic = super().get_route_handler()
        if not _LEAN or _effective_route_context_var.get() is not None:
            return generic  # included with a context of its own (prefix, dependencies ...)
        fast = _compile(self.dependant, embed_body=self._embed_body_fields)
        if fast is None:
            return generic
        self._fast = fast
        overrides = self.dependency_overrides_provider

        async def handle(request: Request) -> Response:
            if _overridden(overrides):
                return await generic(request)
            return await fast(request)

        return handle


def _overridden(provider: Any) -> bool:
    return provider is not None and bool(getattr(provider, "dependency_overrides", None))


def _lean_app(fast: Handler, generic: ASGIApp, overrides: Any) -> ASGIApp:
    """The route's ASGI app for a compiled handler. FastAPI's wraps every request in two exit
    stacks (for dependencies with yield and uploaded files, which a compiled handler never
    has) and in an exception handler of its own (the app's ExceptionMiddleware, which every
    FastAPI app has, runs the same handlers one layer out)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if _overridden(overrides):
            await generic(scope, receive, send)
            return
        response = await fast(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def _coroutine(call: Callable[..., Any] | None) -> bool:
    """An async function, or an object whose __call__ is one (a security object)."""
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None)  # noqa: B004 - the method itself, not callable()
    )


def _simple_dependency(sub: Dependant) -> bool:
    """A coroutine that takes the request at most, as the security hook and the guard do."""
    fields = (sub.path_params, sub.query_params, sub.header_params, sub.cookie_params)
    return (
        _coroutine(sub.call)
        and not any(fields)
        and not sub.body_params
        and not sub.dependencies
        and sub.websocket_param_name is None
        and sub.http_connection_param_name is None
        and sub.response_param_name is None
        and sub.background_tasks_param_name is None
        and sub.security_scopes_param_name is None
    )


def _scalar(field: ModelField) -> bool:
    return not field_annotation_is_sequence(field.field_info.annotation)


def _compile(dependant: Dependant, *, embed_body: bool) -> Handler | None:
    """The lean handler of `dependant`, or None when it needs FastAPI's generic one."""
    endpoint = dependant.call
    if (
        endpoint is None
        or not inspect.iscoroutinefunction(endpoint)
        or not all(_simple_dependency(sub) for sub in dependant.dependencies)
        or dependant.request_param_name is not None
        or dependant.websocket_param_name is not None
        or dependant.http_connection_param_name is not None
        or dependant.response_param_name is not None
        or dependant.background_tasks_param_name is not None
        or dependant.security_scopes_param_name is not None
        or len(dependant.body_params) > 1
        or embed_body
    ):
        return None
    fields = [
        *dependant.path_params,
        *dependant.query_params,
        *dependant.header_params,
        *dependant.cookie_params,
    ]
    if not all(_scalar(field) for field in fields):
        return None
    body_field = dependant.body_params[0] if dependant.body_params else None
    if body_field is not None and (
        type(body_field.field_info) is not params.Body or not _scalar(body_field)
    ):
        return None
    readers = []
    for field in fields:
        info = field.field_info
        assert isinstance(info, params.Param)
        keys = [key for _, key in _get_param_aliases(field)]
        readers.append((field, _SOURCES[info.in_], info.in_.value, keys))
    dependencies: list[tuple[str | None, Callable[..., Any], str | None]] = [
        (sub.name, sub.call, sub.request_param_name)
        for sub in dependant.dependencies
        if sub.call is not None
    ]

    async def handle(request: Request) -> Response:
        values: dict[str, Any] = {}
        for name, call, takes_request in dependencies:
            result = await (call(**{takes_request: request}) if takes_request else call())
            if name is not None:
                values[name] = result
        errors: list[Any] = []
        for field, source, where, keys in readers:
            received = source(request)
            key = keys[0] if len(keys) == 1 else next((k for k in keys if k in received), keys[0])
            value = received.get(key)
            value, problems = _validate_value_with_model_field(
                field=field,
                value=Undefined if value is None else value,
                values=values,
                loc=(where, key),
            )
            if problems:
                errors.extend(problems)
            else:
                values[field.name] = value
        body: Any = Undefined
        if body_field is not None:
            body = await _json_body(request)
            value, problems = _validate_value_with_model_field(
                field=body_field, value=body, values=values, loc=("body",)
            )
            if problems:
                errors.extend(problems)
            else:
                values[body_field.name] = value
        if errors:
            raise RequestValidationError(errors, body=None if body is Undefined else body)
        response: Response = await endpoint(**values)
        return response

    return handle


async def _json_body(request: Request) -> Any:
    """The body as FastAPI reads it: parsed when its media type is JSON, else its bytes."""
    raw = await request.body()
    if not raw:
        return Undefined
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    main, _, sub = media.partition("/")
    if main != "application" or not (sub == "json" or sub.endswith("+json")):
        return raw
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", error.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": error.msg},
                }
            ],
            body=error.doc,
        ) from error
    except (ValueError, RecursionError) as error:
        # As FastAPI does for anything else the parser raises: bytes that are not UTF-8, an
        # integer longer than Python's digit limit, nesting deeper than the recursion limit.
        raise HTTPException(400, "There was an error parsing the body") from error


class CompiledDispatch:
    """ASGI middleware, the app's innermost (`app.add_middleware(CompiledDispatch,
    router=app.router)` before any other): compiled routes run straight from here."""

    def __init__(self, app: ASGIApp, *, router: Any) -> None:
        self.app = app
        self.router = router
        self._handlers: tuple[dict[Any, Any], dict[int, Any]] | None = None
        self._enabled = _LEAN and not getattr(router, "middleware", None)
        # method -> the routes that can fully match it, in the router's order; rebuilt when
        # the router's routes change (a route added or removed after start-up).
        self._by_method: dict[str, list[Any]] = {}
        self._routes_seen: list[Any] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._enabled or "fastapi.telemetry" in scope:
            await self.app(scope, receive, send)
            return
        found = self._match(scope)
        handlers = self._handlers or self._find_handlers()
        if found is None or handlers is None:
            await self.app(scope, receive, send)
            return
        _, child_scope, handle = found
        _update_scope(scope, child_scope)
        scope.setdefault("router", self.router)
        scope["starlette.exception_handlers"] = handlers
        request = Request(scope, receive, send)
        try:
            response: Response | None = await handle(request)
        except Exception as exc:
            response = await _handled(exc, request, handlers)
        if response is not None:
            await response(scope, receive, send)

    def _match(self, scope: Scope) -> tuple[Any, Scope, Handler] | None:
        """The route Starlette's router would choose, with its compiled handler, if it is a
        compiled FastRoute with no overridden dependencies; else None."""
        # Inside an included router's context a route may match with other methods: ask all.
        if _get_scope_effective_route_context(scope) is None:
            routes = self._candidates(scope["method"])
        else:
            routes = self.router.routes
        for route in routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                handle = getattr(route, "direct", None)
                if handle is None or _overridden(route.dependency_overrides_provider):
                    return None
                return route, child_scope, handle
        return None

    def _candidates(self, method: str) -> list[Any]:
        """The routes that may fully match `method`: a route with a method list as APIRoute's
        is at best a partial match for another method, which never decides here."""
        routes = self.router.routes
        if routes != self._routes_seen:
            self._routes_seen = list(routes)
            self._by_method = {}
        found = self._by_method.get(method)
        if found is None:
            found = self._by_method[method] = [
                route
                for route in routes
                if (methods := _plain_methods(route)) is None or method in methods
            ]
        return found

    def _find_handlers(self) -> tuple[dict[Any, Any], dict[int, Any]] | None:
        """The exception and status handlers of the ExceptionMiddleware this one wraps."""
        inner = self.app
        found = (
            getattr(inner, "_exception_handlers", None),
            getattr(inner, "_status_handlers", None),
        )
        if not isinstance(inner, ExceptionMiddleware) or None in found:
            # Not the innermost middleware (or a Starlette that keeps them elsewhere): never
            # shortcut, so every request takes FastAPI's own path.
            self._enabled = False
            return None
        self._handlers = (found[0], found[1])  # type: ignore[assignment]
        return self._handlers


def _plain_methods(route: Any) -> Collection[str] | None:
    """The methods of a route that matches as APIRoute does (a method it lacks is never a full
    match); None for any other route, which is always asked."""
    if type(route).matches is not APIRoute.matches or not getattr(route, "methods", None):
        return None
    methods: Collection[str] = route.methods
    return methods


async def _handled(
    exc: Exception, request: Request, handlers: tuple[dict[Any, Any], dict[int, Any]]
) -> Response | None:
    """What Starlette's exception wrapper answers for `exc` (the response has not started:
    a compiled handler returns its response before anything is sent); re-raised when no
    handler takes it."""
    exception_handlers, status_handlers = handlers
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else None
    handler: Any = status_handlers.get(status) if status is not None else None
    if handler is None:
        handler = _lookup_exception_handler(exception_handlers, exc)
    if handler is None:
        raise exc
    if is_async_callable(handler):
        response: Response | None = await handler(request, exc)
    else:
        response = await run_in_threadpool(handler, request, exc)
    exc.__traceback__ = None  # as Starlette: a reused exception would keep growing its traceback
    return response
