"""The generated Authenticator reads a bearer header itself exactly as FastAPI's HTTPBearer
(auto_error=False) does, and leaves any other reader, a subclass included, to itself."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest
from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer


@pytest.fixture
def runtime(golden_package: Callable[[str], ModuleType]) -> ModuleType:
    return golden_package("all_features")._runtime


def _request(authorization: str | None) -> Request:
    headers = [] if authorization is None else [(b"authorization", authorization.encode())]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "Bearer tok",
        "bearer tok",
        "BEARER tok",
        "Bearer   tok  ",
        "Bearer a b",
        "Basic dXNlcjpwdw==",
        " Bearer tok",
    ],
)
async def test_the_same_credential_as_httpbearer(runtime, authorization):
    expected = await HTTPBearer(auto_error=False)(_request(authorization))
    got = runtime._bearer(_request(authorization))
    if expected is None:
        assert got is None
    else:
        assert isinstance(got, HTTPAuthorizationCredentials)
        assert (got.scheme, got.credentials) == (expected.scheme, expected.credentials)


async def _principal(token: HTTPAuthorizationCredentials) -> str:
    return token.credentials


async def test_only_fastapis_own_lenient_httpbearer_is_read_directly(runtime):
    class Strict(HTTPBearer):
        async def __call__(self, request):  # type: ignore[override]
            return HTTPAuthorizationCredentials(scheme="Bearer", credentials="from-subclass")

    plain = runtime.Authenticator(HTTPBearer(auto_error=False), _principal, "Bearer")
    subclass = runtime.Authenticator(Strict(auto_error=False), _principal, "Bearer")
    raising = runtime.Authenticator(HTTPBearer(auto_error=True), _principal, "Bearer")
    assert (plain._bearer, subclass._bearer, raising._bearer) == (True, False, False)
    assert await plain(_request("Bearer tok")) == "tok"
    assert await subclass(_request("Bearer tok")) == "from-subclass"
    with pytest.raises(HTTPException) as refused:
        await plain(_request(None))
    assert refused.value.status_code == 401
