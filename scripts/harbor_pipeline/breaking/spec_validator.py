"""openapi-spec-validator's full validators, without the quadratic cost of their bookkeeping.

Its schema validator remembers every schema it has checked and visited in two lists and asks
`id in list` before each schema: O(n) per schema, O(n^2) per document. On GitHub's REST API
(~7,000 schemas) that was 10 of the 14 seconds the check took. The classes below are the same
validators with those registries answering `in` from a set; what they check, in which order,
and the errors they report are unchanged. Shared by the generator and the breaking gate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from openapi_spec_validator import (
    OpenAPIV30SpecValidator,
    OpenAPIV31SpecValidator,
    OpenAPIV32SpecValidator,
)
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.registries import KeywordValidatorRegistry
from openapi_spec_validator.validation.validators import SpecValidator


class _Ids(list[int]):
    """The validator's list of ids, with `in` answered from a set. The validator only ever
    appends to it and asks `in` (openapi-spec-validator 0.7 to 0.9)."""

    def __init__(self) -> None:
        super().__init__()
        self._members: set[int] = set()

    def append(self, item: int) -> None:
        self._members.add(item)
        super().append(item)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _with_set_registries(validator: keywords.SchemaValidator) -> None:
    validator.visited_schema_ids = _Ids()
    validator.meta_checked_schema_ids = _Ids()


class _Schema30(keywords.OpenAPIV30SchemaValidator):
    def __init__(self, registry: KeywordValidatorRegistry) -> None:
        super().__init__(registry)
        _with_set_registries(self)


class _Schema31(keywords.OpenAPIV31SchemaValidator):
    def __init__(self, registry: KeywordValidatorRegistry) -> None:
        super().__init__(registry)
        _with_set_registries(self)


class _Schema32(keywords.OpenAPIV32SchemaValidator):
    def __init__(self, registry: KeywordValidatorRegistry) -> None:
        super().__init__(registry)
        _with_set_registries(self)


def _with_schema(
    base: type[SpecValidator], schema: type[keywords.SchemaValidator]
) -> dict[str, type[keywords.KeywordValidator]]:
    return {**base.keyword_validators, "schema": schema}


class SpecValidator30(OpenAPIV30SpecValidator):
    keyword_validators = _with_schema(OpenAPIV30SpecValidator, _Schema30)


class SpecValidator31(OpenAPIV31SpecValidator):
    keyword_validators = _with_schema(OpenAPIV31SpecValidator, _Schema31)


class SpecValidator32(OpenAPIV32SpecValidator):
    keyword_validators = _with_schema(OpenAPIV32SpecValidator, _Schema32)


_BY_VERSION: dict[str, type[SpecValidator]] = {
    "3.0": SpecValidator30,
    "3.1": SpecValidator31,
    "3.2": SpecValidator32,
}


def spec_validator(document: Mapping[str, Any]) -> SpecValidator | None:
    """The full validator for the document's OpenAPI version (3.0 to 3.2); None for others."""
    cls = _BY_VERSION.get(str(document.get("openapi", ""))[:3])
    return cls(document) if cls else None
