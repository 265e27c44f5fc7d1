"""The app and the spec agree: every operation served, every generated Protocol implemented."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml
from fastapi.routing import APIRoute

import generated
from service.app import create_app
from service.notes import NotesHandlers

SPEC = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# Each generated Protocol (generated.ROUTERS) with the class of service/ that implements it.
IMPLEMENTATIONS = {"NotesApi": NotesHandlers}


def test_the_app_serves_exactly_the_operations_of_the_spec() -> None:
    spec = yaml.safe_load(SPEC.read_text())
    declared = {
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in item
        if method in METHODS
    }
    served = {
        (method, route.path)
        for route in create_app(frozenset()).routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }
    assert served == declared


def test_every_generated_protocol_has_an_implementation_with_its_methods() -> None:
    assert {name for name, _ in generated.ROUTERS} == set(IMPLEMENTATIONS)
    for name, implementation in IMPLEMENTATIONS.items():
        protocol = getattr(generated, name)
        wanted = {
            n for n, f in inspect.getmembers(protocol, inspect.isfunction) if not n.startswith("_")
        }
        missing = {
            n for n in wanted if not inspect.iscoroutinefunction(getattr(implementation, n, None))
        }
        assert not missing, f"{implementation.__name__} lacks {sorted(missing)} of {name}"
