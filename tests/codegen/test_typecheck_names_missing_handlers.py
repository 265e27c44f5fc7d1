"""A new operation in the spec makes mypy fail on every implementation that lacks its handler."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from harbor_pipeline.codegen.load import load
from harbor_pipeline.codegen.pipeline import build_server

SPEC = {
    "openapi": "3.1.0",
    "info": {"title": "Growing", "version": "1"},
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "tags": ["items"],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"type": "string"}}
                            }
                        },
                    }
                },
            }
        }
    },
}

HANDLERS = """
from pkg import models
from pkg.items import ItemsApi, ListItemsOk, create_items_router


class Handlers:
    async def list_items(self) -> ListItemsOk:
        return ListItemsOk(body=models.ListItems200Response(["a"]))


class Hooks:
    async def no_security_scheme(self) -> str:
        return "anyone"


router = create_items_router(Handlers(), security=Hooks())
"""


def mypy(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-incremental",
            "--config-file=/dev/null",
            "pkg",
            "handlers.py",
        ],
        capture_output=True,
        text=True,
        cwd=directory,
        check=False,
    )


def generate(spec: dict[str, object], directory: Path) -> None:
    path = directory / "spec.yaml"
    path.write_text(yaml.safe_dump(spec))
    build_server(load(path), directory / "pkg", source="spec.yaml")


def test_adding_an_operation_fails_the_type_check_until_it_is_implemented(tmp_path: Path) -> None:
    generate(SPEC, tmp_path)
    (tmp_path / "handlers.py").write_text(HANDLERS)
    assert mypy(tmp_path).returncode == 0

    grown = {
        **SPEC,
        "paths": {
            **SPEC["paths"],
            "/items/{id}": {
                "delete": {
                    "operationId": "deleteItem",
                    "tags": ["items"],
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {"204": {"description": "gone"}},
                }
            },
        },
    }

    shutil.rmtree(tmp_path / "pkg")
    generate(grown, tmp_path)
    failed = mypy(tmp_path)
    assert failed.returncode == 1
    assert 'Argument 1 to "create_items_router" has incompatible type "Handlers"' in failed.stdout
    assert "delete_item" in failed.stdout

    (tmp_path / "handlers.py").write_text(
        HANDLERS.replace(
            "class Hooks:",
            "    async def delete_item(self, *, id: int) -> DeleteItemNoContent:\n        return DeleteItemNoContent()\n\n\nclass Hooks:",
        ).replace(
            "from pkg.items import ItemsApi,",
            "from pkg.items import DeleteItemNoContent, ItemsApi,",
        )
    )
    assert mypy(tmp_path).returncode == 0, mypy(tmp_path).stdout
