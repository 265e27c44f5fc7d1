"""The client generator on other specs (Petstore, the golden cases) and on a changed spec."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import yaml

from harbor_pipeline.codegen.client.pipeline import build_client
from harbor_pipeline.codegen.load import load
from harbor_pipeline.codegen.verify import import_package

ROOT = Path(__file__).resolve().parents[2]
PETSTORE = ROOT / "tests/codegen/specs/petstore.yaml"
WEBHOOK_EVENTS = ROOT / "tests/codegen/specs/webhook_events.yaml"
WEBHOOK_EVENTS = ROOT / "tests/codegen/specs/webhook_events.yaml"
GOLDEN = sorted((ROOT / "tests/codegen/golden").glob("*/spec.yaml"))
# openapi-typescript writes types that do not compile for a $ref into another operation's body.
TS_BROKEN = {"realworld"}
needs_node = pytest.mark.skipif(
    not (ROOT / "node_modules/.bin/tsc").exists(), reason="the Node tools are not installed"
)


def generate(spec: Path, out: Path, language: str = "python", name: str | None = None) -> Path:
    build_client(load(spec), out, language=language, distribution=name)
    return out


def import_client(out: Path) -> ModuleType:
    (package,) = (p for p in out.iterdir() if (p / "__init__.py").exists())
    return import_package(package, f"client_{package.name}_{uuid.uuid4().hex[:8]}")


def test_the_petstore_client_generates_imports_and_calls(tmp_path: Path) -> None:
    client = import_client(generate(PETSTORE, tmp_path / "petstore"))
    pets = [{"id": 1, "name": "Rex", "tag": "dog", "chip": "new field"}]
    answers = {
        ("GET", "/v1/pets"): httpx.Response(200, json=pets),
        ("POST", "/v1/pets"): httpx.Response(201),
        ("GET", "/v1/pets/7"): httpx.Response(404, json={"code": 404, "message": "no pet 7"}),
    }
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answers[(request.method, request.url.path)]

    transport = httpx.MockTransport(answer)
    with client.SwaggerPetstoreClient("http://petstore.test/v1", transport=transport) as petstore:
        listed = petstore.list_pets(limit=10)
        assert listed.root[0].name == "Rex" and listed.root[0].model_extra == {"chip": "new field"}
        assert petstore.create_pets(client.models.Pet(id=2, name="Tom")) is None
        with pytest.raises(client.ClientError) as caught:
            petstore.show_pet_by_id("7")
    assert caught.value.status == 404 and caught.value.model.message == "no pet 7"
    assert str(seen[0].url) == "http://petstore.test/v1/pets?limit=10"
    assert json.loads(seen[1].content) == {"id": 2, "name": "Tom"}


def test_the_petstore_client_passes_mypy_strict(tmp_path: Path) -> None:
    out = generate(PETSTORE, tmp_path / "petstore")
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "swagger_petstore_client"],
        cwd=out,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


@pytest.mark.parametrize("spec", GOLDEN, ids=lambda spec: spec.parent.name)
def test_every_golden_spec_makes_an_importable_client(spec: Path, tmp_path: Path) -> None:
    client = import_client(generate(spec, tmp_path / spec.parent.name))
    (sync_name,) = (n for n in client.__all__ if n.endswith("Client") and not n.startswith("Async"))
    sync = getattr(client, sync_name)
    operations = [name for name in vars(sync.__mro__[1]) if not name.startswith("_")]
    assert operations and all(callable(getattr(sync("http://x.test"), name)) for name in operations)


@pytest.mark.parametrize("language", ["python", pytest.param("typescript", marks=needs_node)])
def test_the_committed_clients_are_a_fresh_generation(language: str) -> None:
    """What `make generate-clients-check` runs, through the command line."""
    command = ["client", "spec/openapi.yaml", f"clients/{language}", "--lang", language]
    checked = subprocess.run(
        [
            sys.executable,
            "-m",
            "harbor_pipeline.codegen",
            *command,
            "--package-name",
            "harbor-client",
            "--check",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


@needs_node
def test_a_change_in_the_spec_shows_up_in_both_clients(tmp_path: Path) -> None:
    spec: dict[str, Any] = yaml.safe_load((ROOT / "spec/openapi.yaml").read_text())
    order = spec["components"]["schemas"]["Order"]
    order["properties"]["loyalty_points"] = {"type": "integer", "description": "Points earned."}
    spec["paths"]["/v1/orders/{order_id}/receipt"] = {
        "get": {
            **spec["paths"]["/v1/orders/{order_id}"]["get"],
            "operationId": "getOrderReceipt",
            "summary": "Get an order's receipt",
        }
    }
    changed = tmp_path / "openapi.yaml"
    changed.write_text(yaml.safe_dump(spec, sort_keys=False))
    client = import_client(generate(changed, tmp_path / "python", name="harbor-client"))
    assert "loyalty_points" in client.models.Order.model_fields
    assert callable(client.HarborClient("http://x.test").get_order_receipt)
    typescript = generate(changed, tmp_path / "typescript", "typescript", "harbor-client")
    assert "loyalty_points?: number;" in (typescript / "src/schema.ts").read_text()
    assert (
        "async getOrderReceipt(args: GetOrderReceiptArgs"
        in (typescript / "src/index.ts").read_text()
    )
    assert_compiles(tmp_path, [typescript])


@needs_node
def test_the_typescript_client_compiles_for_petstore_and_the_golden_specs(tmp_path: Path) -> None:
    specs = [PETSTORE, WEBHOOK_EVENTS, *(s for s in GOLDEN if s.parent.name not in TS_BROKEN)]
    outs = [generate(spec, tmp_path / spec.parent.name / spec.stem, "typescript") for spec in specs]
    assert_compiles(tmp_path, outs)


def assert_compiles(tmp_path: Path, packages: list[Path]) -> None:
    """`tsc --strict --noEmit` over the packages at once, with the repository's node_modules."""
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    base = json.loads((packages[0] / "tsconfig.json").read_text())["compilerOptions"]
    config = {
        "compilerOptions": {**base, "noEmit": True, "rootDir": None},
        "include": [f"{p.relative_to(tmp_path)}/src" for p in packages],
    }
    (tmp_path / "tsconfig.json").write_text(json.dumps(config))
    tsc = subprocess.run(
        [str(ROOT / "node_modules/.bin/tsc"), "--strict", "-p", str(tmp_path / "tsconfig.json")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NODE_OPTIONS": ""},
    )
    assert tsc.returncode == 0, tsc.stdout
    shutil.rmtree(tmp_path / "node_modules", ignore_errors=True)
