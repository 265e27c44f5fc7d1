"""A deprecated operation warns its caller from both clients, naming the operation and its sunset."""

from __future__ import annotations

import subprocess
import sys
import uuid
import warnings
from pathlib import Path

import httpx
import pytest

from harbor_pipeline.codegen.client.pipeline import build_client
from harbor_pipeline.codegen.load import load
from harbor_pipeline.corpus.harbor import import_package

SPEC = Path(__file__).resolve().parents[1] / "codegen/golden/all_features/spec.yaml"
NOTICE = r"deletePet \(DELETE /pets/\{pet_id\}\) is deprecated and will be removed on 2027-01-31"
PET = "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f"


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("client") / "client"
    build_client(load(SPEC), out, language="python", distribution=None)
    (path,) = (p.parent for p in out.glob("*/__init__.py"))
    return import_package(path, f"deprecation_client_{uuid.uuid4().hex[:8]}")


def _client(package):
    transport = httpx.MockTransport(lambda request: httpx.Response(204))
    return package.AllFeaturesClient("http://127.0.0.1:9", token="user:a", transport=transport)


def test_calling_a_deprecated_operation_warns_at_the_callers_line(package) -> None:
    with _client(package) as client, pytest.warns(DeprecationWarning, match=NOTICE) as caught:
        client.delete_pet(PET)
    assert caught[0].filename == __file__  # shown by Python's default filters, in user code


def test_other_operations_do_not_warn(package) -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=[]))
    with package.AllFeaturesClient(
        "http://127.0.0.1:9", token="user:a", transport=transport
    ) as client:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            client.list_pets(x_trace="abcdef01")


def test_the_typescript_client_logs_once_per_operation(tmp_path: Path) -> None:
    out = tmp_path / "ts"
    build_client(load(SPEC), out, language="typescript", distribution=None)
    source = (out / "src/index.ts").read_text()
    assert source.count("warnDeprecated(") == 2  # the function and the one deprecated call
    assert (
        'warnDeprecated("deletePet", "deletePet (DELETE /pets/{pet_id}) is deprecated and will be removed on 2027-01-31'
        in source
    )
    assert "if (warned.has(operation)) return;" in source
