"""The mock as an ASGI app: route, check credentials and input, answer from the spec.

Order of refusals, as a real server's layers would give them: unknown path 404, undocumented
method 405, missing credentials 401, invalid parameters 400, wrong Content-Type 415, invalid
body 422; then the preferred (or first success) response, from its example or its schema.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Mapping
from urllib.parse import unquote

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .document import Document, FieldError
from .examples import Answer
from .memory import Deleted
from .operations import Operation, operations, path_values
from .problems import PROBLEM_JSON, Preferences, counted, preferences, problem
from .validate import Sent, body_errors, missing_credentials, parameter_errors


class MockApp:
    """Serves every operation of `document`; the only state is which paths were deleted."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.operations = operations(document)
        self.deleted = Deleted()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = _problem_response(500, "The mock failed; its log has the traceback.")
        await response(scope, receive, send)

    async def answer(self, request: Request) -> Response:
        raw_path = request.scope.get("raw_path") or request.url.path.encode()
        path = raw_path.decode("latin-1").split("?", 1)[0]
        candidates = [(op, op.route.fullmatch(path)) for op in self.operations]
        matched = [(op, m) for op, m in candidates if m is not None]
        if not matched:
            return _problem_response(404, f"No operation of the spec serves {path}.")
        template = matched[0][0].path
        same_path = [(op, m) for op, m in matched if op.path == template]
        found = [(op, m) for op, m in same_path if op.method == request.method]
        if not found:
            allow = ", ".join(op.method for op, _ in same_path)
            detail = f"{request.method} is not documented for {template}; documented: {allow}."
            return _problem_response(405, detail, {"Allow": allow})
        operation, match = found[0]
        groups = {k: unquote(v, errors="replace") for k, v in match.groupdict().items()}
        sent = Sent(
            path=path_values(operation, groups),
            query={k: request.query_params.getlist(k) for k in request.query_params},
            headers={k.lower(): v for k, v in request.headers.items()},
            cookies=request.cookies,
        )
        refused = await self._refusal(operation, request, sent)
        if refused is not None:
            return refused
        if self.deleted.covers(path) and operation.method != "DELETE":
            gone = operation.answer(404)
            if gone is not None and gone.key == "404":
                return self._render(operation, gone, 404, gone.body, sent)
        chosen = choose(operation, preferences(sent.headers.get("prefer")))
        if isinstance(chosen, str):
            return self._refuse(operation, 400, chosen, (), sent)
        answer, status, body = chosen
        if 200 <= status < 300:
            self.deleted.record(operation.method, path)
        return self._render(operation, answer, status, body, sent)

    async def _refusal(self, operation: Operation, request: Request, sent: Sent) -> Response | None:
        missing = missing_credentials(operation, sent)
        if missing is not None:
            names = " or ".join(sorted({c.scheme for c in missing})) or "credentials"
            response = self._refuse(operation, 401, f"The request has no {names}.", (), sent)
            if any(c.prefix == "bearer " for c in missing):
                response.headers["WWW-Authenticate"] = "Bearer"
            return response
        errors = parameter_errors(self.document, operation, sent)
        if errors:
            return self._refuse(
                operation, 400, counted(errors, "parameter", "parameters"), errors, sent
            )
        verdict = body_errors(
            self.document, operation, request.headers.get("content-type"), await request.body()
        )
        if not verdict.media_type_ok:
            documented = ", ".join(operation.body.media_types) if operation.body else ""
            detail = f"The request body must be {documented}."
            status = 415 if operation.answer(415) is not None else _body_status(operation)
            return self._refuse(operation, status, detail, (), sent)
        if verdict.errors:
            detail = counted(
                verdict.errors, "field of the request body", "fields of the request body"
            )
            return self._refuse(operation, _body_status(operation), detail, verdict.errors, sent)
        return None

    def _refuse(
        self,
        operation: Operation,
        status: int,
        detail: str,
        errors: tuple[FieldError, ...] | list[FieldError],
        sent: Sent,
    ) -> Response:
        """A problem of the mock's own, in the documented response's shape where there is one."""
        documented = operation.answer(status)
        if documented is None:
            return _problem_response(status, detail, errors=errors)
        body: object = problem(status, detail, errors)
        if documented.schema is not None and not self.document.is_valid(documented.schema, body):
            body = documented.body  # the spec's own problem shape, from its example
        return self._render(operation, documented, status, body, sent)

    def _render(
        self, operation: Operation, answer: Answer, status: int, body: object, sent: Sent
    ) -> Response:
        headers: dict[str, str] = {}
        for header in answer.headers:
            echoed = sent.headers.get(header.name.lower())
            # A correlation header the caller sent (X-Request-ID) comes back, if valid.
            if echoed is not None and header.schema is not None:
                valid = self.document.is_valid(header.schema, echoed)
                headers[header.name] = echoed if valid else header.value
            else:
                headers[header.name] = header.value
        if not answer.has_body or status in (204, 304):
            return Response(status_code=status, headers=headers)
        media_type = answer.media_type or "application/json"
        return Response(_encode(body, media_type), status, headers, media_type=media_type)


def with_cors(app: MockApp) -> ASGIApp:
    """`app` open to browser partners: any origin, and every documented header readable."""
    exposed = sorted(
        {h.name for op in app.operations for answer in op.answers for h in answer.headers}
    )
    return CORSMiddleware(
        app, allow_origins=["*"], allow_methods=["*"], allow_headers=["*"], expose_headers=exposed
    )


def choose(operation: Operation, prefer: Preferences) -> tuple[Answer, int, object] | str:
    """The response `Prefer` asks for, or why it cannot be given (a 400's detail)."""
    documented = ", ".join(answer.key for answer in operation.answers)
    if prefer.unreadable is not None:
        return f"Prefer: code={prefer.unreadable} is not an HTTP status; documented: {documented}."
    if prefer.code is not None:
        answer = operation.answer(prefer.code)
        if answer is None:
            return (
                f"Prefer: code={prefer.code} is not documented for {operation.operation_id}; "
                f"documented: {documented}."
            )
        answers = [answer]
        status = prefer.code
    else:
        answers = [operation.success, *(a for a in operation.answers if a != operation.success)]
        status = 0
    if prefer.example is None:
        return answers[0], status or answers[0].status, answers[0].body
    for answer in answers:
        if prefer.example in answer.examples:
            return answer, status or answer.status, answer.examples[prefer.example]
    names = ", ".join(sorted({name for answer in answers for name in answer.examples}))
    return (
        f"Prefer: example={prefer.example} is not an example of {operation.operation_id}; "
        f"its examples: {names or 'none'}."
    )


def _body_status(operation: Operation) -> int:
    """422 for an invalid body where the operation documents exactly that, else 400."""
    documented = operation.answer(422)
    return 422 if documented is not None and documented.key == "422" else 400


def _encode(body: object, media_type: str) -> bytes:
    kind = media_type.split(";", 1)[0].strip().lower()
    if kind.endswith("json") or not isinstance(body, str | bytes):
        return json.dumps(body, ensure_ascii=False).encode()
    return body if isinstance(body, bytes) else body.encode()


def _problem_response(
    status: int,
    detail: str,
    headers: Mapping[str, str] | None = None,
    errors: tuple[FieldError, ...] | list[FieldError] = (),
) -> Response:
    """A problem for a request no documented response covers (unknown path or method)."""
    body = json.dumps(problem(status, detail, errors)).encode()
    return Response(body, status, dict(headers or {}), media_type=PROBLEM_JSON)
