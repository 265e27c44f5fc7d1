"""The intermediate model's copies of FastAPI's constants stay equal to FastAPI's own."""

from __future__ import annotations

from fastapi.openapi.constants import METHODS_WITH_BODY

from harbor_pipeline.codegen import ir


def test_the_methods_fastapi_reads_a_body_on_are_fastapis() -> None:
    assert ir.METHODS_WITH_BODY == METHODS_WITH_BODY
