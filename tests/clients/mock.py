"""A scripted server for the client's unit tests: httpx.MockTransport answering from a list."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

ORDER = {
    "id": "4f1c2d7e-8b9a-4c3d-9e2f-1a2b3c4d5e6f",
    "customer_id": "cus_123",
    "amount_cents": 2599,
    "currency": "EUR",
    "status": "pending",
    "statement_descriptor": None,
    "metadata": {},
    "payment_method": None,
    "created_at": "2026-11-25T10:15:00Z",
    "updated_at": "2026-11-25T10:15:00Z",
}
Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


@dataclass
class Script:
    """Answers in order (the last one repeats); records every request it was sent."""

    answers: list[Answer]
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer(request) if callable(answer) else answer

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    @property
    def async_transport(self) -> httpx.MockTransport:
        async def handle(request: httpx.Request) -> httpx.Response:
            return self(request)

        return httpx.MockTransport(handle)


def problem(status: int, **headers: str) -> httpx.Response:
    body = {
        "type": "https://harbor.example/problems/x",
        "title": f"status {status}",
        "status": status,
    }
    return httpx.Response(
        status, json=body, headers={"Content-Type": "application/problem+json", **headers}
    )
