"""Requests checked against the operation: credentials present, parameters and body valid.

Parameters arrive as text; each is read as its schema's type first (`limit=5` is the integer
5), so the schema's own validator judges it, as a server would after parsing.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from harbor_pipeline.breaking.nodes import Node

from .document import Document, FieldError
from .operations import Credential, Operation, Parameter

_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_JWT_PART = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True, slots=True)
class Sent:
    """What a request carries, as read off the wire: header names lower case."""

    path: Mapping[str, str]
    query: Mapping[str, Sequence[str]]
    headers: Mapping[str, str]
    cookies: Mapping[str, str]


def missing_credentials(operation: Operation, sent: Sent) -> list[Credential] | None:
    """None when one of the operation's security alternatives is satisfied, else what each
    alternative lacks (every scheme the 401 may name)."""
    if not operation.security:
        return None
    lacking: list[Credential] = []
    for alternative in operation.security:
        missing = [c for c in alternative if not _present(c, sent)]
        if not missing:
            return None
        lacking.extend(c for c in missing if c not in lacking)
    return lacking


def _present(credential: Credential, sent: Sent) -> bool:
    if credential.location == "query":
        return any(sent.query.get(credential.name, []))
    if credential.location == "cookie":
        return bool(sent.cookies.get(credential.name))
    value = sent.headers.get(credential.name.lower(), "")
    if not credential.prefix:
        return bool(value)
    scheme, token = value[: len(credential.prefix)], value[len(credential.prefix) :].strip()
    if scheme.lower() != credential.prefix or not token:
        return False
    # Presence, not validity: but a token that is not even shaped like a JWT is not one.
    return not credential.jwt or _looks_like_jwt(token)


def _looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    if len(parts) != 3 or not all(_JWT_PART.fullmatch(part) for part in parts[:2]):
        return False
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except ValueError:
        return False
    return isinstance(header, dict)


def parameter_errors(document: Document, operation: Operation, sent: Sent) -> list[FieldError]:
    errors: list[FieldError] = []
    for parameter in operation.parameters:
        raw = _raw(parameter, sent)
        if raw is None:
            if parameter.required:
                errors.append(FieldError(parameter.location, f"/{parameter.name}", "is required"))
            continue
        if parameter.schema is None:
            continue
        value = _read(document, parameter, raw)
        for error in document.errors(parameter.schema, value, parameter.location):
            errors.append(
                FieldError(error.location, f"/{parameter.name}{error.pointer}", error.message)
            )
    return errors


def _raw(parameter: Parameter, sent: Sent) -> list[str] | None:
    if parameter.location == "path":
        value = sent.path.get(parameter.name)
        return None if value is None else [value]
    if parameter.location == "query":
        values = sent.query.get(parameter.name)
        return list(values) if values else None
    source = sent.headers if parameter.location == "header" else sent.cookies
    key = parameter.name.lower() if parameter.location == "header" else parameter.name
    found = source.get(key)
    return None if found is None else [found]


def _read(document: Document, parameter: Parameter, raw: list[str]) -> object:
    """The parameter's text as its schema's type (arrays split as its style sends them)."""
    schema, pointer = document.deref({"$ref": parameter.schema or "#"}, parameter.schema or "#")
    kinds = _kinds(schema)
    if "array" in kinds:
        items, _ = document.deref(_mapping(schema.get("items")), pointer + "/items")
        values = raw if parameter.explode and parameter.location == "query" else raw[0].split(",")
        return [_scalar(_kinds(items), value) for value in values]
    if "object" in kinds and parameter.location != "query":
        try:
            return json.loads(raw[0])
        except ValueError:
            return raw[0]
    return _scalar(kinds, raw[-1])


def _scalar(kinds: set[str], text: str) -> object:
    if "integer" in kinds and _INTEGER.fullmatch(text):
        return int(text)
    if "number" in kinds and _NUMBER.fullmatch(text):
        return float(text)
    if "boolean" in kinds and text in ("true", "false"):
        return text == "true"
    if "null" in kinds and text in ("", "null") and "string" not in kinds:
        return None
    return text


def _kinds(schema: Node) -> set[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return {"string"}


def _mapping(value: object) -> Node:
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True, slots=True)
class BodyVerdict:
    """`media_type` is False when the Content-Type is not one the operation accepts."""

    media_type_ok: bool
    errors: list[FieldError]


def body_errors(
    document: Document, operation: Operation, content_type: str | None, raw: bytes
) -> BodyVerdict:
    body = operation.body
    if body is None:
        return BodyVerdict(True, [])
    if not raw:
        missing = [FieldError("body", "", "a request body is required")] if body.required else []
        return BodyVerdict(True, missing)
    media_type = _matching_media_type(list(body.media_types), content_type)
    if media_type is None:
        return BodyVerdict(False, [])
    schema = body.media_types[media_type]
    if not _is_json(content_type or ""):
        return BodyVerdict(True, [])  # forms and binary: accepted as they come
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        return BodyVerdict(True, [FieldError("body", "", f"not valid JSON: {err}")])
    return BodyVerdict(True, [] if schema is None else document.errors(schema, value, "body"))


def _matching_media_type(documented: list[str], content_type: str | None) -> str | None:
    sent = (content_type or "").split(";", 1)[0].strip().lower()
    if not sent:
        return None
    for media_type in documented:
        kind = media_type.split(";", 1)[0].strip().lower()
        if kind in (sent, "*/*") or (kind.endswith("/*") and sent.startswith(kind[:-1])):
            return media_type
    return None


def _is_json(media_type: str) -> bool:
    kind = media_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")
