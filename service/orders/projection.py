"""The order's public shape, taken from the generated model (the spec), and held to the columns.

`models.Order` is the one source of what an order looks like to a partner. The repository's
SQL selects `repository.PUBLIC_COLUMNS` (hand-written, because each needs a column); the app
refuses to start while the two disagree, with a message that says what to add where. An
optional property is left out of a response while it has no value: the spec lets it be absent,
not `null` (unless it allows null, and absent is valid then too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

Order = dict[str, Any]


class ProjectionMismatch(Exception):
    """The generated Order model and the columns the repository selects disagree."""


def projection_problems(model: type[BaseModel], columns: Sequence[str]) -> list[str]:
    """What a spec change asks of the hand-written orders code, one sentence each."""
    fields = tuple(model.model_fields)
    problems = [
        f"the spec's Order has `{name}`, which service/orders/repository.py does not read: add "
        f"a column for it (service/db/schema.py and a migration in service/migrations/), "
        f"then add `{name}` to PUBLIC_COLUMNS and to OrdersRepository._public() in "
        f"service/orders/repository.py, in the spec's order"
        for name in fields
        if name not in columns
    ]
    problems += [
        f"service/orders/repository.py PUBLIC_COLUMNS has `{name}`, which the spec's Order no "
        f"longer has: remove it there and from OrdersRepository._public()"
        for name in columns
        if name not in fields
    ]
    if not problems and fields != tuple(columns):
        problems.append(
            "service/orders/repository.py PUBLIC_COLUMNS must list the spec's Order properties "
            f"in the spec's order: {', '.join(fields)}"
        )
    return problems


def check_projection(model: type[BaseModel], columns: Sequence[str]) -> None:
    problems = projection_problems(model, columns)
    if problems:
        raise ProjectionMismatch(
            "the orders code does not match spec/openapi.yaml (#/components/schemas/Order): "
            + "; ".join(problems)
        )


def unset_left_out(model: type[BaseModel]) -> Callable[[Order], Order]:
    """A function that drops the model's optional properties while they are None; the identity
    (no cost) while the model has none."""
    optional = frozenset(
        name for name, field in model.model_fields.items() if not field.is_required()
    )
    if not optional:
        return _same

    def present(order: Order) -> Order:
        return {k: v for k, v in order.items() if v is not None or k not in optional}

    return present


def _same(order: Order) -> Order:
    return order
