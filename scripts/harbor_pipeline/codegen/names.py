"""Python names from spec names: sanitised once, here, so every later stage can trust them."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+")
# Names a generated module or signature already uses for its own purposes: its locals and
# arguments, what it imports, and the builtins it calls or writes annotations with. A method,
# parameter or field of that name would shadow them in the scope that uses them (an endpoint
# named `list` made `list[str]` an UnboundLocalError in its router factory).
RESERVED = frozenset(
    {"self", "body", "principal", "impl", "request", "response", "router", "models", "api"}
    | {"security", "get_impl", "result", "bind", "provide", "respond", "json_body", "raw_body"}
    | {"media_type_guard", "date", "datetime", "time"}
    | {"list", "dict", "str", "int", "float", "bool", "bytes", "object", "type", "isinstance"}
)


def words(name: str) -> list[str]:
    """Split any spec name (camelCase, kebab-case, dotted, 'meta/root', unicode) into ASCII words."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _WORD.findall(ascii_name)


def snake(name: str, *, fallback: str = "value") -> str:
    """`createOrder` -> `create_order`; never a keyword, never starting with a digit, never empty."""
    result = "_".join(w.lower() for w in words(name)) or fallback
    if result[0].isdigit():
        result = f"{fallback}_{result}"
    if keyword.iskeyword(result) or keyword.issoftkeyword(result) or result in RESERVED:
        result += "_"
    return result


def pascal(name: str, *, fallback: str = "Model") -> str:
    """`order-create` -> `OrderCreate`; never starting with a digit, never empty."""
    result = "".join(w[:1].upper() + w[1:] for w in words(name)) or fallback
    if result[0].isdigit():
        result = f"{fallback}{result}"
    return result


# Names the model module defines or imports itself, and the builtins (a class named
# `ResourceWarning` used before its definition resolved to the exception): a model must not
# shadow them.
TAKEN_CLASS_NAMES = frozenset(name for name in dir(builtins) if name[:1].isupper()) | frozenset(
    {
        "BaseModel",
        "RootModel",
        "Field",
        "ConfigDict",
        "Enum",
        "StrEnum",
        "Literal",
        "Annotated",
        "Any",
        "AwareDatetime",
        "UUID",
        "Model",
        "JsonInt",
        "StrictFloat",
        "StrictBool",
        "StrictInt",
        "StrictStr",
        "AnyUrl",
        "EmailStr",
        "IPvAnyAddress",
        "Decimal",
        "IntEnum",
        "Optional",
        "Union",
        "ValidationError",
    }
)
