"""The spec's operations as the mock serves them: routes, parameters, bodies, security, answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from harbor_pipeline.breaking.nodes import Node, text

from .document import Document, child_pointer, mapping
from .examples import Answer, build_answer

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_VARIABLE = re.compile(r"\{([^{}/]+)\}")


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # path, query, header, cookie
    required: bool
    schema: str | None  # the schema's pointer
    explode: bool


@dataclass(frozen=True, slots=True)
class Body:
    required: bool
    media_types: Mapping[str, str | None]  # media type -> its schema's pointer


@dataclass(frozen=True, slots=True)
class Credential:
    """One security scheme of a requirement: what must be present, and where."""

    scheme: str  # the name in components/securitySchemes
    location: str  # header, query, cookie
    name: str  # Authorization, or the apiKey's name
    prefix: str  # "bearer " / "basic " for http schemes, "" for apiKey
    jwt: bool  # bearerFormat JWT: the token must at least look like one


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # upper case
    path: str
    operation_id: str
    route: re.Pattern[str]
    parameters: tuple[Parameter, ...]
    body: Body | None
    # Alternatives, any one of which suffices; an empty alternative means none is needed.
    security: tuple[tuple[Credential, ...], ...]
    answers: tuple[Answer, ...]

    def answer(self, status: int) -> Answer | None:
        """The documented response for `status`: exact, then its range (`4XX`), then default."""
        for key in (str(status), f"{status // 100}XX", "default"):
            for answer in self.answers:
                if answer.key.upper() == key.upper():
                    return answer
        return None

    @property
    def success(self) -> Answer:
        """The first documented 2xx (document order), else the first response."""
        for answer in self.answers:
            if answer.key[0] == "2":
                return answer
        return self.answers[0]


def operations(document: Document) -> list[Operation]:
    """Every operation under `paths`, literal routes before templated ones."""
    found: list[Operation] = []
    for path, item in mapping(document.root, "paths").items():
        if not isinstance(item, Mapping):
            continue
        item_pointer = child_pointer("#", "paths", path)
        item, item_pointer = document.deref(item, item_pointer)
        shared = _parameters(document, item, item_pointer)
        for method in METHODS:
            node = item.get(method)
            if isinstance(node, Mapping):
                pointer = child_pointer(item_pointer, method)
                found.append(_operation(document, path, method, node, pointer, shared))
    # A literal segment wins over a variable one (`/orders/new` before `/orders/{id}`).
    found.sort(key=lambda op: [part.startswith("{") for part in op.path.split("/")])
    return found


def _operation(
    document: Document,
    path: str,
    method: str,
    node: Node,
    pointer: str,
    shared: dict[tuple[str, str], Parameter],
) -> Operation:
    parameters = {**shared, **_parameters(document, node, pointer)}
    responses = mapping(node, "responses")
    answers = tuple(
        build_answer(document, key, value, child_pointer(pointer, "responses", key))
        for key, value in responses.items()
        if isinstance(value, Mapping)
    )
    security = node.get("security", document.root.get("security", []))
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=text(node, "operationId") or f"{method.upper()} {path}",
        route=_route(path),
        parameters=tuple(parameters.values()),
        body=_body(document, node, pointer),
        security=_security(document, security),
        answers=answers or (build_answer(document, "default", {}, pointer),),
    )


def _route(path: str) -> re.Pattern[str]:
    parts: list[str] = []
    last = 0
    for match in _VARIABLE.finditer(path):
        parts.append(re.escape(path[last : match.start()]))
        parts.append(f"(?P<p{len(parts)}>[^/]+)")
        last = match.end()
    parts.append(re.escape(path[last:]))
    return re.compile("".join(parts))


def path_values(operation: Operation, raw: dict[str, str]) -> dict[str, str]:
    """The route's groups renamed to the template's variable names."""
    names = _VARIABLE.findall(operation.path)
    groups = [raw[key] for key in sorted(raw, key=lambda k: int(k[1:]))]
    return dict(zip(names, groups, strict=False))


def _parameters(document: Document, node: Node, pointer: str) -> dict[tuple[str, str], Parameter]:
    found: dict[tuple[str, str], Parameter] = {}
    listed = node.get("parameters")
    for index, value in enumerate(listed if isinstance(listed, list) else []):
        if not isinstance(value, Mapping):
            continue
        parameter, where = document.deref(value, child_pointer(pointer, "parameters", str(index)))
        name, location = text(parameter, "name"), text(parameter, "in")
        if name is None or location is None:
            continue
        schema: str | None = None
        if isinstance(parameter.get("schema"), Mapping):
            schema = child_pointer(where, "schema")
        else:  # `content`: one media type with its schema
            for media_type, media in mapping(parameter, "content").items():
                if isinstance(media, Mapping) and isinstance(media.get("schema"), Mapping):
                    schema = child_pointer(where, "content", media_type, "schema")
                    break
        style = text(parameter, "style") or (
            "form" if location in ("query", "cookie") else "simple"
        )
        explode = parameter.get("explode", style == "form") is True
        required = parameter.get("required") is True or location == "path"
        key = (location, name.lower() if location == "header" else name)
        found[key] = Parameter(name, location, required, schema, explode)
    return found


def _body(document: Document, node: Node, pointer: str) -> Body | None:
    if not isinstance(node.get("requestBody"), Mapping):
        return None
    body, where = document.deref(
        mapping(node, "requestBody"), child_pointer(pointer, "requestBody")
    )
    media_types: dict[str, str | None] = {}
    for media_type, media in mapping(body, "content").items():
        has_schema = isinstance(media, Mapping) and isinstance(media.get("schema"), Mapping)
        media_types[media_type] = (
            child_pointer(where, "content", media_type, "schema") if has_schema else None
        )
    return Body(body.get("required") is True, media_types)


def _security(document: Document, requirements: object) -> tuple[tuple[Credential, ...], ...]:
    schemes = mapping(mapping(document.root, "components"), "securitySchemes")
    alternatives: list[tuple[Credential, ...]] = []
    for requirement in requirements if isinstance(requirements, list) else []:
        if not isinstance(requirement, Mapping):
            continue
        credentials: list[Credential] = []
        for name in requirement:
            scheme, _ = document.deref(
                mapping(schemes, name), f"#/components/securitySchemes/{name}"
            )
            credential = _credential(name, scheme)
            if credential is not None:
                credentials.append(credential)
        alternatives.append(tuple(credentials))
    return tuple(alternatives)


def _credential(name: str, scheme: Node) -> Credential | None:
    kind = text(scheme, "type")
    if kind == "apiKey":
        where, key = text(scheme, "in") or "header", text(scheme, "name") or name
        return Credential(name, where, key, "", jwt=False)
    if kind == "http":
        method = (text(scheme, "scheme") or "bearer").lower()
        jwt = (text(scheme, "bearerFormat") or "").upper() == "JWT"
        return Credential(name, "header", "Authorization", f"{method} ", jwt=jwt)
    if kind in ("oauth2", "openIdConnect"):
        return Credential(name, "header", "Authorization", "bearer ", jwt=False)
    return None  # mutualTLS: nothing the mock can see
