"""Build the clients' model (ir.ClientApi) from the server parser's output and the hoisted spec."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from .. import ir as server
from ..hoist import Hoisted, operations
from ..load import Document, resolve
from ..names import pascal, words
from ..parse import parse as parse_server
from ..pipeline import used_models
from ..problems import Level, Problem, SpecError, pointer
from . import ir
from .examples import snippets
from .fields import body_fields
from .models import ModelsModule, client_models
from .naming import camel, package_names
from .pagination import Page, recognise
from .resources import group_of, resources
from .responses import parse_as, returns, success_keys, ts_finish, ts_key
from .statuses import error_tree, tree_lines

JSONObject = dict[str, Any]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
IDEMPOTENCY_HEADER = "idempotency-key"
REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-correlation-id")
# Attributes of the client classes and names of the generated modules that no method may take.
RESERVED_METHODS = frozenset({"close", "aclose", "base_url"})
RESERVED_ARGUMENTS = frozenset(
    {"options", "idempotency_key", "extra_headers", "extra_query", "extra_body"}
)
# What the TypeScript wrapper exports besides the schemas; a schema taking one of them is renamed.
TS_EXPORTS = frozenset({"ApiResponse", "RequestOptions", "ClientOptions", "RetryPolicy"})
TS_RESERVED = frozenset({"raw", "constructor"})


def parse_client(
    document: Document, distribution: str | None
) -> tuple[ir.ClientApi, str, list[Problem]]:
    """The clients' model, the source of the client's models module, and the warnings."""
    api, hoisted = parse_server(document)
    models = client_models(hoisted.spec)
    folded = used_models(api) - models.classes
    if folded:
        # A root model (a pure map, say) folded into its users: its bodies get their own, as
        # the server's do (pipeline.build_server).
        api, hoisted = parse_server(document, wrap=frozenset(folded))
        models = client_models(hoisted.spec)
    builder = _Builder(document, hoisted, models)
    info = hoisted.spec.get("info") or {}
    title = str(info.get("title") or "API")
    names = package_names(distribution or "-".join(w.lower() for w in words(title)) + "-client")
    ops = builder.operations(api)
    errors = error_tree(names, (e.status for op in _server_ops(api) for e in op.errors))
    classes = [*names.classes, *(e.name for e in errors)]
    for name in sorted({c for c in classes if classes.count(c) > 1}):
        message = f"the package name {names.distribution!r} makes a second class {name!r}; pass another --package-name"
        builder.problems.append(Problem(Level.ERROR, "/info/title", message, "name-collision"))
    located = [document.locate(p) for p in builder.problems]
    if any(p.level is Level.ERROR for p in located):
        raise SpecError(str(document.path), located)
    warnings = [p for p in (*hoisted.problems, *located) if p.level is Level.WARNING]
    events, discriminator = _webhook_events(hoisted, models.classes, builder.deref)
    client = ir.ClientApi(
        title=title,
        version=str(info.get("version") or "0.0.0"),
        description=str(info.get("description") or "").strip(),
        source=document.path.as_posix(),
        names=names,
        operations=ops,
        errors=errors,
        error_lines=tree_lines(errors),
        problem_model=builder.problem_model(),
        request_id_header=builder.request_id_header(),
        idempotency_headers=tuple(sorted({op.idempotency.name for op in ops if op.idempotency})),
        schemas=builder.schemas(),
        base_url=_base_url(hoisted.spec),
        snippets=snippets(ops, hoisted.spec, builder.deref),
        signed_webhook_models=tuple(e.model for e in events),
        resources=resources(ops, builder.groups, _tag_docs(hoisted.spec), bool(events)),
        webhook_events=events,
        webhook_discriminator=discriminator,
    )
    return client, models.source, warnings


def _webhook_events(
    hoisted: Hoisted, classes: frozenset[str], deref: Callable[[Any], JSONObject]
) -> tuple[tuple[ir.WebhookEvent, ...], str | None]:
    """The webhook payloads whose deliveries carry a Standard Webhooks signature, and the
    property that tells them apart (discriminator), if any."""
    found: dict[str, JSONObject] = {}
    for item in (hoisted.spec.get("webhooks") or {}).values():
        operation = deref(item).get("post") if isinstance(item, dict) else None
        if not isinstance(operation, dict):
            continue
        headers = {str(deref(p).get("name", "")).lower() for p in operation.get("parameters") or []}
        media = (deref(operation.get("requestBody")).get("content") or {}).get(
            "application/json"
        ) or {}
        ref = (media.get("schema") or {}).get("$ref", "")
        name = ref.removeprefix("#/components/schemas/")
        if "webhook-signature" in headers and name in classes:
            found[name] = deref(media["schema"])
    tags = {name: _fixed_strings(schema, deref) for name, schema in found.items()}
    common = [k for k in next(iter(tags.values()), {}) if all(k in t for t in tags.values())]
    discriminator = next(
        (k for k in common if len({t[k] for t in tags.values()}) == len(tags)), None
    )
    events = tuple(
        ir.WebhookEvent(name, name, tags[name][discriminator] if discriminator else None)
        for name in found
    )
    return events, discriminator


def _fixed_strings(schema: JSONObject, deref: Callable[[Any], JSONObject]) -> dict[str, str]:
    """The required properties of `schema` that allow one string only (`const`, one-value enum)."""
    required = set(schema.get("required") or [])
    fixed = {}
    for key, value in (schema.get("properties") or {}).items():
        prop = deref(value)
        enum = prop.get("enum")
        one = prop["const"] if "const" in prop else enum[0] if enum and len(enum) == 1 else None
        if key in required and isinstance(one, str):
            fixed[str(key)] = one
    return fixed


def _tag_docs(spec: JSONObject) -> dict[str, str]:
    tags = [t for t in spec.get("tags") or [] if isinstance(t, dict)]
    return {str(t.get("name")): str(t.get("description") or "") for t in tags}


def _server_ops(api: server.Api) -> Iterable[server.Operation]:
    for module in api.modules:
        yield from module.operations


class _Builder:
    def __init__(self, document: Document, hoisted: Hoisted, models: ModelsModule) -> None:
        self.document = document
        self.spec = hoisted.spec
        self.hoisted = hoisted
        self.models = models
        self.problems: list[Problem] = []
        self.groups: dict[str, str] = {}  # operationId -> its resource group (resources.py)
        # Component schemas by model name, as the TypeScript wrapper exports them.
        self.ts_aliases = {
            name: f"{name}Schema" if name in TS_EXPORTS else name
            for name in hoisted.component_names.values()
        }

    def deref(self, node: Any) -> JSONObject:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            try:
                node = resolve(self.spec, node["$ref"])
            except (KeyError, IndexError, ValueError, TypeError):
                return {}
            seen += 1
        return node if isinstance(node, dict) else {}

    def operations(self, api: server.Api) -> tuple[ir.Operation, ...]:
        order = {(path, method): i for i, (path, method, _, _) in enumerate(operations(self.spec))}
        ops = sorted(_server_ops(api), key=lambda op: order.get((op.path, op.method), len(order)))
        names = self.method_names(ops)
        built = [self.operation(op, names[op.operation_id]) for op in ops]
        self.check_names(built)
        return tuple(built)

    def method_names(self, ops: list[server.Operation]) -> dict[str, str]:
        """Each operation's client method name. The server's names are unique per tag module;
        the client is one namespace, so a later operation whose name is taken (operationIds
        that differ in case only: `generateOTP`, `generateOtp`) gets `_2`, `_3` in document
        order, with a warning: deterministic, and unchanged for every spec without a clash."""
        names: dict[str, str] = {}
        taken: dict[str, str] = {}
        for op in ops:
            base = op.py_name + "_" if op.py_name in RESERVED_METHODS else op.py_name
            name, n = base, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            if name != base:
                message = (
                    f"operations {taken[base]!r} and {op.operation_id!r} both make the client "
                    f"method {base!r}; the second is {name!r} (rename an operationId to choose)"
                )
                where = pointer("paths", op.path, op.method.lower())
                self.problems.append(Problem(Level.WARNING, where, message, "name-collision"))
            taken[name] = op.operation_id
            names[op.operation_id] = name
        return names

    def check_names(self, ops: list[ir.Operation]) -> None:
        seen: dict[str, ir.Operation] = {}
        for op in ops:
            pages = (op.pagination.iter_name,) if op.pagination else ()
            for name in (op.py_name, *pages):
                other = seen.setdefault(name, op)
                if other is not op:
                    message = f"operations {other.operation_id!r} and {op.operation_id!r} both generate the client method {name!r}; rename one operationId"
                    self.problems.append(
                        Problem(
                            Level.ERROR,
                            pointer("paths", op.path, op.method.lower()),
                            message,
                            "name-collision",
                        )
                    )

    def operation(self, op: server.Operation, py_name: str) -> ir.Operation:
        where = pointer("paths", op.path, op.method)
        raw = self.deref(self.deref(self.spec["paths"][op.path])[op.method])
        self.groups[op.operation_id] = group_of(raw.get("tags"), op.path)
        ts_type = f"{pascal(py_name, fallback='Operation')}Operation"
        op_type = f"paths[{json.dumps(op.path)}][{json.dumps(op.method)}]"
        idempotency = next(
            (
                p
                for p in op.parameters
                if p.location == "header" and p.name.lower() == IDEMPOTENCY_HEADER
            ),
            None,
        )
        arguments = [self.argument(p, ts_type) for p in op.parameters if p is not idempotency]
        positional = tuple(a for a in arguments if a.location == "path")
        keyword = tuple(a for a in arguments if a.location != "path")
        successes = self.successes(where, raw, op, ts_type)
        annotation, decoder, ts_returns = returns(successes)
        method = op.method.upper()
        return ir.Operation(
            operation_id=op.operation_id,
            py_name=py_name,
            ts_name=camel(py_name) + ("_" if camel(py_name) in TS_RESERVED else ""),
            const_name=py_name.upper(),
            ts_type_name=ts_type,
            ts_path_type=op_type,
            method=method,
            path=op.path,
            summary=op.summary,
            description=op.description.strip(),
            deprecated=op.deprecated,
            deprecation_notice=_deprecation_notice(op),
            positional=positional,
            keyword=keyword,
            body=self.body(
                op, ts_type, frozenset(a.py_name for a in arguments) | {"idempotency_key"}
            ),
            idempotency=self.argument(idempotency, ts_type, idempotency=True)
            if idempotency
            else None,
            successes=successes,
            returns=annotation,
            decoder=decoder,
            ts_returns=ts_returns,
            ts_parse_as=parse_as(successes),
            ts_finish=ts_finish(successes),
            retry_safe=method in SAFE_METHODS or idempotency is not None,
            auth=self.credentials(op.security),
            pagination=self.pagination(where, raw, op, py_name, successes, keyword),
        )

    def argument(
        self, param: server.Parameter, ts_type: str, *, idempotency: bool = False
    ) -> ir.Argument:
        required = param.required and not idempotency
        annotation = param.annotation
        if not required and not annotation.endswith("| None"):
            annotation += " | None"
        py_name = (
            param.py_name + "_"
            if param.py_name in RESERVED_ARGUMENTS and not idempotency
            else param.py_name
        )
        index = f'NonNullable<{ts_type}["parameters"][{json.dumps(param.location)}]>'
        ts_name = camel(py_name)
        # An idempotency key the caller does not give is made once per call, so retries share it.
        value, ts_value = (
            (f"{py_name} or new_idempotency_key()", f"args.{ts_name} ?? newIdempotencyKey()")
            if idempotency
            else (py_name, f"args.{ts_name}")
        )
        return ir.Argument(
            name=param.name,
            py_name=py_name,
            ts_name=ts_name,
            location=param.location,
            annotation=annotation,
            required=required,
            description=param.description,
            ts_type=f"{index}[{json.dumps(param.name)}]",
            value=value,
            ts_value=ts_value,
        )

    def body(self, op: server.Operation, ts_type: str, taken: frozenset[str]) -> ir.Body | None:
        if op.body is None:
            return None
        body = op.body
        media = next((m for m in body.media_types if _is_json(m)), None) if body.is_json else None
        media = media or body.media_types[0]
        content = f'NonNullable<{ts_type}["requestBody"]>["content"][{json.dumps(media)}]'
        return ir.Body(
            annotation=body.annotation,
            media_type=media,
            required=body.required,
            is_json=body.is_json,
            description=body.description,
            ts_type=content,
            fields=body_fields(self.models.source, body.annotation, taken)
            if body.required and body.is_json
            else None,
        )

    def successes(
        self, where: str, raw: JSONObject, op: server.Operation, ts_type: str
    ) -> tuple[ir.Success, ...]:
        keys = success_keys(raw)
        found: list[ir.Success] = []
        for result in op.results:
            key = keys.get(result.status, str(result.status))
            annotation = result.body_annotation or "None"
            if result.body_annotation is None:
                decoder, ts = "no_body", "void"
            elif result.body_annotation.startswith("models."):
                decoder = f"json_body({result.body_annotation})"
                # A component schema by its exported name; an inline one by its place.
                ts = self.ts_aliases.get(result.body_annotation.removeprefix("models.")) or (
                    f'{ts_type}["responses"][{ts_key(key)}]["content"][{json.dumps(result.media_type)}]'
                )
            else:
                decoder = "text_body" if annotation == "str" else "bytes_body"
                ts = "string" if annotation == "str" else "Blob"
            found.append(ir.Success(result.status, annotation, decoder, ts))
        return tuple(found)

    def credentials(self, security: server.SecurityRequirement | None) -> tuple[ir.Credential, ...]:
        if security is None:
            return ()
        raw = ((self.spec.get("components") or {}).get("securitySchemes")) or {}
        found: dict[str, ir.Credential] = {}
        for alternative in security.alternatives:
            for name in alternative:
                scheme = self.deref(raw.get(name))
                credential = _credential(scheme)
                if credential is not None:
                    found.setdefault(credential.py_source, credential)
        return tuple(found.values())

    def pagination(
        self,
        where: str,
        raw: JSONObject,
        op: server.Operation,
        py_name: str,
        successes: tuple[ir.Success, ...],
        keyword: tuple[ir.Argument, ...],
    ) -> ir.Pagination | None:
        single = successes[0] if len(successes) == 1 else None
        model = (
            single.annotation.removeprefix("models.")
            if single and single.annotation.startswith("models.")
            else None
        )
        schema = self.deref(
            ((self.spec.get("components") or {}).get("schemas") or {}).get(model or "")
        )
        page = Page(
            where, raw, tuple(a.name for a in keyword if a.location == "query"), model, schema
        )
        found, problems = recognise(page, self.models, self.deref)
        self.problems.extend(problems)
        if found is None or single is None:
            return None
        cursor = next(a for a in keyword if a.location == "query" and a.name == found.cursor_param)
        pascal_name = pascal(py_name, fallback="Operation")
        return ir.Pagination(
            cursor_param=found.cursor_param,
            cursor_ts_name=cursor.ts_name,
            items_property=found.items_property,
            next_property=found.next_property,
            items_attr=found.items_attr,
            next_attr=found.next_attr,
            page_annotation=single.annotation,
            item_annotation=found.item_annotation,
            iter_name=f"iter_{py_name}",
            ts_iter_name=f"iter{pascal_name}",
            ts_item_type=f"{single.ts_type}[{json.dumps(found.items_property)}][number]",
            source=found.source,
        )

    def problem_model(self) -> str | None:
        """The model every JSON error response uses, when they all use the same one."""
        models: set[str] = set()
        for place, model in self.hoisted.body_models.items():
            tokens = place.split("/")
            if len(tokens) > 5 and tokens[4] == "responses" and tokens[5][:1] in ("4", "5", "d"):
                models.add(model)
        return f"models.{models.pop()}" if len(models) == 1 else None

    def request_id_header(self) -> str:
        """The response header carrying the request's id (the spec's spelling), `X-Request-ID` if none."""
        for _, _, raw, _ in operations(self.spec):
            for response in (raw.get("responses") or {}).values():
                for name in self.deref(response).get("headers") or {}:
                    if name.lower() in REQUEST_ID_HEADERS:
                        return str(name)
        return "X-Request-ID"

    def schemas(self) -> tuple[tuple[str, str], ...]:
        names = sorted(self.hoisted.component_names.items(), key=lambda item: item[1])
        return tuple((self.ts_aliases[name], original) for original, name in names)


def _credential(scheme: JSONObject) -> ir.Credential | None:
    kind = scheme.get("type")
    http_scheme = str(scheme.get("scheme", "")).lower()
    if (kind == "http" and http_scheme == "bearer") or kind in ("oauth2", "openIdConnect"):
        return ir.Credential("bearer", "BEARER", '{ kind: "bearer" }')
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie"):
        where, name = str(scheme["in"]), str(scheme.get("name", ""))
        return ir.Credential(
            "api-key",
            f"ApiKey({where!r}, {name!r})",
            f'{{ kind: "api-key", in: {json.dumps(where)}, name: {json.dumps(name)} }}',
        )
    return None  # basic and others: pass an httpx client (or a fetch) that authenticates


def _is_json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _base_url(spec: JSONObject) -> str:
    servers = spec.get("servers") or []
    url = servers[0].get("url") if servers and isinstance(servers[0], dict) else None
    return (
        str(url) if isinstance(url, str) and url.startswith("http") else "https://api.example.com"
    )


def _deprecation_notice(op: server.Operation) -> str | None:
    if not op.deprecated:
        return None
    notice = f"{op.operation_id} ({op.method.upper()} {op.path}) is deprecated"
    if op.deprecation is not None:
        notice += f" and will be removed on {op.deprecation.sunset.isoformat()}"
        if op.deprecation.link:
            notice += f"; see {op.deprecation.link}"
    return notice
