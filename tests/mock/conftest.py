"""The mock of each test spec, built once, and an httpx client over ASGI to a fresh app of it."""

from __future__ import annotations

import functools
from pathlib import Path

import httpx
import pytest

from harbor_pipeline.mock.__main__ import build
from harbor_pipeline.mock.app import MockApp

ROOT = Path(__file__).resolve().parents[2]
HARBOR = ROOT / "spec" / "openapi.yaml"
PETS = ROOT / "tests" / "mock" / "specs" / "pets30.yaml"
SHAPES = ROOT / "tests" / "mock" / "specs" / "shapes31.yaml"
SPECS = [HARBOR, PETS, SHAPES]
# Shaped like a JWT, as the mock requires for `bearerFormat: JWT`; signed by nobody.
TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjdXNfMTIzIn0.c2ln"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
ORDER_ID = "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f"


@functools.cache
def mock_of(spec: Path) -> MockApp:
    return build(str(spec))


def client_of(spec: Path) -> httpx.AsyncClient:
    # A fresh app per client: deletions one test makes are not seen by the next.
    transport = httpx.ASGITransport(app=MockApp(mock_of(spec).document))
    return httpx.AsyncClient(transport=transport, base_url="http://mock")


@pytest.fixture
def harbor() -> httpx.AsyncClient:
    return client_of(HARBOR)


@pytest.fixture
def pets() -> httpx.AsyncClient:
    return client_of(PETS)


@pytest.fixture
def shapes() -> httpx.AsyncClient:
    return client_of(SHAPES)
