"""Standard Webhooks signatures (https://www.standardwebhooks.com) over the exact bytes sent."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"
_SECRET_BYTES = 32  # the scheme asks for 24 to 64 random bytes


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and the base64 of 32 random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode("ascii")


def signature_headers(
    secrets: Sequence[str], *, message_id: UUID, at: datetime, body: str
) -> dict[str, str]:
    """The three headers that let the receiver check who sent `body`, and when: one signature
    per secret, space-separated as the scheme allows, so that during a rotation's overlap a
    receiver holding either secret verifies."""
    signatures = (Webhook(secret).sign(str(message_id), at, body) for secret in secrets)
    return {
        "webhook-id": str(message_id),
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(str(signature) for signature in signatures),
    }
