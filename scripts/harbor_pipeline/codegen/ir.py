"""The intermediate model: every decision about names and types is made before rendering."""

from __future__ import annotations

import datetime
import email.utils
from dataclasses import dataclass

# FastAPI's `fastapi.openapi.constants.METHODS_WITH_BODY`, copied: importing it imports all of
# FastAPI (a third of a second), which generating never needs; a test keeps the two equal.
METHODS_WITH_BODY = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH"})

JSON_MEDIA = "application/json"


@dataclass(frozen=True, slots=True)
class Constraint:
    """One keyword argument of a FastAPI parameter (`ge=1`), its value already a Python literal."""

    keyword: str
    literal: str


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str  # as in the spec
    py_name: str
    location: str  # path | query | header | cookie
    required: bool
    annotation: str  # the Python type, without `| None` for an optional parameter
    default: str | None  # a Python literal, or None
    constraints: tuple[Constraint, ...]
    description: str
    deprecated: bool

    @property
    def factory_source(self) -> str:
        """The FastAPI marker that reads and checks it: `Query(alias='limit', ge=1, le=100)`."""
        kind = {"path": "Path", "query": "Query", "header": "Header", "cookie": "Cookie"}[
            self.location
        ]
        arguments = [
            f"alias={self.name!r}",
            *(f"{c.keyword}={c.literal}" for c in self.constraints),
        ]
        if self.description:
            arguments.append(f"description={self.description!r}")
        if self.deprecated:
            arguments.append("deprecated=True")
        if self.location == "header" and "_" in self.name:
            # FastAPI reads and documents a snake_case header name as its kebab-case twin.
            arguments.append("convert_underscores=False")
        return f"{kind}({', '.join(arguments)})"

    @property
    def full_annotation(self) -> str:
        """The type the handler receives: optional parameters without a default may be None."""
        if self.required or self.default is not None or self.annotation.endswith("| None"):
            return self.annotation
        return f"{self.annotation} | None"


@dataclass(frozen=True, slots=True)
class RequestBody:
    annotation: str  # `models.OrderCreate`, or `bytes` for media that are not JSON
    required: bool
    media_types: tuple[str, ...]
    is_json: bool
    description: str

    @property
    def parsed_by_fastapi(self) -> bool:
        """FastAPI parses `application/json` and `application/*+json` only (not `text/json`)."""
        return self.is_json and all(
            m.split(";")[0].strip().lower() == "application/json"
            or (m.startswith("application/") and m.split(";")[0].strip().lower().endswith("+json"))
            for m in self.media_types
        )

    @property
    def openapi_source(self) -> str:
        """The requestBody FastAPI cannot infer when the generated code reads the body itself."""
        content = ", ".join(f"{m!r}: {{'schema': {{}}}}" for m in self.media_types)
        return f"{{'requestBody': {{'required': {self.required}, 'content': {{{content}}}}}}}"


@dataclass(frozen=True, slots=True)
class ResultHeader:
    name: str
    py_name: str
    annotation: str
    required: bool


@dataclass(frozen=True, slots=True)
class Result:
    """One documented non-error response: what a handler returns to produce it."""

    class_name: str
    status: int
    status_key: (
        str  # the key under `responses` in the spec ("201", "2XX", "default"); "" if invented
    )
    description: str
    body_annotation: str | None  # `models.Order`, `bytes`, or None for no body
    media_type: str | None
    headers: tuple[ResultHeader, ...]
    # A JSON model body may also be given already encoded, as `RawJson[models.Order]`.
    raw_json: bool = False

    @property
    def body_type(self) -> str | None:
        """The type of the result's `body` field."""
        if self.raw_json:
            return f"{self.body_annotation} | RawJson[{self.body_annotation}]"
        return self.body_annotation

    @property
    def headers_source(self) -> str:
        """A dict expression of the response headers from a result instance named `result`."""
        if not self.headers:
            return "None"
        required = [h for h in self.headers if h.required]
        optional = [h for h in self.headers if not h.required]
        literal = "{" + ", ".join(f"{h.name!r}: {_text(h)}" for h in required) + "}"
        if not optional:
            return literal
        pairs = ", ".join(f"({h.name!r}, {_text(h, bare=True)})" for h in optional)
        return f"{literal} | {{k: str(v) for k, v in ({pairs},) if v is not None}}"


def _text(header: ResultHeader, *, bare: bool = False) -> str:
    value = f"result.{header.py_name}"
    return value if bare or header.annotation == "str" else f"str({value})"


@dataclass(frozen=True, slots=True)
class SecurityScheme:
    name: str  # as in components.securitySchemes
    py_name: str
    kind: str  # http-bearer | http-basic | http-other | api-key | oauth2 | open-id-connect
    location: str  # for api keys: header | query | cookie
    parameter: str  # for api keys: the header, query or cookie name
    challenge: str  # the WWW-Authenticate value when it is missing
    description: str
    reader: str  # the FastAPI security object that reads the credential, as Python source
    credential_type: str  # what that object returns when a credential is present
    hook_parameters: str  # the hook's parameters after `self`
    hook_arguments: str  # how the dependency passes the credential to the hook


@dataclass(frozen=True, slots=True)
class SecurityRequirement:
    """The alternatives of an operation (OR), each a set of schemes (AND); () allows anonymous."""

    alternatives: tuple[tuple[str, ...], ...]  # scheme names
    dependency_name: str
    challenge: str  # WWW-Authenticate when no alternative's credentials were sent
    py_alternatives: tuple[tuple[str, ...], ...]  # the same, as the schemes' Python names

    @property
    def optional(self) -> bool:
        return () in self.alternatives

    @property
    def single(self) -> bool:
        """One required scheme: served by one folded dependency (see `_runtime.Authenticator`)."""
        return len(self.alternatives) == 1 and len(self.alternatives[0]) == 1

    @property
    def py_schemes(self) -> tuple[str, ...]:
        """Every scheme any alternative needs, by Python name, in first-use order."""
        seen: dict[str, None] = {}
        for alternative in self.py_alternatives:
            seen.update(dict.fromkeys(alternative))
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class ErrorResponse:
    status: str  # "404", "4XX" or "default"
    description: str


@dataclass(frozen=True, slots=True)
class Deprecation:
    """A deprecated operation's announcement: `x-deprecated-at`, `x-sunset` (dates) and where
    to read about it (`x-deprecation-link`, else the operation's externalDocs)."""

    deprecated_at: datetime.date
    sunset: datetime.date
    link: str | None

    @property
    def headers(self) -> dict[str, str]:
        """RFC 9745 `Deprecation` (a structured-field date), RFC 8594 `Sunset` (an HTTP-date)
        and, when known, RFC 8288 `Link` with rel="deprecation"."""
        at = datetime.datetime.combine(self.deprecated_at, datetime.time(), datetime.UTC)
        sunset = datetime.datetime.combine(self.sunset, datetime.time(), datetime.UTC)
        headers = {
            "Deprecation": f"@{int(at.timestamp())}",
            "Sunset": email.utils.format_datetime(sunset, usegmt=True),
        }
        if self.link:
            headers["Link"] = f'<{self.link}>; rel="deprecation"'
        return headers


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    py_name: str
    method: str
    path: str
    tag: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: RequestBody | None
    results: tuple[Result, ...]
    errors: tuple[ErrorResponse, ...]
    security: SecurityRequirement | None
    deprecation: Deprecation | None = None

    @property
    def result_annotation(self) -> str:
        return " | ".join(r.class_name for r in self.results)

    @property
    def default_status(self) -> int:
        return self.results[0].status

    @property
    def documents_its_body(self) -> bool:
        """The route must document its request body itself (`openapi_extra`): FastAPI documents
        only bodies it parses, and only on the methods it expects one on (not OPTIONS, TRACE)."""
        return self.body is not None and (
            not self.body.parsed_by_fastapi or self.method.upper() not in METHODS_WITH_BODY
        )


@dataclass(frozen=True, slots=True)
class TagModule:
    tag: str
    module: str  # the module's file name without `.py`
    protocol: str
    factory: str
    description: str
    operations: tuple[Operation, ...]

    @property
    def secured(self) -> bool:
        return any(op.security is not None for op in self.operations)

    @property
    def protocol_base(self) -> str:
        """Generic in the principal only when some operation receives one."""
        return "Protocol[P_contra]" if self.secured else "Protocol"

    @property
    def protocol_ref(self) -> str:
        return f"{self.protocol}[P]" if self.secured else self.protocol


@dataclass(frozen=True, slots=True)
class Api:
    title: str
    version: str
    modules: tuple[TagModule, ...]
    schemes: tuple[SecurityScheme, ...]
    requirements: tuple[SecurityRequirement, ...]
