"""Sending one signed delivery with httpx: checked target, pinned address, bounded in time and size."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

import httpx

from service.kit.clock import Clock
from service.kit.settings import Settings
from service.webhooks.signing import signature_headers
from service.webhooks.urls import UnsafeUrl, check_url, resolve

USER_AGENT = "Harbor-Webhooks/1.0"
# The answer's body is never used; reading a little of it keeps the connection reusable, and
# a receiver streaming without end cannot hold the worker.
_MAX_RESPONSE_BYTES = 64 * 1024
_MAX_ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one attempt went: the receiver's status if it answered, and why it failed if it did."""

    status_code: int | None
    error: str | None

    @property
    def succeeded(self) -> bool:
        return self.error is None


class Sender(Protocol):
    async def send(
        self, *, delivery_id: UUID, url: str, secrets: Sequence[str], body: str
    ) -> Outcome:
        """One attempt signed with each of `secrets` (plain); never raises for anything the
        receiver or the network does."""


def create_client(settings: Settings) -> httpx.AsyncClient:
    """The worker's one HTTP client: explicit timeouts, as many connections as attempts in flight,
    no redirects (a 3xx is a failed attempt), no proxy from the environment (it would bypass the
    address check)."""
    concurrency = settings.webhooks_concurrency
    return httpx.AsyncClient(
        timeout=httpx.Timeout(
            settings.webhooks_timeout_seconds, connect=settings.webhooks_connect_timeout_seconds
        ),
        limits=httpx.Limits(
            max_connections=concurrency,
            max_keepalive_connections=concurrency,
            keepalive_expiry=30.0,
        ),
        follow_redirects=False,
        trust_env=False,
    )


class HttpxSender:
    """Sender over an httpx client. Unless private targets are allowed, the host is resolved here
    and the connection made to the address that passed the check (the TLS name and the Host
    header stay the URL's), so DNS cannot swap in an internal address in between."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        clock: Clock,
        allow_private: bool,
        timeout_seconds: float,
    ) -> None:
        self._client = client
        self._clock = clock
        self._allow_private = allow_private
        self._timeout = timeout_seconds

    async def send(
        self, *, delivery_id: UUID, url: str, secrets: Sequence[str], body: str
    ) -> Outcome:
        try:
            async with asyncio.timeout(self._timeout):
                return await self._send(delivery_id, url, secrets, body)
        except UnsafeUrl as exc:
            return Outcome(None, f"refused: {exc}")
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, "timeout: the receiver did not answer in time")
        except httpx.HTTPError as exc:
            detail = str(exc) or type(exc).__name__
            return Outcome(None, f"{type(exc).__name__}: {detail}"[:_MAX_ERROR_CHARS])

    async def _send(
        self, delivery_id: UUID, url: str, secrets: Sequence[str], body: str
    ) -> Outcome:
        target = check_url(url, allow_private=self._allow_private)
        request_url = httpx.URL(url)
        headers = {"content-type": "application/json", "user-agent": USER_AGENT}
        extensions: dict[str, str] = {}
        if not self._allow_private:
            address = await resolve(target)
            headers["host"] = request_url.netloc.decode("ascii")
            extensions["sni_hostname"] = target.host
            request_url = request_url.copy_with(host=address)
        # Signed last, so the timestamp is the moment of sending.
        headers |= signature_headers(
            secrets, message_id=delivery_id, at=self._clock.now(), body=body
        )
        request = self._client.build_request(
            "POST", request_url, content=body.encode(), headers=headers, extensions=extensions
        )
        response = await self._client.send(request, stream=True)
        try:
            read = 0
            # A transport that hands over a body already read (a test's) has nothing to stream.
            if not response.is_stream_consumed:
                async for chunk in response.aiter_raw():
                    read += len(chunk)
                    if read > _MAX_RESPONSE_BYTES:
                        break
        finally:
            await response.aclose()
        status = response.status_code
        if 200 <= status < 300:
            return Outcome(status, None)
        return Outcome(status, f"status {status}: the receiver did not answer 2xx")
