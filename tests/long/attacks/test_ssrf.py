"""SSRF through webhook endpoint URLs, against the production policy: every private host in
every spelling refused by check_url (so at registration), every private DNS answer refused by
resolve at delivery, a DNS answer that changes between attempts (rebinding) and redirects to a
private address never reached, and the same URLs refused through the API of a production server
(422) and never stored. Nothing leaves 127.0.0.1: DNS is faked and the receivers are local."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from service.kit.clock import SystemClock
from service.webhooks.secrets import new_key
from service.webhooks.sender import HttpxSender, Outcome, create_client
from service.webhooks.signing import new_secret
from service.webhooks.urls import UnsafeUrl, check_url, resolve
from tests.fixtures.databases import fresh_database
from tests.fixtures.server import running_server
from tests.fixtures.service import make_settings
from tests.long.attacks.refusal import INVALID, URL_REFUSED, attack, family
from tests.long.attacks.ssrf import PRIVATE_V4, PRIVATE_V6, urls
from tests.long.hostile.checker import Expect
from tests.long.hostile.fakes import fake_world, raw_server
from tests.long.hostile.operations import operations
from tests.long.hostile.runner import run_case
from tests.long.hostile.server import NO_RATE_LIMITS
from tests.long.hostile.template import body_expectation, case, template
from tests.long.hostile.world import World
from tests.webhooks.receiver import running_receiver
from tests.webhooks.test_safety import fake_dns

pytestmark = pytest.mark.slow

PUBLIC = "93.184.216.34"
PUBLIC_URL = "https://hooks.partner.example/x"  # never connected to: the transport that "reaches" it is a fake
PRODUCTION_KEY = (
    "s" * 32
)  # the fake world's issuer signs with it; production refuses only the dev key


def test_check_url_refuses_every_private_host_in_every_spelling() -> None:
    fam = family("ssrf: check_url at registration")
    for name, url in urls().items():
        try:
            target = check_url(url, allow_private=False)
        except UnsafeUrl:
            fam.record(name, [])
        else:
            fam.record(f"{name}: {url}", [f"accepted as host {target.host!r}"])
    fam.verdict()


async def test_resolve_refuses_every_private_answer_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fam = family("ssrf: resolve at delivery (DNS answers)")
    answers = [
        *PRIVATE_V4.values(),
        *(h.strip("[]").replace("%25", "%") for h in PRIVATE_V6.values()),
    ]
    answers += ["::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a9fe:a9fe::1"]
    names = {f"private-{n}.attacker.example": [a] for n, a in enumerate(answers)}
    # One private address among public ones is enough to refuse the host.
    names |= {f"mixed-{n}.attacker.example": [PUBLIC, a] for n, a in enumerate(answers)}
    fake_dns(monkeypatch, names)
    for name, addresses in names.items():
        target = check_url(f"https://{name}/hook", allow_private=False)  # a name: passes
        try:
            chosen = await resolve(target)
        except UnsafeUrl:
            fam.record(name, [])
        else:
            fam.record(f"{name} -> {addresses}", [f"resolved to {chosen}"])
    fam.verdict()


def _production_sender(client: httpx.AsyncClient) -> HttpxSender:
    return HttpxSender(client, clock=SystemClock(), allow_private=False, timeout_seconds=5)


async def _send(sender: HttpxSender, url: str) -> Outcome:
    return await sender.send(delivery_id=uuid.uuid4(), url=url, secrets=[new_secret()], body="{}")


async def test_a_rebinding_name_never_reaches_the_local_receiver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name answers a public address at first, then 127.0.0.1: the attempt that gets the
    public answer connects to that address (no second look-up between check and connection),
    the later ones are refused and the receiver on 127.0.0.1 sees nothing."""
    fam = family("ssrf: rebinding and redirects at delivery")
    lookups: list[str] = []

    async def rebinding(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        lookups.append(host)
        address = PUBLIC if len(lookups) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    async with running_receiver() as receiver:
        port = receiver.base_url.rsplit(":", 1)[1]
        url = f"https://rebind.attacker.example:{port}/rebind/ok"
        seen: list[httpx.Request] = []

        def fake_public(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(204)

        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", rebinding)
        async with httpx.AsyncClient(transport=httpx.MockTransport(fake_public)) as fake:
            first = await _send(_production_sender(fake), url)
        connected = [r.url.host for r in seen]
        fam.expect(
            "first answer public: connected to that address, one look-up",
            first.succeeded and connected == [PUBLIC] and len(lookups) == 1,
            f"outcome {first}, connected to {connected}, look-ups {lookups}",
        )
        async with create_client(make_settings("sqlite:///unused.db")) as real:
            for attempt in range(3):
                later = await _send(_production_sender(real), url)
                fam.expect(
                    f"answer 127.0.0.1, attempt {attempt + 2}",
                    (later.error or "").startswith("refused:"),
                    f"outcome {later}",
                )
        fam.expect("the receiver got nothing", not receiver.requests, f"{receiver.requests}")
    fam.verdict()


async def test_a_redirect_to_a_private_address_is_not_followed() -> None:
    fam = family("ssrf: rebinding and redirects at delivery")
    async with running_receiver() as receiver:
        target = receiver.url("redirected/ok")
        for status in (301, 302, 303, 307, 308):

            def redirect(_: bytes, __: World, status: int = status) -> bytes:
                return (
                    f"HTTP/1.1 {status} Moved\r\nlocation: {target}\r\ncontent-length: 0\r\n"
                    "connection: close\r\n\r\n"
                ).encode()

            # The worker's own client (create_client); private targets allowed only so that the
            # redirecting server on 127.0.0.1 is reachable at all.
            with raw_server(redirect, fake_world()) as port:
                async with create_client(make_settings("sqlite:///unused.db")) as client:
                    sender = HttpxSender(
                        client, clock=SystemClock(), allow_private=True, timeout_seconds=5
                    )
                    outcome = await _send(sender, f"http://127.0.0.1:{port}/moved")
            fam.expect(
                f"{status} to {target}",
                outcome.status_code == status and not outcome.succeeded,
                f"outcome {outcome}",
            )
        fam.expect("the redirect target got nothing", not receiver.requests, f"{receiver.requests}")
    fam.verdict()


@pytest.fixture
async def production(tmp_path: Path) -> AsyncIterator[World]:
    """A server in production mode (private webhook targets refused), and a world to attack it
    with: made-up customers whose tokens it accepts."""
    async with (
        fresh_database("sqlite", tmp_path) as url,
        running_server(
            url,
            tmp_path,
            environment="production",
            jwt_key=PRODUCTION_KEY,
            cursor_key=secrets.token_hex(32),
            webhooks_secret_keys=new_key(),
            access_log="false",
            environ=NO_RATE_LIMITS,
        ) as server,
    ):
        yield fake_world(int(server.base_url.rsplit(":", 1)[1]))


async def test_the_api_in_production_refuses_every_private_url(production: World) -> None:
    fam = family("ssrf: POST /v1/webhook-endpoints (production)")
    world = production
    op = next(op for op in operations() if op.operation_id == "createWebhookEndpoint")
    t = template(op, world)
    assert t.body is not None
    doc = json.loads(t.body)

    def body(url: str) -> bytes:
        return json.dumps({**doc, "url": url}).encode()

    # The baseline: a public https URL is registered (no DNS at registration), so each refusal
    # below is the URL's.
    public = case(
        t.with_body(body(PUBLIC_URL)),
        world,
        "ssrf",
        "public",
        Expect.SUCCESS,
    )
    verdict = run_case(world.host, world.port, public)
    assert verdict.ok and verdict.status == 201, verdict.message()
    for name, url in urls().items():
        # The spec's pattern refuses most spellings (validation-error); what it lets through,
        # the URL policy refuses (webhook-url-refused).
        refusal = INVALID if body_expectation(op, body(url)) is Expect.REJECT else URL_REFUSED
        attack(
            world, fam, case(t.with_body(body(url)), world, "ssrf", name, Expect.REJECT), refusal
        )
    async with httpx.AsyncClient(base_url=f"http://{world.host}:{world.port}") as client:
        listed = await client.get(
            "/v1/webhook-endpoints?limit=100",
            headers={"Authorization": f"Bearer {world.token(world.a)}"},
        )
    stored = [e["url"] for e in listed.json()["data"]]
    fam.expect("only the public URL stored", stored == [PUBLIC_URL], f"stored {stored}")
    fam.verdict()
