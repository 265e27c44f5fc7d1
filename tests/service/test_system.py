"""Probes, the served contract and its offline docs, CORS, and start-up refusals."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from service.app import create_app
from tests.fixtures.databases import TEST_DATABASE_URL, with_database
from tests.fixtures.server import ROOT, free_port
from tests.fixtures.service import make_settings, serve, token

SPEC = ROOT / "spec" / "openapi.yaml"
NEWEST = yaml.safe_load(SPEC.read_text())["info"]["version"]


async def test_health_and_ready(client):
    health = await client.get("/health")
    ready = await client.get("/ready")

    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "ok"})


def unreachable_databases(tmp_path: Path) -> list[str]:
    urls = [f"sqlite:///{tmp_path}/no/such/dir/harbor.db"]
    if TEST_DATABASE_URL:
        # Nothing listens there: the app starts anyway and says it is not ready.
        urls.append(with_database(TEST_DATABASE_URL, "x").replace(":5432", f":{free_port()}"))
    return urls


async def test_ready_is_503_with_retry_after_when_the_database_is_down(tmp_path):
    for url in unreachable_databases(tmp_path):
        settings = make_settings(url, db_connect_timeout_seconds=1)
        headers = {"Authorization": f"Bearer {token(settings, 'cus_1')}"}
        async with serve(create_app(settings)) as client:
            health = await client.get("/health")
            ready = await client.get("/ready")
            orders = await client.get("/v1/customers/cus_1/orders", headers=headers)

        assert health.status_code == 200, url
        for response in (ready, orders):
            assert response.status_code == 503, url
            assert response.headers["retry-after"] == "1"
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("/service-unavailable")


async def test_openapi_json_is_the_spec_file(client):
    response = await client.get("/openapi.json")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == yaml.safe_load(SPEC.read_text())


async def test_each_served_version_has_its_contract(client):
    for release in sorted((SPEC.parent / "releases").glob("*.yaml")):
        response = await client.get(f"/openapi/{release.stem}.json")
        assert response.status_code == 200, release
        assert response.headers["content-type"] == "application/json"
        expected = yaml.safe_load((SPEC if release.stem == NEWEST else release).read_text())
        assert response.json() == expected, release
    head = await client.get(f"/openapi/{NEWEST}.json")
    assert head.json() == yaml.safe_load(SPEC.read_text())


async def test_an_unserved_version_has_no_contract_and_says_which_are_served(client):
    response = await client.get("/openapi/0.9.0.json")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "'0.9.0'" in response.json()["detail"]
    assert "1.0.0, 1.1.0" in response.json()["detail"]


async def test_the_docs_try_requests_on_the_server_that_serves_them(client):
    spec = yaml.safe_load(SPEC.read_text())
    served = (await client.get("/docs/openapi.json")).json()

    assert served["servers"][0]["url"] == "/"
    assert served["servers"][1:] == spec["servers"]
    assert served["paths"] == spec["paths"]
    assert served["webhooks"] == spec["webhooks"]


async def test_the_docs_type_discriminated_unions_instead_of_showing_any(client):
    spec = yaml.safe_load(SPEC.read_text())
    served = (await client.get("/docs/openapi.json")).json()
    schemas, original = served["components"]["schemas"], spec["components"]["schemas"]
    typed = {"OrderCreate", "PaymentMethod"}

    request_field = original["OrderCreate"]["properties"]["payment_method"]
    assert "type" not in request_field and "type" not in original["PaymentMethod"]
    assert schemas["OrderCreate"]["properties"]["payment_method"] == {
        **request_field,
        "type": ["object", "null"],
    }
    assert schemas["PaymentMethod"] == {**original["PaymentMethod"], "type": "object"}
    assert {n: s for n, s in schemas.items() if n not in typed} == {
        n: s for n, s in original.items() if n not in typed
    }


async def test_the_docs_behind_a_path_prefix_point_under_it(settings):
    async with serve(create_app(settings), root_path="/api") as prefixed:
        html = (await prefixed.get("/api/docs")).text
        served = (await prefixed.get("/api/docs/openapi.json")).json()

    assert "'/api/docs/openapi.json'" in html
    assert 'src="/api/static/docs/swagger-ui-bundle.js"' in html
    assert served["servers"][0]["url"] == "/api"


async def test_the_docs_assets_are_compressed_and_cacheable(client):
    path = "/static/docs/swagger-ui-bundle.js"
    async with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as bundle:
        sent = b"".join([chunk async for chunk in bundle.aiter_raw()])
    plain = await client.get(path, headers={"Accept-Encoding": "identity"})

    assert bundle.status_code == 200
    assert bundle.headers["content-encoding"] == "gzip"
    assert gzip.decompress(sent) == plain.content
    assert len(sent) < len(plain.content) / 2
    assert "content-encoding" not in plain.headers
    assert "etag" in bundle.headers


@pytest.mark.parametrize(
    ("page", "asset"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
async def test_docs_pages_use_only_local_assets(client, page, asset):
    html = (await client.get(page)).text

    assert "/docs/openapi.json" in html
    assert not re.search(r"(src|href)=\"https?://", html)
    scripts = re.findall(r"src=\"([^\"]+)\"", html)
    assert f"/static/docs/{asset}" in scripts
    for path in scripts + re.findall(r"href=\"([^\"]+)\"", html):
        assert (await client.get(path)).status_code == 200, path


async def test_cors_allows_only_the_configured_origins(settings):
    app = create_app(settings.model_copy(update={"cors_origins": ["https://app.example"]}))
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,idempotency-key",
    }
    async with serve(app) as client:
        allowed = await client.options(
            "/v1/orders", headers={"Origin": "https://app.example", **preflight}
        )
        refused = await client.options(
            "/v1/orders", headers={"Origin": "https://evil.example", **preflight}
        )
        simple = await client.get("/health", headers={"Origin": "https://app.example"})
        foreign = await client.get("/health", headers={"Origin": "https://evil.example"})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://app.example"
    assert refused.status_code == 400
    assert refused.headers["content-type"] == "application/problem+json"
    assert "access-control-allow-origin" not in refused.headers
    assert simple.headers["access-control-allow-origin"] == "https://app.example"
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in foreign.headers


def test_a_wildcard_origin_with_credentials_is_refused_at_start_up():
    with pytest.raises(ValidationError, match="list the origins explicitly"):
        make_settings("sqlite:///x.db", cors_origins="*", cors_allow_credentials=True)


def test_database_url_without_the_prefix_is_honoured(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example:5432/harbor")

    from service.kit.settings import Settings

    assert Settings().database.target == "postgresql://u@db.example:5432/harbor"


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite:///:memory:", "sqlite://"])
def test_an_unusable_database_url_is_refused(url):
    with pytest.raises(ValidationError):
        make_settings(url)


def test_the_trusted_proxies_are_addresses_or_networks():
    settings = make_settings("sqlite:///x.db", forwarded_allow_ips=" 10.0.0.0/8, 192.0.2.7 ,")
    assert settings.forwarded_allow_ips == ["10.0.0.0/8", "192.0.2.7"]
    assert make_settings("sqlite:///x.db", forwarded_allow_ips="").forwarded_allow_ips == []
    with pytest.raises(ValidationError, match=r"HARBOR_FORWARDED_ALLOW_IPS: 'proxy\.local'"):
        make_settings("sqlite:///x.db", forwarded_allow_ips="10.0.0.1,proxy.local")
