"""What a bundle is: one document made of several files, and where each of its parts came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSONObject = dict[str, Any]
Tokens = tuple[str, ...]
# An external node a `$ref` leads to: the file's location and the pointer's tokens inside it.
Target = tuple[str, Tokens]

# The JSON Schema keywords whose value is a schema, a list of schemas or a map of schemas
# (2020-12 and the OpenAPI 3.0 subset); the other keywords hold data or plain values.
SCHEMA_ONE = ("items", "not", "additionalProperties", "if", "then", "else", "contains",
              "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema",
              "additionalItems")  # fmt: skip
SCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems")
SCHEMA_MAP = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")


@dataclass(frozen=True, slots=True)
class Source:
    """One file of a spec: where it was read from (as the user named it), its text and data."""

    location: str
    text: str = field(repr=False)
    data: JSONObject = field(repr=False)


@dataclass(frozen=True, slots=True)
class Origin:
    """The node at `at` in the bundle is the node at `pointer` in `source`."""

    at: Tokens
    source: Source
    pointer: Tokens


@dataclass(frozen=True, slots=True)
class Bundle:
    """A spec with every `$ref` local: the root file's content plus what it pulls in."""

    data: JSONObject
    sources: tuple[Source, ...]  # the root file first, then every file it pulls in
    origins: tuple[Origin, ...] = ()

    @property
    def root(self) -> Source:
        return self.sources[0]

    @property
    def files(self) -> tuple[str, ...]:
        """The location of every file the spec is made of, the root first."""
        return tuple(source.location for source in self.sources)

    def origin(self, tokens: Tokens) -> tuple[Source, Tokens]:
        """The file, and the pointer inside it, that hold the bundle's node at `tokens`."""
        best: Origin | None = None
        for origin in self.origins:
            if tokens[: len(origin.at)] == origin.at and (
                best is None or len(origin.at) > len(best.at)
            ):
                best = origin
        if best is None:
            return self.root, tokens
        return best.source, best.pointer + tokens[len(best.at) :]


class BundleError(Exception):
    """A `$ref` that cannot be bundled, located at the `$ref` in the file that holds it."""

    def __init__(self, source: Source, pointer: Tokens, message: str, rule: str) -> None:
        super().__init__(message)
        self.source = source
        self.pointer = pointer
        self.message = message
        self.rule = rule


def escape(token: str) -> str:
    """One JSON-pointer token (RFC 6901)."""
    return token.replace("~", "~0").replace("/", "~1")


def to_pointer(tokens: Tokens) -> str:
    return "".join("/" + escape(token) for token in tokens)


def to_tokens(pointer: str) -> Tokens:
    """The tokens of a JSON pointer (`/a/b~1c`); an empty pointer is the whole document."""
    return tuple(t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:])


def is_data(path: tuple[str | int, ...], key: str) -> bool:
    """Extensions, examples and an Example Object's value are data: `$ref` there is a key."""
    return (
        key.startswith("x-")
        or key == "example"
        or (key == "value" and len(path) >= 2 and path[-2] == "examples")
    )
