"""Build the intermediate model (ir.Api) from a loaded spec; all naming and typing decisions live here."""

from __future__ import annotations

import datetime
import http
import re
from collections.abc import Mapping
from typing import Any

from . import ir, pytypes
from .hoist import Hoisted, hoist, is_json, operation_id, operations
from .load import Document, resolve
from .names import pascal, snake, words
from .problems import Level, Problem, SpecError, pointer

JSONObject = dict[str, Any]
_RESERVED_MODULES = frozenset({"models", "security", "runtime", "__init__"})
_MIDDLEWARE_HEADER = "x-harbor-set-by"
_LOCATIONS = ("path", "query", "header", "cookie")
# The description of a success response the generator had to invent; `verify` knows it.
UNDOCUMENTED = "(undocumented success)"


def parse(document: Document, wrap: frozenset[str] = frozenset()) -> tuple[ir.Api, Hoisted]:
    """The API's operations grouped by tag, and the hoisted spec the models are generated from."""
    hoisted = hoist(document.data, wrap)
    hoisted.problems[:] = [document.locate(p) for p in hoisted.problems]
    parser = _Parser(document, hoisted)
    api = parser.api()
    problems = list(dict.fromkeys([*hoisted.problems, *parser.problems]))  # path-level ones repeat
    errors = [p for p in problems if p.level is Level.ERROR]
    if errors:
        raise SpecError(str(document.path), problems)
    hoisted.problems.extend(p for p in parser.problems if p.level is Level.WARNING)
    return api, hoisted


class _Parser:
    def __init__(self, document: Document, hoisted: Hoisted) -> None:
        self.document = document
        self.spec = hoisted.spec
        self.hoisted = hoisted
        self.problems: list[Problem] = []
        self.model_names = hoisted.component_names

    def resolve(self, ref: str) -> JSONObject:
        try:
            target = resolve(self.spec, ref)
        except (KeyError, IndexError, ValueError, TypeError):
            target = None
        if target is True:
            return {}  # the schema every value satisfies (`false` ones were refused in hoist)
        if not isinstance(target, dict):
            raise SpecError(
                str(self.document.path),
                [self._problem("", f"unresolvable $ref {ref!r}", "ref-unresolved")],
            )
        return target

    def deref(self, node: Any) -> JSONObject:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            node, seen = self.resolve(node["$ref"]), seen + 1
        return node if isinstance(node, dict) else {}

    def _problem(self, where: str, message: str, rule: str, level: Level = Level.ERROR) -> Problem:
        return self.document.locate(Problem(level, where, message, rule))

    def api(self) -> ir.Api:
        schemes = self.security_schemes()
        by_tag: dict[str, list[ir.Operation]] = {}
        requirements: dict[tuple[tuple[str, ...], ...], ir.SecurityRequirement] = {}
        root_security = self.spec.get("security")
        names = _operation_names(self.spec)
        for path, method, raw, item in operations(self.spec):
            op = self.operation(
                path, method, raw, item, root_security, schemes, requirements, names[(path, method)]
            )
            if op is not None:
                by_tag.setdefault(op.tag, []).append(op)
        modules = self.modules(by_tag)
        info = self.spec.get("info") or {}
        return ir.Api(
            title=str(info.get("title", "")),
            version=str(info.get("version", "")),
            modules=modules,
            schemes=tuple(schemes.values()),
            requirements=tuple(sorted(requirements.values(), key=lambda r: r.dependency_name)),
        )

    def modules(self, by_tag: Mapping[str, list[ir.Operation]]) -> tuple[ir.TagModule, ...]:
        tag_docs = {
            t.get("name"): t.get("description", "")
            for t in self.spec.get("tags") or []
            if isinstance(t, dict)
        }
        modules: list[ir.TagModule] = []
        owners: dict[str, str] = {}
        for tag in sorted(by_tag):
            module = _module_name(tag)
            if module in owners:
                continue  # merged below into the module of the first tag that takes the name
            owners[module] = tag
            # Tags that differ only in case or punctuation ('Pets', 'pets') share one module.
            ops = tuple(
                op
                for other in sorted(by_tag)
                if _module_name(other) == module
                for op in by_tag[other]
            )
            self.check_collisions(ops)
            modules.append(
                ir.TagModule(
                    tag=tag,
                    module=module,
                    protocol=f"{pascal(tag, fallback='Tag')}Api",
                    factory=f"create_{module}_router",
                    description=str(tag_docs.get(tag) or ""),
                    operations=ops,
                )
            )
        return tuple(modules)

    def check_collisions(self, ops: tuple[ir.Operation, ...]) -> None:
        seen: dict[str, ir.Operation] = {}
        reported: set[tuple[str, str]] = set()
        for op in ops:
            for name in (op.py_name, *(r.class_name for r in op.results)):
                other = seen.get(name)
                if (
                    other is not None
                    and other is not op
                    and (other.operation_id, op.operation_id) not in reported
                ):
                    reported.add((other.operation_id, op.operation_id))
                    where = pointer("paths", op.path, op.method)
                    message = f"operations {other.operation_id!r} ({other.method.upper()} {other.path}) and {op.operation_id!r} ({op.method.upper()} {op.path}) both generate the name {name!r}; rename one operationId"
                    self.problems.append(self._problem(where, message, "name-collision"))
                seen[name] = op

    def security_schemes(self) -> dict[str, ir.SecurityScheme]:
        raw = ((self.spec.get("components") or {}).get("securitySchemes")) or {}
        schemes: dict[str, ir.SecurityScheme] = {}
        used: set[str] = set()
        for name in sorted(raw):
            scheme = self.deref(raw[name])
            py_name = snake(name, fallback="scheme")
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            schemes[name] = _scheme(name, py_name, scheme)
        return schemes

    def operation(
        self,
        path: str,
        method: str,
        raw: JSONObject,
        item: JSONObject,
        root_security: Any,
        schemes: Mapping[str, ir.SecurityScheme],
        requirements: dict[tuple[tuple[str, ...], ...], ir.SecurityRequirement],
        py_name: str,
    ) -> ir.Operation | None:
        where = pointer("paths", path, method)
        op_id = operation_id(path, method, raw)
        template = re.findall(r"{([^}]+)}", path)
        repeated = sorted({name for name in template if template.count(name) > 1})
        if repeated:
            message = f"path template {path!r} names {{{repeated[0]}}} more than once; a server cannot bind two values to one parameter"
            self.problems.append(
                self._problem(pointer("paths", path), message, "path-parameter-repeated")
            )
            return None
        tags = raw.get("tags")
        tag = str(tags[0]) if isinstance(tags, list) and tags else "default"
        results = self.results(where, raw, pascal(py_name, fallback="Operation"))
        if not results:
            return None
        security = self.security(where, raw.get("security", root_security), schemes, requirements)
        return ir.Operation(
            operation_id=op_id,
            py_name=py_name,
            method=method,
            path=path,
            tag=tag,
            summary=str(raw.get("summary") or ""),
            description=str(raw.get("description") or ""),
            deprecated=raw.get("deprecated") is True,
            parameters=self.parameters(where, raw, item),
            body=self.body(where, raw),
            results=results,
            errors=self.errors(raw),
            security=security,
            deprecation=self.deprecation(where, raw),
        )

    def deprecation(self, where: str, raw: JSONObject) -> ir.Deprecation | None:
        """`deprecated: true` with `x-sunset` announces the removal in headers; both dates are
        needed (RFC 9745 dates the deprecation, RFC 8594 the sunset), or neither."""
        dates: dict[str, datetime.date] = {}
        invalid = False
        for key in ("x-deprecated-at", "x-sunset"):
            if key not in raw:
                continue
            value = raw[key]
            try:
                # YAML reads an unquoted 2027-06-30 as a date already.
                dates[key] = (
                    value
                    if isinstance(value, datetime.date)
                    else datetime.date.fromisoformat(str(value))
                )
            except ValueError:
                message = f"{key} must be a date written YYYY-MM-DD, not {str(value)[:40]!r}"
                self.problems.append(self._problem(f"{where}/{key}", message, "deprecation-date"))
                invalid = True
        if not dates or invalid:
            return None
        if raw.get("deprecated") is not True:
            message = "x-sunset and x-deprecated-at need `deprecated: true` on the operation"
            self.problems.append(self._problem(where, message, "deprecation-not-deprecated"))
            return None
        missing = [k for k in ("x-deprecated-at", "x-sunset") if k not in dates]
        if missing:
            message = (
                f"a deprecated operation with a date needs both x-deprecated-at and x-sunset "
                f"(YYYY-MM-DD); add {' and '.join(missing)}"
            )
            self.problems.append(self._problem(where, message, "deprecation-dates"))
            return None
        if dates["x-sunset"] < dates["x-deprecated-at"]:
            message = (
                "x-sunset is before x-deprecated-at: an operation is deprecated before it goes"
            )
            self.problems.append(self._problem(f"{where}/x-sunset", message, "deprecation-dates"))
            return None
        link = raw.get("x-deprecation-link")
        docs = raw.get("externalDocs")
        if not isinstance(link, str) and isinstance(docs, dict):
            link = docs.get("url")
        return ir.Deprecation(
            dates["x-deprecated-at"], dates["x-sunset"], link if isinstance(link, str) else None
        )

    def parameters(self, where: str, raw: JSONObject, item: JSONObject) -> tuple[ir.Parameter, ...]:
        merged: dict[tuple[str, str], JSONObject] = {}
        sources = ((where.rsplit("/", 1)[0], item), (where, raw))
        for at, holder in sources:
            for index, entry in enumerate(holder.get("parameters") or []):
                param = self.deref(entry)
                if param.get("in") not in _LOCATIONS:
                    # The validator says so too, unless it could not check the document.
                    message = f"parameter {param.get('name')!r} is `in: {param.get('in')}`; OpenAPI {self.document.version} has path, query, header and cookie parameters (`querystring` is 3.2's)"
                    where_param = f"{at}/parameters/{index}/in"
                    self.problems.append(self._problem(where_param, message, "parameter-location"))
                elif param.get("name") == "":
                    message = (
                        f"a {param['in']} parameter has an empty name: no request can carry "
                        "it, so it is left out"
                    )
                    self.problems.append(
                        self._problem(where, message, "parameter-unnamed", Level.WARNING)
                    )
                elif isinstance(param.get("name"), str) and isinstance(param.get("in"), str):
                    merged[(param["in"], param["name"])] = param
        # `id` in the path and in the query become `id_path` and `id_query`; `MaxResults` and
        # `maxResults`, both in the query, become `max_results` and `max_results_2`.
        locations: dict[str, set[str]] = {}
        for location, name in merged:
            locations.setdefault(snake(name, fallback="param"), set()).add(location)
        params: list[ir.Parameter] = []
        taken: set[str] = set()
        for (location, name), param in merged.items():
            py_name = snake(name, fallback="param")
            if len(locations[py_name]) > 1:
                py_name = f"{py_name}_{location}"
            base, n = py_name, 2
            while py_name in taken:
                py_name, n = f"{base}_{n}", n + 1
            taken.add(py_name)
            schema = self.param_schema(param)
            if location == "path" and self._is_structured(schema):
                schema = self._path_segment_as_text(where, name, schema)
            elif location != "path" and self._is_nested_array(schema):
                schema = self._nested_array_as_text(where, location, name)
            required = location == "path" or param.get("required") is True
            default = None if required else pytypes.default_literal(schema, self.resolve)
            params.append(
                ir.Parameter(
                    name=name,
                    py_name=py_name,
                    location=location,
                    required=required,
                    annotation=pytypes.annotation(schema, self.resolve, self.model_names),
                    default=default,
                    constraints=pytypes.constraints(schema, self.resolve),
                    description=str(param.get("description") or ""),
                    deprecated=param.get("deprecated") is True,
                )
            )
        # Required parameters first, each group in a stable order, so signatures read naturally.
        order = {"path": 0, "query": 1, "header": 2, "cookie": 3}
        return tuple(sorted(params, key=lambda p: (not p.required, order.get(p.location, 4))))

    def _is_structured(self, schema: JSONObject) -> bool:
        types, _ = pytypes.schema_types(self.deref(schema))
        return any(k in ("array", "object") for k in types)

    def _is_nested_array(self, schema: JSONObject) -> bool:
        schema = self.deref(schema)
        items = schema.get("items")
        return _is_array(schema) and isinstance(items, dict) and _is_array(self.deref(items))

    def _nested_array_as_text(self, where: str, location: str, name: str) -> JSONObject:
        """An array of arrays in the query, a header or a cookie (evetech.net's `connections`):
        OpenAPI's styles do not say how to write one and FastAPI binds only lists of scalars, so
        the handler gets the value's text, unchecked, and is told so (not an internal error)."""
        message = (
            f"{location} parameter {name!r} is an array of arrays, which no OpenAPI style "
            "serializes; the server passes its text to the handler and does not check its items"
        )
        self.problems.append(self._problem(where, message, "parameter-nested-array", Level.WARNING))
        return {"type": "string"}

    def _path_segment_as_text(self, where: str, name: str, schema: JSONObject) -> JSONObject:
        """An array or object in a path segment (`style: simple`, `a,b,c`): FastAPI binds only
        scalars to a path, so the handler gets the segment's text, unchecked, and is told so."""
        message = (
            f"path parameter {name!r} is an {self.deref(schema).get('type')} (style simple: "
            "comma-separated); the server passes the segment to the handler as text and does "
            "not check its items"
        )
        self.problems.append(
            self._problem(where, message, "path-parameter-structured", Level.WARNING)
        )
        return {"type": "string"}

    def param_schema(self, param: JSONObject) -> JSONObject:
        schema = param.get("schema")
        if isinstance(schema, dict):
            return schema
        for media in (param.get("content") or {}).values():
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                return {"type": "string"}  # content-encoded parameters arrive as text
        return {"type": "string"}

    def body(self, where: str, raw: JSONObject) -> ir.RequestBody | None:
        body = self.deref(raw.get("requestBody"))
        content = body.get("content") or {}
        if not content:
            return None
        media_types = tuple(content)
        for media in media_types:
            model = self.hoisted.body_models.get(
                pointer(*_tokens(where), "requestBody", "content", media)
            )
            if model is not None:
                return ir.RequestBody(
                    f"models.{model}",
                    body.get("required") is True,
                    media_types,
                    True,
                    str(body.get("description") or ""),
                )
        required, description = body.get("required") is True, str(body.get("description") or "")
        if any(is_json(media) for media in media_types):
            # JSON without a schema: any JSON value, parsed and typed as such.
            return ir.RequestBody("JsonValue", required, media_types, True, description)
        return ir.RequestBody("bytes", required, media_types, False, description)

    def results(self, where: str, raw: JSONObject, base: str) -> tuple[ir.Result, ...]:
        responses = raw.get("responses") or {}
        statuses = [s for s in responses if _is_success(str(s))]
        if not statuses and "default" in responses:
            statuses = ["default"]
        if not statuses:
            # The spec documents only errors; success still needs a result a handler can return.
            return (ir.Result(base + "Success", 200, "", UNDOCUMENTED, None, None, ()),)
        results: list[ir.Result] = []
        for status in sorted(statuses, key=lambda s: _success_order(str(s))):
            response = self.deref(responses[status])
            code = _status_code(str(status))
            body, media, is_model = self.result_body(where, str(status), response)
            results.append(
                ir.Result(
                    class_name=base + _status_name(str(status)),
                    status=code,
                    status_key=str(status),
                    description=str(response.get("description") or ""),
                    body_annotation=body,
                    media_type=media,
                    headers=self.result_headers(response),
                    raw_json=is_model,
                )
            )
        return tuple(results)

    def result_body(
        self, where: str, status: str, response: JSONObject
    ) -> tuple[str | None, str | None, bool]:
        """The body's annotation, its media type, and whether it is a (JSON) model."""
        content = response.get("content") or {}
        for media in content:
            model = self.hoisted.body_models.get(
                pointer(*_tokens(where), "responses", status, "content", media)
            )
            if model is not None:
                return f"models.{model}", media, True
        if content:
            media = next(iter(content))
            return ("str" if media.startswith("text/") else "bytes"), media, False
        return None, None, False

    def result_headers(self, response: JSONObject) -> tuple[ir.ResultHeader, ...]:
        headers: list[ir.ResultHeader] = []
        used = {"body", "status_code"}
        for name, raw in (response.get("headers") or {}).items():
            header = self.deref(raw)
            if header.get(_MIDDLEWARE_HEADER) == "middleware" or name.lower() == "content-type":
                continue
            py_name = snake(name, fallback="header")
            while py_name in used:
                py_name += "_"
            used.add(py_name)
            raw_schema = header.get("schema")
            schema: JSONObject = raw_schema if isinstance(raw_schema, dict) else {"type": "string"}
            kind = pytypes.annotation(schema, self.resolve, {})
            headers.append(
                ir.ResultHeader(
                    name, py_name, "int" if kind == "int" else "str", header.get("required") is True
                )
            )
        return tuple(sorted(headers, key=lambda h: not h.required))

    def errors(self, raw: JSONObject) -> tuple[ir.ErrorResponse, ...]:
        responses = raw.get("responses") or {}
        found = [
            ir.ErrorResponse(str(status), str(self.deref(response).get("description") or ""))
            for status, response in responses.items()
            if not _is_success(str(status))
            and not (str(status) == "default" and not any(_is_success(str(s)) for s in responses))
        ]
        return tuple(sorted(found, key=lambda e: e.status))

    def security(
        self,
        where: str,
        raw: Any,
        schemes: Mapping[str, ir.SecurityScheme],
        requirements: dict[tuple[tuple[str, ...], ...], ir.SecurityRequirement],
    ) -> ir.SecurityRequirement | None:
        if not isinstance(raw, list) or not raw:
            return None
        alternatives: list[tuple[str, ...]] = []
        for requirement in raw:
            if not isinstance(requirement, dict):
                continue
            unknown = [name for name in requirement if name not in schemes]
            if unknown:
                self.problems.append(
                    self._problem(
                        where + "/security",
                        f"security scheme {unknown[0]!r} is not defined in components.securitySchemes",
                        "security-scheme-unknown",
                    )
                )
                continue
            alternatives.append(tuple(sorted(requirement)))
        key = tuple(alternatives)
        if not key or key == ((),):
            return None
        if key not in requirements:
            py_alternatives = tuple(tuple(schemes[s].py_name for s in alt) for alt in key)
            words = "_or_".join("_and_".join(alt) or "anonymous" for alt in py_alternatives)
            challenges = dict.fromkeys(schemes[s].challenge for alt in key for s in alt)
            requirements[key] = ir.SecurityRequirement(
                key, f"require_{words}", ", ".join(challenges), py_alternatives
            )
        return requirements[key]


def _module_name(tag: str) -> str:
    module = snake(tag, fallback="tag")
    return module + "_api" if module in _RESERVED_MODULES else module


def _operation_names(spec: JSONObject) -> dict[tuple[str, str], str]:
    """Python names of every operation: the spec's operationIds first, then invented ones.

    Two operationIds that snake-case alike are the spec's to fix (reported later); a name the
    generator invents for an operation without an operationId never takes one already used.
    """
    names: dict[tuple[str, str], str] = {}
    used: set[str] = set()
    invented: list[tuple[str, str]] = []
    for path, method, raw, _ in operations(spec):
        if isinstance(raw.get("operationId"), str) and raw["operationId"].strip():
            names[(path, method)] = snake(raw["operationId"], fallback="operation")
            used.add(names[(path, method)])
        else:
            invented.append((path, method))
    for path, method in invented:
        base = snake(f"{method} {path}", fallback="operation")
        name, n = base, 2
        while name in used:
            name, n = f"{base}_{n}", n + 1
        names[(path, method)] = name
        used.add(name)
    return names


def _scheme(name: str, py_name: str, scheme: JSONObject) -> ir.SecurityScheme:
    kind, challenge = _scheme_kind(scheme)
    location, parameter = str(scheme.get("in", "")), str(scheme.get("name", ""))
    common = f"scheme_name={name!r}, auto_error=False"
    credential_type, parameters, arguments = "str", "credential: str", py_name
    if kind == "http-basic":
        reader = f"HTTPBasic({common})"
        credential_type, parameters = "HTTPBasicCredentials", "username: str, password: str"
        arguments = f"{py_name}.username, {py_name}.password"
    elif kind == "api-key":
        reader_class = {"query": "APIKeyQuery", "cookie": "APIKeyCookie"}.get(
            location, "APIKeyHeader"
        )
        reader = f"{reader_class}(name={parameter!r}, {common})"
    elif kind == "http-other":
        reader = f"APIKeyHeader(name='Authorization', {common})"
    else:
        bearer_format = scheme.get("bearerFormat")
        extra = f", bearerFormat={bearer_format!r}" if isinstance(bearer_format, str) else ""
        reader = f"HTTPBearer({common}{extra})"
        credential_type, arguments = "HTTPAuthorizationCredentials", f"{py_name}.credentials"
    return ir.SecurityScheme(
        name=name,
        py_name=py_name,
        kind=kind,
        location=location,
        parameter=parameter,
        challenge=challenge,
        description=str(scheme.get("description", "")),
        reader=reader,
        credential_type=credential_type,
        hook_parameters=parameters,
        hook_arguments=arguments,
    )


def _scheme_kind(scheme: JSONObject) -> tuple[str, str]:
    kind = scheme.get("type")
    if kind == "http":
        http_scheme = str(scheme.get("scheme", "")).lower()
        if http_scheme == "bearer":
            return "http-bearer", "Bearer"
        if http_scheme == "basic":
            return "http-basic", "Basic"
        return "http-other", http_scheme.capitalize() or "Bearer"
    if kind == "apiKey":
        return "api-key", f'ApiKey name="{scheme.get("name", "")}"'
    if kind == "oauth2":
        return "oauth2", "Bearer"
    if kind == "openIdConnect":
        return "open-id-connect", "Bearer"
    return "http-other", "Bearer"  # mutualTLS: the transport authenticates; nothing to read


def _tokens(json_pointer: str) -> list[str]:
    return [t.replace("~1", "/").replace("~0", "~") for t in json_pointer.split("/")[1:]]


def _is_success(status: str) -> bool:
    return status[:1] in ("1", "2", "3")


def _success_order(status: str) -> tuple[int, str]:
    # 2xx before 3xx, and within them the lowest first except that 201 (a creation) leads 200.
    code = _status_code(status)
    return (0 if code == 201 else 1, f"{code:03d}")


def _status_code(status: str) -> int:
    if status.isdigit():
        return int(status)
    if len(status) == 3 and status[0].isdigit():
        return int(status[0]) * 100  # 2XX: a handler picks 200 unless it says otherwise
    return 200


def _status_name(status: str) -> str:
    if status.isdigit():
        try:
            phrase = http.HTTPStatus(int(status)).phrase
            return "".join(word.capitalize() for word in words(phrase))
        except ValueError:
            return f"Status{status}"
    if status == "default":
        return "Default"
    return f"Status{status.upper()}"


def _is_array(schema: JSONObject) -> bool:
    return "array" in pytypes.schema_types(schema)[0]
