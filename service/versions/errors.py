"""Errors of the API versions domain."""

from __future__ import annotations

from collections.abc import Sequence

from service.kit.problems import FieldError, Forbidden, ValidationFailed


class PinForbidden(Forbidden):
    """Reading or moving another customer's pin."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"The token's customer may not use the API version of {customer_id}.")


class UnknownApiVersion(ValidationFailed):
    """A pin to a version the server does not serve: the detail names the ones it does."""

    slug, title = "unknown-api-version", "The API version is not served"

    def __init__(self, version: str, served: Sequence[str]) -> None:
        names = ", ".join(served)
        super().__init__(
            f"Version {version} is not served; the served versions are: {names}.",
            errors=[FieldError("body", "/version", f"Not a served version; served: {names}")],
        )
