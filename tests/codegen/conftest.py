"""Fixtures for the generator's tests: golden packages imported under unique names."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from types import ModuleType

import pytest

from harbor_pipeline.codegen.verify import import_package
from tests.codegen.golden_cases import GOLDEN


@pytest.fixture
def golden_package() -> Callable[[str], ModuleType]:
    """Import a golden case's expected tree under a fresh name, so cases never collide."""

    def load(case: str) -> ModuleType:
        return import_package(GOLDEN / case / "expected", f"golden_{case}_{uuid.uuid4().hex[:8]}")

    return load
