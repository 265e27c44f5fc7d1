"""The Python client tells a field left out from a field set to null, both ways (PATCH needs it)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tests.clients.test_generate import generate, import_client

SPEC = """\
openapi: 3.1.0
info: {title: Pets, version: 1.0.0}
paths:
  /pets:
    put:
      operationId: replacePets
      requestBody:
        required: true
        content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/PetPatch'}}}}
      responses: {'204': {description: replaced}}
  /pets/{pet_id}:
    parameters:
      - {name: pet_id, in: path, required: true, schema: {type: integer}}
    get:
      operationId: getPet
      responses: &pet
        '200':
          description: the pet
          content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}
    patch:
      operationId: updatePet
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: '#/components/schemas/PetPatch'}}}
      responses: *pet
components:
  schemas:
    Owner:
      type: object
      properties:
        name: {type: string}
        phone: {type: [string, 'null']}
    PetPatch:
      type: object
      properties:
        name: {type: string}
        tag: {type: [string, 'null']}
        owner:
          oneOf: [{$ref: '#/components/schemas/Owner'}, {type: 'null'}]
    Pet:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        tag: {type: [string, 'null']}
"""


@pytest.fixture(scope="module")
def pets(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    folder = tmp_path_factory.mktemp("pets")
    spec = folder / "spec.yaml"
    spec.write_text(SPEC)
    return import_client(generate(spec, folder / "client"))


def _sent(pets: ModuleType, call: str, *args: object, answer: object = None) -> object:
    """The JSON body the client sends for `client.<call>(*args)`."""
    bodies: list[object] = []

    def respond(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json=answer) if answer else httpx.Response(204)

    with pets.PetsClient("http://pets.test", transport=httpx.MockTransport(respond)) as client:
        getattr(client, call)(*args)
    (body,) = bodies
    return body


def test_a_field_never_set_is_left_out_and_one_set_to_none_is_sent_as_null(
    pets: ModuleType,
) -> None:
    pet = {"id": 7, "name": "Rex"}
    patch = pets.models.PetPatch
    assert _sent(pets, "update_pet", 7, patch(), answer=pet) == {}
    assert _sent(pets, "update_pet", 7, patch(tag=None), answer=pet) == {"tag": None}
    assert _sent(pets, "update_pet", 7, patch(name="Max", tag="dog"), answer=pet) == {
        "name": "Max",
        "tag": "dog",
    }
    # Nested models too: the owner's phone is cleared, its name left as it is.
    owner = pets.models.Owner(phone=None)
    assert _sent(pets, "update_pet", 7, patch(owner=owner), answer=pet) == {
        "owner": {"phone": None}
    }
    # A field assigned after construction counts as set (pydantic tracks `model_fields_set`).
    later = patch()
    later.tag = None
    assert _sent(pets, "update_pet", 7, later, answer=pet) == {"tag": None}


def test_models_inside_a_list_body_keep_the_distinction(pets: ModuleType) -> None:
    patch = pets.models.PetPatch
    assert _sent(pets, "replace_pets", [patch(tag=None), patch(name="Max")]) == [
        {"tag": None},
        {"name": "Max"},
    ]


def test_a_response_says_whether_a_field_was_present(pets: ModuleType, tmp_path: Path) -> None:
    answers = iter([{"id": 7, "name": "Rex", "tag": None}, {"id": 7, "name": "Rex"}])

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(answers))

    with pets.PetsClient("http://pets.test", transport=httpx.MockTransport(respond)) as client:
        null, absent = client.get_pet(7), client.get_pet(7)
    assert null.tag is None and absent.tag is None
    assert "tag" in null.model_fields_set and "tag" not in absent.model_fields_set
