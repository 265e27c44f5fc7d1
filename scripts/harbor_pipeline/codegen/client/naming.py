"""The clients' public names: the package's, from its distribution name, and TypeScript's camelCase."""

from __future__ import annotations

from ..names import pascal, snake, words
from . import ir


def package_names(distribution: str) -> ir.Names:
    """Every public name from the distribution's: `harbor-client` -> `HarborClient`, ..."""
    package = snake(distribution, fallback="api_client")
    stem = [w for w in words(distribution) if w.lower() != "client"] or ["Api"]
    prefix = pascal(" ".join(stem), fallback="Api")
    return ir.Names(
        distribution=distribution,
        package=package,
        prefix=prefix,
        sync_client=f"{prefix}Client",
        async_client=f"Async{prefix}Client",
        base_error=f"{prefix}Error",
        api_error=f"{prefix}ApiError",
        transport_error=f"{prefix}TransportError",
        timeout_error=f"{prefix}TimeoutError",
        response_error=f"{prefix}ResponseError",
    )


def camel(name: str) -> str:
    parts = words(name) or ["value"]
    return parts[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in parts[1:])
