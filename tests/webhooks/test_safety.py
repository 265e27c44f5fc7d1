"""Where the worker may send (URL policy, DNS at delivery time), the settings that guard it, and
the retry schedule."""

from __future__ import annotations

import asyncio
import random
import socket
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from standardwebhooks import Webhook

from service.kit.settings import Settings
from service.webhooks.policy import RetryPolicy
from service.webhooks.secrets import new_key
from service.webhooks.sender import HttpxSender
from service.webhooks.signing import new_secret
from service.webhooks.urls import Target, UnsafeUrl, check_url, resolve

PRODUCTION = {
    "environment": "production",
    "jwt_key": "a-production-key-that-is-long-enough-0123456789abcdef",
    "cursor_key": "a-production-cursor-key",
    "webhooks_secret_keys": new_key(),
}


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def fake_dns(monkeypatch, answers: dict[str, list[str]]) -> None:
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host, port, **_):
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


@pytest.mark.parametrize(
    "url",
    [
        "http://hooks.example/x",
        "https://127.0.0.1/x",
        "https://10.0.0.8/x",
        "https://192.168.1.1:8443/x",
        "https://169.254.169.254/latest",
        "https://0.0.0.0/x",
        "https://224.0.0.1/x",
        "https://localhost/x",
        "https://db.localhost/x",
    ],
)
def test_production_policy_refuses(url):
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=False)
    assert check_url(url, allow_private=True).url == url


# What inet_aton/getaddrinfo read as a private address, or a name a resolver may read another
# way: each passed registration once, to be refused only at delivery (or not at all).
@pytest.mark.parametrize(
    "url",
    [
        "https://2130706433/",  # decimal
        "https://017700000001/",  # octal, one part
        "https://0x7f000001/",  # hex
        "https://0x7f.0.0.1/",
        "https://0x7f.0x0.0x0.0x1/",
        "https://0177.0.0.1/",  # octal parts
        "https://127.000.000.001/",
        "https://127.1/",  # short forms
        "https://127.0.1/",
        "https://0x7f.1/",
        "https://0/",
        "https://10.1/",
        "https://0xa9fea9fe/",  # 169.254.169.254
        "https://127.0.0.1./",  # trailing dots
        "https://localhost./",
        "https://LocalHost./",
        "https://db.localhost./",
        "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits, IDNA-folded
        "https://127\u30020\u30020\u30021/",  # ideographic full stops
        "https://\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54/",  # full-width localhost
        "https://%31%32%37.0.0.1/",  # percent-encoded: a WHATWG parser decodes it
        "https://127%2e0%2e0%2e1/",
        "https://a..b/",
        # IPv6 that leads to a private IPv4 address through a translator or tunnel.
        "https://[::127.0.0.1]/",  # IPv4-compatible
        "https://[::ffff:0:7f00:1]/",  # SIIT
        "https://[64:ff9b::127.0.0.1]/",  # NAT64
        "https://[64:ff9b::a9fe:a9fe]/",
        "https://[2002:7f00:1::]/",  # 6to4
        "https://[2002:a00:1::1]/",
        "https://[fec0::1]/",  # site-local
    ],
)
def test_production_policy_refuses_every_notation_of_a_private_host(url):
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=False)


def test_the_checked_host_is_the_resolvers_spelling_and_public_notations_pass():
    target = check_url("https://Hooks.Partner.Example./h", allow_private=False)
    assert (target.host, target.port) == ("hooks.partner.example", 443)
    assert check_url("https://16843009/", allow_private=False).host == "16843009"  # 1.1.1.1
    assert check_url("https://b\u00fccher.example/", allow_private=False).host == (
        "xn--bcher-kva.example"
    )


def test_ipv6_carrying_a_public_ipv4_address_passes():
    for host in ("[64:ff9b::8.8.8.8]", "[2002:808:808::1]", "[2606:4700::1111]"):
        assert check_url(f"https://{host}/", allow_private=False).port == 443


async def test_a_nat64_answer_for_a_private_address_is_refused_at_delivery(monkeypatch):
    fake_dns(monkeypatch, {"nat64.example": ["64:ff9b::a00:1"]})

    with pytest.raises(UnsafeUrl, match="non-public"):
        await resolve(check_url("https://nat64.example/", allow_private=False))


async def test_a_short_form_literal_is_read_as_its_address_at_delivery():
    # 1.1.1.1 as one number: resolve() must not send it to DNS as a name.
    assert await resolve(check_url("https://16843009/", allow_private=False)) == "1.1.1.1"


def test_a_public_https_url_passes_with_its_port():
    target = check_url("https://hooks.partner.example:8443/h?x=1", allow_private=False)

    assert (target.scheme, target.host, target.port) == ("https", "hooks.partner.example", 8443)
    assert check_url("https://93.184.216.34/h", allow_private=False).port == 443


async def test_a_host_resolving_to_a_private_address_is_refused_at_delivery(monkeypatch):
    fake_dns(monkeypatch, {"rebind.example": ["93.184.216.34", "10.0.0.1"]})

    with pytest.raises(UnsafeUrl, match="non-public"):
        await resolve(Target("https://rebind.example/", "https", "rebind.example", 443))
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        await resolve(Target("https://nxdomain.example/", "https", "nxdomain.example", 443))


async def test_the_sender_connects_to_the_checked_address_under_the_urls_name(monkeypatch):
    fake_dns(monkeypatch, {"hooks.partner.example": ["93.184.216.34"]})
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    secret = new_secret()
    async with httpx.AsyncClient(transport=httpx.MockTransport(answer)) as client:
        sender = HttpxSender(client, clock=Clock(), allow_private=False, timeout_seconds=2)
        outcome = await sender.send(
            delivery_id=uuid.uuid4(),
            url="https://hooks.partner.example:8443/h?x=1",
            secrets=[secret],
            body='{"a":1}',
        )

    assert outcome.succeeded
    (request,) = seen
    assert request.url.host == "93.184.216.34"
    assert request.url.port == 8443
    assert request.url.raw_path == b"/h?x=1"
    assert request.headers["host"] == "hooks.partner.example:8443"
    assert request.extensions["sni_hostname"] == "hooks.partner.example"
    Webhook(secret).verify(request.content, dict(request.headers))


async def test_the_sender_never_contacts_a_refused_target(receiver, hook):
    async with httpx.AsyncClient() as client:
        sender = HttpxSender(client, clock=Clock(), allow_private=False, timeout_seconds=2)
        plain = await sender.send(
            delivery_id=uuid.uuid4(), url=receiver.url(hook()), secrets=[new_secret()], body="{}"
        )
        loopback = await sender.send(
            delivery_id=uuid.uuid4(),
            url=receiver.url(hook()).replace("http://", "https://"),
            secrets=[new_secret()],
            body="{}",
        )

    assert plain.error is not None and plain.error.startswith("refused:")
    assert loopback.error is not None and "public" in loopback.error
    assert receiver.at(hook()) == []


async def test_a_redirect_or_an_unreachable_receiver_is_a_failed_attempt(receiver):
    def redirect(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"location": "http://10.0.0.1/"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(redirect)) as client:
        sender = HttpxSender(client, clock=Clock(), allow_private=True, timeout_seconds=2)
        moved = await sender.send(
            delivery_id=uuid.uuid4(), url="http://hooks.example/", secrets=[new_secret()], body="{}"
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    async with httpx.AsyncClient() as client:
        sender = HttpxSender(client, clock=Clock(), allow_private=True, timeout_seconds=2)
        refused = await sender.send(
            delivery_id=uuid.uuid4(),
            url=f"http://127.0.0.1:{closed_port}/",
            secrets=[new_secret()],
            body="{}",
        )

    assert (moved.status_code, moved.succeeded) == (302, False)
    assert refused.status_code is None and refused.error is not None


def test_production_refuses_private_targets_and_defaults_to_refusing_them():
    with pytest.raises(ValidationError, match="HARBOR_WEBHOOKS_ALLOW_PRIVATE"):
        Settings(**PRODUCTION, webhooks_allow_private=True)
    assert Settings(**PRODUCTION).webhooks_private_targets_allowed is False
    assert Settings(environment="test").webhooks_private_targets_allowed is True
    assert (
        Settings(environment="test", webhooks_allow_private=False).webhooks_private_targets_allowed
        is False
    )


def test_a_lease_shorter_than_an_attempt_is_refused():
    with pytest.raises(ValidationError, match="LEASE_SECONDS"):
        Settings(webhooks_lease_seconds=10, webhooks_timeout_seconds=15)


@given(
    attempt=st.integers(min_value=1, max_value=49),
    base=st.floats(min_value=0.01, max_value=100),
    cap=st.floats(min_value=0.01, max_value=100_000),
    seed=st.integers(),
)
def test_every_retry_waits_between_half_and_all_of_the_capped_exponential_delay(
    attempt, base, cap, seed
):
    policy = RetryPolicy(max_attempts=50, base_seconds=base, max_seconds=cap)

    delay = policy.delay(attempt, random.Random(seed))

    ceiling = min(cap, base * 2 ** (attempt - 1))
    assert delay is not None
    assert timedelta(seconds=ceiling / 2) - timedelta(microseconds=1) <= delay
    assert delay <= timedelta(seconds=ceiling) + timedelta(microseconds=1)


def test_there_is_no_retry_after_the_last_attempt():
    policy = RetryPolicy(max_attempts=3, base_seconds=1, max_seconds=10)

    assert policy.delay(2, random.Random(1)) is not None
    assert policy.delay(3, random.Random(1)) is None
