"""`PYTHON tests/compat/scenario.py PACKAGE URL TOKEN CUSTOMER [--fuzz]`: one client's smoke scenario.

`--describe PACKAGE` prints what the TypeScript scenario (scenario.ts) needs to know of a release.

Run by the interpreter of the venv a released client is installed in (`make compat`), so it imports
nothing from this repository: only the client package named PACKAGE. It uses only what every
release has; the one field renamed between versions is chosen from the client's own models.
With --fuzz every JSON response gets an unknown property on every object and an unknown value in
every enum-typed property, which the clients promise to accept (open enums, extra fields ignored).
Prints nothing on success; on failure one line naming the step, exit 1.
"""

from __future__ import annotations

import enum
import importlib
import json
import sys
import typing
import uuid
from typing import Any

import httpx

UNKNOWN_VALUE = "compat_unknown_value"
UNKNOWN_FIELD = "x_compat_unknown_field"


def _kinds(annotation: Any) -> tuple[Any, ...]:
    """An annotation and, for a union (Optional), its members."""
    return (annotation, *typing.get_args(annotation))


def properties(models: Any) -> tuple[set[str], set[str]]:
    """The property names of the client's models that hold an enum, and those that hold a map.

    A map (`metadata`: additionalProperties) is the partner's data, not a schema object: an
    unknown field there would be a wrong value, not an extension, so the fuzz leaves maps alone.
    """
    enums: set[str] = set()
    maps: set[str] = set()
    for model in vars(models).values():
        fields = getattr(model, "model_fields", None)
        if not isinstance(model, type) or not isinstance(fields, dict):
            continue
        hints = typing.get_type_hints(model)  # the models' annotations are strings (__future__)
        for name, field in fields.items():
            kinds = _kinds(hints.get(name, field.annotation))
            if any(isinstance(kind, type) and issubclass(kind, enum.Enum) for kind in kinds):
                enums.add(field.alias or name)
            if any(_is_map(kind) for kind in kinds):
                maps.add(field.alias or name)
    return enums, maps


def _is_map(kind: Any) -> bool:
    """`dict[...]`, or a root model of one (`Metadata(RootModel[dict[str, str]])`)."""
    if isinstance(kind, type) and "root" in getattr(kind, "model_fields", {}):
        kind = typing.get_type_hints(kind).get("root", kind)
    return kind is dict or typing.get_origin(kind) is dict


def fuzzed(value: Any, enums: set[str], maps: set[str]) -> Any:
    """`value` with an unknown property in every object and an unknown value in every enum."""
    if isinstance(value, list):
        return [fuzzed(item, enums, maps) for item in value]
    if not isinstance(value, dict):
        return value
    out = {
        key: UNKNOWN_VALUE
        if key in enums and isinstance(item, str)
        else item
        if key in maps
        else fuzzed(item, enums, maps)
        for key, item in value.items()
    }
    out[UNKNOWN_FIELD] = {"nested": [1, "two"]}
    return out


def fuzzing_transport(enums: set[str], maps: set[str]) -> httpx.BaseTransport:
    """The real network underneath, every JSON answer rewritten on its way to the client."""
    real = httpx.HTTPTransport()

    def handle(request: httpx.Request) -> httpx.Response:
        response = real.handle_request(request)
        response.read()
        if "json" not in response.headers.get("content-type", ""):
            return response
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        body = json.dumps(fuzzed(response.json(), enums, maps))
        return httpx.Response(response.status_code, headers=headers, content=body.encode())

    return httpx.MockTransport(handle)


def client_class(package: Any) -> Any:
    """The package's synchronous client (`HarborClient`, `Harbor110Client`...: named by the package)."""
    return next(
        value
        for name, value in sorted(vars(package).items())
        if isinstance(value, type) and name.endswith("Client") and not name.startswith("Async")
    )


def run(package_name: str, url: str, token: str, customer: str, fuzz: bool) -> None:
    package = importlib.import_module(package_name)
    models = package.models
    transport = fuzzing_transport(*properties(models)) if fuzz else None
    renamed = (
        "statement_descriptor"
        if "statement_descriptor" in models.OrderCreate.model_fields
        else "description"
    )
    step = "create"

    def check(ok: bool, what: str) -> None:
        if not ok:
            raise AssertionError(f"{step}: {what}")

    with client_class(package)(url, token=token, transport=transport, max_retries=0) as client:
        body = models.OrderCreate(
            customer_id=customer, amount_cents=1250, currency="EUR", **{renamed: "compat order"}
        )
        key = str(uuid.uuid4())
        created = client.create_order(body, idempotency_key=key)
        check(created.status_code == 201, f"status {created.status_code}, expected 201")
        check(getattr(created.data, renamed) == "compat order", f"{renamed} not echoed")
        if fuzz:
            status = created.data.status
            check(status == UNKNOWN_VALUE and not status.known, f"status read as {status!r}")
        step = "replay"
        replayed = client.create_order(body, idempotency_key=key)
        check(replayed.status_code == 200, f"status {replayed.status_code}, expected 200")
        check(replayed.data.id == created.data.id, "a second order, not the first one replayed")
        step = "get"
        fetched = client.get_order(created.data.id)
        check(fetched.id == created.data.id and fetched.amount_cents == 1250, "another order")
        check(getattr(fetched, renamed) == "compat order", f"{renamed} lost")
        step = "list"
        for _ in range(2):
            client.create_order(body, idempotency_key=str(uuid.uuid4()))
        pages = list(client.iter_list_customer_orders(customer, limit=2).pages())
        ids = [order.id for page in pages for order in page.data]
        check(
            len(pages) == 2 and len(ids) == 3 and len(set(ids)) == 3,
            f"{len(pages)} pages, ids {ids}",
        )
        step = "typed error"
        not_found: type[Exception] = package.NotFoundError
        try:
            client.get_order(uuid.uuid4())
        except not_found:
            pass
        else:
            check(False, "no NotFoundError for an unknown id")


def describe(package_name: str) -> str:
    """For the TypeScript scenario, which has no runtime models: the renamed field, enums, maps."""
    models = importlib.import_module(package_name).models
    enums, maps = properties(models)
    renamed = (
        "statement_descriptor"
        if "statement_descriptor" in models.OrderCreate.model_fields
        else "description"
    )
    return json.dumps({"renamed": renamed, "enums": sorted(enums), "maps": sorted(maps)})


def main(argv: list[str]) -> int:
    if argv[:1] == ["--describe"] and len(argv) == 2:
        sys.stdout.write(describe(argv[1]) + "\n")
        return 0
    if len(argv) not in (4, 5) or argv[4:] not in ([], ["--fuzz"]):
        print(__doc__, file=sys.stderr)
        return 2
    package, url, token, customer = argv[:4]
    try:
        run(package, url, token, customer, fuzz=argv[4:] == ["--fuzz"])
    except Exception as error:  # one line for the matrix cell, whatever broke
        first = str(error).splitlines()[0] if str(error) else ""
        print(f"{type(error).__name__}: {first}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
