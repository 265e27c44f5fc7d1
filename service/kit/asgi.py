"""The app class: FastAPI with the layers that would do nothing left out of its stack.

FastAPI wraps every app in an exception-telemetry layer and a body-limit layer, on every
request, whether telemetry is on or a body limit is set (Harbor bounds bodies itself, in
BodyLimitMiddleware, and turns telemetry on only with HARBOR_OPENTELEMETRY). Each is a
coroutine call and a try block per request. `LeanFastAPI` builds FastAPI's own stack and then
unlinks those two layers when they cannot act: telemetry's when tracing, metrics and logs are
all off; the body limit's when neither the app nor any route has a `max_body_size` when the
stack is built (on the first request). Every other layer stays as FastAPI builds it.
"""

from __future__ import annotations

from typing import Any, cast

from fastapi import FastAPI
from fastapi._body_limit import AppBodyLimitMiddleware
from fastapi.telemetry._asgi import ExceptionTelemetryMiddleware
from starlette.types import ASGIApp


class LeanFastAPI(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        idle = self._idle_layers()
        layers: list[Any] = []
        node: Any = super().build_middleware_stack()
        while node is not self.router and hasattr(node, "app"):
            layers.append(node)
            node = node.app
        kept = [layer for layer in layers if not isinstance(layer, idle)]
        for outer, inner in zip(kept, [*kept[1:], node], strict=True):
            outer.app = inner
        return cast(ASGIApp, kept[0] if kept else node)

    def _idle_layers(self) -> tuple[type, ...]:
        idle: list[type] = []
        telemetry = getattr(self, "_telemetry", None)
        if telemetry is not None and not any(
            telemetry.get(kind) for kind in ("tracing", "metrics", "logs")
        ):
            idle.append(ExceptionTelemetryMiddleware)
        limits = [getattr(route, "max_body_size", None) for route in self.router.routes]
        if self.max_body_size is None and all(limit is None for limit in limits):
            idle.append(AppBodyLimitMiddleware)
        return tuple(idle)
