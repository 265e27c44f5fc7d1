"""The golden packages at work: mounted on FastAPI with fake handlers, driven over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

PET_ID = uuid.UUID("4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f")


class Hooks:
    """Bearer tokens are `user:<name>`; the API key `secret` is the principal `key`."""

    async def bearer(self, credential: str) -> str:
        if not credential.startswith("user:"):
            raise ValueError("bad token")
        return credential

    async def api_key(self, credential: str) -> str:
        return "key" if credential == "secret" else "nobody"


def pets_impl(pkg: ModuleType, calls: list[tuple[str, dict[str, Any]]]) -> Any:
    pets, models = pkg.pets, pkg.models

    def pet(name: str = "rex") -> Any:
        return models.Pet(
            id=PET_ID,
            name=name,
            kind=models.PetKind.DOG,
            details=models.Dog(kind="dog", barks=True),
        )

    class Impl:
        async def list_pets(self, **kwargs: Any) -> Any:
            calls.append(("list_pets", kwargs))
            return pets.ListPetsOk(body=models.ListPets200Response([pet()]), x_total=1, x_next=None)

        async def create_pet(self, **kwargs: Any) -> Any:
            calls.append(("create_pet", kwargs))
            if kwargs["body"].name == "again":
                return pets.CreatePetOk(body=pet("again"))
            return pets.CreatePetCreated(body=pet(kwargs["body"].name), location=f"/pets/{PET_ID}")

        async def get_pet(self, **kwargs: Any) -> Any:
            calls.append(("get_pet", kwargs))
            return pets.GetPetOk(body=pet())

        async def delete_pet(self, **kwargs: Any) -> Any:
            calls.append(("delete_pet", kwargs))
            return pets.DeletePetNoContent()

    return Impl()


@pytest.fixture
def features(golden_package: Callable[[str], ModuleType]) -> ModuleType:
    return golden_package("all_features")


@pytest.fixture(params=[False, True], ids=["fastapi", "dispatch"])
def dispatch(request: pytest.FixtureRequest) -> bool:
    """Every app below is tried as FastAPI serves it and with the generated CompiledDispatch
    as its innermost middleware: the answers must be the same."""
    return bool(request.param)


def with_dispatch(app: FastAPI, features: ModuleType, dispatch: bool) -> FastAPI:
    if dispatch:
        app.add_middleware(features._routing.CompiledDispatch, router=app.router)
    return app


@pytest.fixture
async def client(
    features: ModuleType, dispatch: bool
) -> AsyncIterator[tuple[httpx.AsyncClient, list[tuple[str, dict[str, Any]]]]]:
    calls: list[tuple[str, dict[str, Any]]] = []
    app = with_dispatch(FastAPI(), features, dispatch)
    app.include_router(
        features.pets.create_pets_router(pets_impl(features, calls), security=Hooks())
    )

    class Media:
        async def upload_photo(self, **kwargs: Any) -> Any:
            calls.append(("upload_photo", kwargs))
            return features.media.UploadPhotoOk(body=f"{len(kwargs['body'])} bytes")

    app.include_router(features.media.create_media_router(Media(), security=Hooks()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        yield http, calls


AUTH = {"Authorization": "Bearer user:ann", "X-Trace": "abcdef01"}


async def test_parameters_arrive_typed_with_their_defaults(
    client: Any, features: ModuleType
) -> None:
    http, calls = client
    response = await http.get(
        "/pets",
        params={"kind": "cat", "tags": ["a", "b"]},
        headers={**AUTH, "Cookie": "session=abcd"},
    )
    assert response.status_code == 200
    assert response.headers["X-Total"] == "1" and "X-Next" not in response.headers
    name, kwargs = calls[-1]
    assert name == "list_pets"
    assert kwargs["limit"] == 10 and kwargs["kind"] is features.models.PetKind.CAT
    assert (
        kwargs["tags"] == ["a", "b"]
        and kwargs["x_trace"] == "abcdef01"
        and kwargs["session"] == "abcd"
    )
    assert kwargs["principal"] == "user:ann" and kwargs["sort"] is None


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"limit": "51"}, AUTH),
        ({"limit": "0"}, AUTH),
        ({"kind": "fish"}, AUTH),
        ({"sort": "age"}, AUTH),
        ({"weight": "0"}, AUTH),
        ({"weight": "100.5"}, AUTH),
        ({"tags": ["x" * 11]}, AUTH),
        ({}, {"Authorization": "Bearer user:ann", "X-Trace": "ABCDEF01"}),
        ({}, {"Authorization": "Bearer user:ann"}),
    ],
)
async def test_every_parameter_constraint_is_enforced(
    client: Any, params: dict[str, Any], headers: dict[str, str]
) -> None:
    http, calls = client
    response = await http.get("/pets", params=params, headers=headers)
    assert response.status_code == 422
    assert calls == []


async def test_missing_credentials_are_401_with_a_challenge(client: Any) -> None:
    http, _ = client
    response = await http.get("/pets", headers={"X-Trace": "abcdef01"})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Bearer"


async def test_an_alternative_scheme_authenticates(client: Any) -> None:
    http, calls = client
    response = await http.delete(f"/pets/{PET_ID}", headers={"X-API-Key": "secret"})
    assert response.status_code == 204 and response.content == b""
    assert calls[-1][1] == {"pet_id": PET_ID, "principal": "key"}


async def test_a_deprecated_operation_announces_its_dates_and_the_others_do_not(
    client: Any,
) -> None:
    http, _ = client
    response = await http.delete(f"/pets/{PET_ID}", headers={"X-API-Key": "secret"})
    assert response.headers["Deprecation"] == "@1782864000"  # 2026-07-01T00:00:00Z
    assert response.headers["Sunset"] == "Sun, 31 Jan 2027 00:00:00 GMT"
    assert response.headers["Link"] == (
        '<https://example.com/docs/deprecations#delete-pet>; rel="deprecation"'
    )
    other = await http.get(f"/pets/{PET_ID}")
    assert not {"deprecation", "sunset", "link"} & set(other.headers)


async def test_an_operation_without_security_gets_no_principal(client: Any) -> None:
    http, calls = client
    response = await http.get(f"/pets/{PET_ID}")
    assert response.status_code == 200
    assert calls[-1][1] == {"pet_id": PET_ID}


async def test_results_choose_status_and_headers(client: Any) -> None:
    http, _ = client
    body = {"name": "bo", "kind": "cat", "details": {"kind": "cat", "lives": 9}, "nickname": None}
    created = await http.post("/pets", json=body, headers={**AUTH, "Idempotency-Key": "k"})
    assert created.status_code == 201 and created.headers["Location"] == f"/pets/{PET_ID}"
    again = await http.post(
        "/pets", json={**body, "name": "again"}, headers={**AUTH, "Idempotency-Key": "k"}
    )
    assert again.status_code == 200 and "Location" not in again.headers


@pytest.mark.parametrize(
    "body",
    [
        {"name": "bo", "kind": "cat", "details": {"kind": "cat", "barks": True}},
        {"name": "bo", "kind": "cat", "details": {"kind": "fish"}},
        {"name": "bo", "kind": "cat", "surprise": 1},
        {"name": "", "kind": "cat"},
        {"name": "bo", "kind": "cat", "nickname": "x" * 21},
    ],
)
async def test_request_bodies_are_validated_by_the_models(
    client: Any, body: dict[str, Any]
) -> None:
    http, calls = client
    response = await http.post("/pets", json=body, headers={**AUTH, "Idempotency-Key": "k"})
    assert response.status_code == 422
    assert calls == []


async def test_a_discriminated_union_arrives_as_its_branch(
    client: Any, features: ModuleType
) -> None:
    http, calls = client
    body = {"name": "bo", "kind": "cat", "details": {"kind": "cat", "lives": 3}}
    await http.post("/pets", json=body, headers={**AUTH, "Idempotency-Key": "k"})
    assert isinstance(calls[-1][1]["body"].details, features.models.Cat)


async def test_undeclared_media_types_are_refused_with_415(client: Any) -> None:
    http, calls = client
    response = await http.post(
        "/pets",
        content=b"name=bo",
        headers={
            **AUTH,
            "Idempotency-Key": "k",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 415
    assert calls == []


async def test_binary_bodies_and_text_responses(client: Any) -> None:
    http, calls = client
    response = await http.put(
        "/pets/7/photo",
        content=b"\x89PNG....",
        headers={"Authorization": "Bearer user:ann", "Content-Type": "image/png"},
    )
    assert response.status_code == 200
    assert response.text == "8 bytes" and response.headers["content-type"].startswith("text/plain")
    assert calls[-1][1]["pet_id"] == 7


def test_an_incomplete_implementation_is_refused_when_the_app_is_assembled(
    features: ModuleType,
) -> None:
    class Partial:
        async def list_pets(self, **kwargs: Any) -> Any:
            raise AssertionError

    with pytest.raises(
        TypeError,
        match="Partial does not implement PetsApi: missing create_pet, get_pet, delete_pet",
    ):
        features.pets.create_pets_router(Partial(), security=Hooks())


async def test_an_implementation_can_come_from_a_dependency(features: ModuleType) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    made: list[int] = []

    async def per_request() -> Any:
        made.append(1)
        return pets_impl(features, calls)

    app = FastAPI()
    app.include_router(features.pets.create_pets_router(per_request, security=Hooks()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        for _ in range(2):
            assert (await http.get(f"/pets/{PET_ID}")).status_code == 200
    assert made == [1, 1]


async def test_openapi_30_nullable_and_default_responses(
    golden_package: Callable[[str], ModuleType],
) -> None:
    pkg = golden_package("openapi30")
    models = pkg.models
    account = models.Account(
        id=1, balance=5, closed_at=None, status=models.AccountStatus.OPEN, holder=None
    )
    assert account.closed_at is None and account.holder is None

    class Impl:
        async def get_account(self, **kwargs: Any) -> Any:
            assert kwargs["principal"] == "key" and kwargs["expand"] is None
            return pkg.accounts.GetAccountOk(body=account)

    class Key:
        async def key(self, credential: str) -> str:
            return "key"

    app = FastAPI()
    app.include_router(pkg.accounts.create_accounts_router(Impl(), security=Key()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        ok = await http.get("/accounts/2", params={"api_key": "k"})
        assert ok.status_code == 200 and ok.json()["closed_at"] is None
        assert (
            await http.get("/accounts/1", params={"api_key": "k"})
        ).status_code == 422  # exclusiveMinimum
        assert (await http.get("/accounts/2")).status_code == 401


def test_recursive_models_validate_deep_trees(golden_package: Callable[[str], ModuleType]) -> None:
    models = golden_package("recursive").models
    tree = models.Node.model_validate(
        {
            "name": "a",
            "children": [{"name": "b", "children": [{"name": "c", "children": []}]}],
            "parent": None,
        }
    )
    assert tree.children[0].children[0].name == "c"
    person = models.Person.model_validate(
        {"name": "p", "best_friend": {"name": "q"}, "favourite": {"name": "n", "children": []}}
    )
    assert person.best_friend is not None and person.best_friend.name == "q"


def test_awkward_names_are_sanitised(golden_package: Callable[[str], ModuleType]) -> None:
    pkg = golden_package("names")
    assert hasattr(pkg.default.DefaultApi, "meta_root") and hasattr(
        pkg.things_stuff.ThingsStuffApi, "post_things"
    )
    sample = pkg.models.MetaRoot200Response.model_validate({"date": "2026-01-02", "from": "x"})
    assert str(sample.date) == "2026-01-02" and sample.from_ == "x"
    params = pkg.default.DefaultApi.meta_root.__code__.co_varnames
    assert {"class_", "id_query", "id_header", "param_2fa_code", "page_size"} <= set(params)


async def test_real_world_constructs(golden_package: Callable[[str], ModuleType]) -> None:
    pkg = golden_package("realworld")
    users, models = pkg.users, pkg.models
    assert {"get_users", "get_users_2"} <= set(
        vars(users.UsersApi)
    )  # `Users` and `users` share a module
    seen: dict[str, Any] = {}

    class Impl:
        async def get_users(self, **kwargs: Any) -> Any:
            seen.update(kwargs)
            return users.GetUsersOk(
                body=models.GetUsers200Response([models.User(email="a@b.example")])
            )

        async def get_users_2(self, **kwargs: Any) -> Any:
            return users.GetUsers2Success()

        async def put_users_user_id_groups_group_id(self, **kwargs: Any) -> Any:
            seen.update(kwargs)
            return users.PutUsersUserIdGroupsGroupIdDefault(body=models.Group(name="ops"))

        async def patch_users_user_id_groups_group_id(self, **kwargs: Any) -> Any:
            return users.PatchUsersUserIdGroupsGroupIdNoContent()

    class Raw:
        async def post_raw(self, **kwargs: Any) -> Any:
            seen.update(kwargs)
            return pkg.default.PostRawOk()

    class Hooks:
        async def no_security_scheme(self) -> str:
            return ""

    app = FastAPI()
    app.include_router(users.create_users_router(Impl(), security=Hooks()))
    app.include_router(pkg.default.create_default_router(Raw(), security=Hooks()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        listed = await http.get("/users", params={"MaxResults": 1, "maxResults": 2})
        assert listed.json() == [{"email": "a@b.example"}]
        assert (seen["max_results"], seen["max_results_2"]) == (1, 2)
        assert (await http.get("/users/~")).status_code == 200
        put = await http.put(
            "/users/3/groups/g", json={"role": "admin"}, headers={"Content-Type": "text/json"}
        )
        assert put.status_code == 200
        assert put.json() == {"name": "ops"}
        assert seen["body"].root.role == "admin"
        raw = await http.post("/raw", json={"any": ["json", 1]})
        assert raw.status_code == 200
        assert seen["body"] == {"any": ["json", 1]}
        bad_email = await http.put(
            "/users/3/groups/g", json={"role": 5}, headers={"Content-Type": "text/json"}
        )
        assert bad_email.status_code == 422


@pytest.fixture
async def direct(
    features: ModuleType, dispatch: bool
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, list[tuple[str, dict[str, Any]]]]]:
    """The pets routes straight on the app's router, as the service mounts them: the simple
    ones run the compiled handler in the route's own lean ASGI app, or straight from the
    dispatch."""
    calls: list[tuple[str, dict[str, Any]]] = []
    app = with_dispatch(FastAPI(), features, dispatch)
    impl = pets_impl(features, calls)
    features.pets.create_pets_router(impl, security=Hooks(), router=app.router)
    compiled = {(r.path, *r.methods) for r in app.router.routes if getattr(r, "_fast", None)}
    assert compiled == {("/pets", "POST"), ("/pets/{pet_id}", "GET")}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app), base_url="http://test"
    ) as http:
        yield app, http, calls


PET = {"name": "bo", "kind": "cat", "details": {"kind": "cat", "lives": 9}}


async def test_a_compiled_route_answers_errors_through_the_apps_handlers(direct: Any) -> None:
    app, http, _ = direct

    @app.exception_handler(HTTPException)
    async def teapot(_: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"handled": exc.status_code}, status_code=418)

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"invalid": [e["loc"] for e in exc.errors()]}, status_code=400)

    # The security hook refuses (401 raised inside the compiled handler) ...
    refused = await http.post("/pets", json=PET, headers={"Idempotency-Key": "k"})
    assert (refused.status_code, refused.json()) == (418, {"handled": 401})
    # ... an undeclared media type (415 from the guard dependency) ...
    wrong = await http.post("/pets", content=b"x", headers={**AUTH, "Content-Type": "text/csv"})
    assert (wrong.status_code, wrong.json()) == (418, {"handled": 415})
    # ... and a parameter that fails validation.
    bad = await http.get("/pets/not-a-uuid")
    assert (bad.status_code, bad.json()) == (400, {"invalid": [["path", "pet_id"]]})


async def test_dependency_overrides_reach_a_compiled_route(direct: Any) -> None:
    app, http, calls = direct
    route = next(
        r for r in app.router.routes if getattr(r, "path", "") == "/pets" and "POST" in r.methods
    )
    authenticator = route.dependant.dependencies[-1].call

    async def as_tester() -> str:
        return "tester"

    app.dependency_overrides[authenticator] = as_tester
    key = {"Idempotency-Key": "k"}
    created = await http.post("/pets", json=PET, headers=key)  # no credentials: the override
    assert created.status_code == 201
    assert calls[-1][1]["principal"] == "tester"
    app.dependency_overrides.clear()
    assert (await http.post("/pets", json=PET, headers=key)).status_code == 401
