"""The clients' intermediate model: names, types and wire facts decided once, printed by templates."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Names:
    """The package's public names, all derived from its distribution name (`harbor-client`)."""

    distribution: str  # harbor-client: the PyPI and npm package name
    package: str  # harbor_client: the Python import name
    prefix: str  # Harbor
    sync_client: str  # HarborClient (also the TypeScript client class)
    async_client: str  # AsyncHarborClient
    base_error: str  # HarborError: everything the client raises
    api_error: str  # HarborApiError: the server answered with an error status
    transport_error: str  # HarborTransportError: no usable answer (connection, timeout)
    timeout_error: str  # HarborTimeoutError
    response_error: str  # HarborResponseError: a success answer that does not match the spec

    @property
    def classes(self) -> tuple[str, ...]:
        return (
            self.sync_client,
            self.async_client,
            self.base_error,
            self.api_error,
            self.transport_error,
            self.timeout_error,
            self.response_error,
        )


@dataclass(frozen=True, slots=True)
class ErrorClass:
    """One exception class of the error tree; `status` is None for the 4xx/5xx range classes."""

    name: str
    base: str
    status: int | None
    doc: str


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument of an operation's method, and where its value goes on the wire."""

    name: str  # as in the spec (the wire name)
    py_name: str
    ts_name: str
    location: str  # path | query | header | cookie
    annotation: str  # the Python type, `| None` included when it may be omitted
    required: bool
    description: str
    ts_type: str  # the TypeScript type, as an index into the openapi-typescript output
    value: str  # the Python expression sent: the argument, or a fresh idempotency key
    ts_value: str  # the same in TypeScript


@dataclass(frozen=True, slots=True)
class Body:
    annotation: str  # `models.OrderCreate`, or `bytes` for media that are not JSON
    media_type: str
    required: bool
    is_json: bool
    description: str
    ts_type: str
    # The body's fields as keywords, for a required JSON body of a model with plain fields.
    fields: tuple[BodyField, ...] | None = None


@dataclass(frozen=True, slots=True)
class BodyField:
    """A field of a JSON body model, taken as a keyword argument (fields.py)."""

    name: str
    annotation: str  # the model's own type, a nested model widened to `| dict[str, JsonValue]`
    required: bool
    description: str = ""


@dataclass(frozen=True, slots=True)
class Success:
    """One documented success response: its status and how its body is decoded."""

    status: int
    annotation: str  # `models.Order`, `str`, `bytes`, or `None` for no body
    decoder: str  # Python source of the decoder: `json_body(models.Order)`, `no_body`, ...
    ts_type: str  # the TypeScript type of the body, or `void`


@dataclass(frozen=True, slots=True)
class Pagination:
    """How to walk a cursor-paginated list: where the cursor goes and where items and the next one are."""

    cursor_param: str  # the query parameter's wire name
    cursor_ts_name: str
    items_property: str  # the page's JSON properties (TypeScript reads these)
    next_property: str
    items_attr: str  # the page model's Python attributes
    next_attr: str
    page_annotation: str
    item_annotation: str
    iter_name: str  # iter_list_customer_orders: a paginator over the items, `.pages()` for pages
    ts_iter_name: str
    ts_item_type: str
    source: str  # `x-harbor-pagination` or `shape`, for the README


@dataclass(frozen=True, slots=True)
class Credential:
    """A credential an operation accepts, as the runtime constant that attaches it."""

    kind: str  # bearer | api-key
    py_source: str  # `BEARER`, `ApiKey("header", "X-API-Key")`
    ts_source: str  # `{ kind: "bearer" }`, `{ kind: "api-key", in: "header", name: "X-API-Key" }`


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    py_name: str
    ts_name: str
    const_name: str  # GET_ORDER: the module constant with the operation's static facts
    ts_type_name: str  # GetOrderOperation: the TypeScript alias of its openapi-typescript type
    ts_path_type: str  # `paths["/v1/orders/{order_id}"]["get"]`, what that alias names
    method: str  # upper case
    path: str
    summary: str
    description: str
    deprecated: bool
    deprecation_notice: str | None  # what the client warns with when it is called
    positional: tuple[Argument, ...]  # required path parameters, in the signature's order
    keyword: tuple[Argument, ...]  # every other parameter, keyword-only
    body: Body | None
    idempotency: Argument | None  # the `Idempotency-Key` header, filled in when not given
    successes: tuple[Success, ...]
    returns: str  # the method's Python return type
    decoder: str  # Python source decoding any success response into `returns`
    ts_returns: str
    ts_parse_as: str  # json | text | blob: how openapi-fetch reads the success body
    ts_finish: str  # the statement that ends the TypeScript method: `return unwrap(result);` ...
    retry_safe: bool
    auth: tuple[Credential, ...]  # every credential any of its security alternatives names
    pagination: Pagination | None

    @property
    def arguments(self) -> tuple[Argument, ...]:
        extra = (self.idempotency,) if self.idempotency else ()
        return (*self.positional, *self.keyword, *extra)

    @property
    def groups(self) -> tuple[tuple[str, tuple[Argument, ...]], ...]:
        """The arguments by where they go, as the Call's keywords: path, query, headers, cookies."""
        keywords = {"path": "path", "query": "query", "header": "headers", "cookie": "cookies"}
        found = (
            (k, tuple(a for a in self.arguments if a.location == loc))
            for loc, k in keywords.items()
        )
        return tuple((keyword, args) for keyword, args in found if args)

    @property
    def ts_groups(self) -> tuple[tuple[str, tuple[Argument, ...]], ...]:
        """openapi-fetch's `params`: path, query and header (it sends no cookies; see ts_cookies)."""
        found = (
            (loc, tuple(a for a in self.arguments if a.location == loc))
            for loc in ("path", "query", "header")
        )
        return tuple((loc, args) for loc, args in found if args)

    @property
    def ts_cookies(self) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.location == "cookie")

    @property
    def ts_has_args(self) -> bool:
        return bool(self.arguments or self.body)

    @property
    def ts_args_name(self) -> str:
        return self.ts_type_name.removesuffix("Operation") + "Args"

    @property
    def multi_status(self) -> bool:
        return len(self.successes) > 1


@dataclass(frozen=True, slots=True)
class Member:
    """An operation as a method of its resource group: `orders.create` for `create_order`."""

    name: str
    ts_name: str
    iter_name: str  # the paginator's name, for a paginated operation
    ts_iter_name: str
    operation: Operation


@dataclass(frozen=True, slots=True)
class Resource:
    """A resource group (`client.orders`), from a tag or a path's first segment (resources.py)."""

    name: str  # the clients' attribute
    ts_name: str
    class_name: str  # OrdersResource; Async..., ...WithRawResponse for the other modes
    description: str  # the tag's first paragraph, or a line naming the group
    members: tuple[Member, ...]
    # `unwrap` (or `unwrap_webhook` if an operation took that name) on the group that holds
    # `client.webhooks.unwrap`, else None; `ts_unwrap` likewise.
    unwrap: str | None = None
    ts_unwrap: str | None = None
    # Sub-resources by nested path (`client.customers.orders` for /customers/{id}/orders).
    children: tuple[Resource, ...] = ()
    parent: str = ""  # a sub-resource's group attribute (`customers`), else ""
    ts_parent: str = ""

    @property
    def path(self) -> str:
        """The attributes from the client: `orders`, `customers.orders`."""
        return f"{self.parent}.{self.name}" if self.parent else self.name

    @property
    def ts_path(self) -> str:
        return f"{self.ts_parent}.{self.ts_name}" if self.ts_parent else self.ts_name


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One payload of the spec's `webhooks`, signed per Standard Webhooks."""

    model: str  # the payload's model (Python) and schema name (TypeScript alias)
    spec_name: str  # its name under components/schemas
    event_type: str | None  # its discriminator's one value, when the events have one


@dataclass(frozen=True, slots=True)
class Snippet:
    """A call for the README, with arguments from the spec's examples (`...` where it has none)."""

    operation: Operation
    py_setup: str  # statements before the call (the body), or ""
    py_arguments: str
    ts_arguments: str


@dataclass(frozen=True, slots=True)
class ClientApi:
    title: str
    version: str
    description: str
    source: str  # the spec's path as given, for the generated header
    names: Names
    operations: tuple[Operation, ...]
    errors: tuple[ErrorClass, ...]  # the whole tree below api_error, bases first
    error_lines: tuple[str, ...]  # that tree drawn for the errors module's docstring
    problem_model: str | None  # the one model every error response uses, when there is one
    request_id_header: str
    idempotency_headers: tuple[str, ...]  # the header names that make a request retry-safe
    schemas: tuple[tuple[str, str], ...]  # (TypeScript export, spec name) of component schemas
    base_url: str  # the spec's first server, for examples
    snippets: tuple[Snippet, ...]
    # Payload models of the spec's `webhooks` signed per Standard Webhooks (`webhook-signature`).
    signed_webhook_models: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    webhook_events: tuple[WebhookEvent, ...] = ()
    # The JSON property every event fixes to its own value (`type`), or None: then `unwrap` tries
    # the events' models in turn and cannot tell an unknown event from a malformed one.
    webhook_discriminator: str | None = None

    @property
    def all_resources(self) -> tuple[Resource, ...]:
        """Every resource class to print: the groups, each after its sub-resources."""
        return tuple(x for r in self.resources for x in (*r.children, r))

    @property
    def webhooks_resource(self) -> Resource | None:
        return next((r for r in self.resources if r.unwrap), None)

    @property
    def paginated(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.pagination)

    @property
    def idempotent(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.idempotency)

    @property
    def status_errors(self) -> tuple[ErrorClass, ...]:
        return tuple(e for e in self.errors if e.status is not None)

    @property
    def credential_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({c.kind for op in self.operations for c in op.auth}))
