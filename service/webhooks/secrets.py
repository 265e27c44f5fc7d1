"""Webhook signing secrets at rest: sealed with Fernet under HARBOR_WEBHOOKS_SECRET_KEYS.

The database holds only sealed secrets, so a copy of it (a backup, a replica, a leaked dump)
cannot forge deliveries to partners. Fernet is authenticated encryption (AES-128-CBC with an
HMAC-SHA256): a row edited without the key fails to open instead of signing with a value the
editor chose. Several keys make the key itself rotatable: the first seals, every one opens,
and `python -m service.webhooks rekey` seals every row again under the first.

Rows written before secrets were sealed hold the plain `whsec_...` value (a Fernet token
never starts with `whsec_`); they still open, and `rekey` seals them.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from service.webhooks.signing import SECRET_PREFIX


class SecretUnreadable(ValueError):
    """A sealed secret that none of the configured keys opens."""


def new_key() -> str:
    """A fresh key for HARBOR_WEBHOOKS_SECRET_KEYS."""
    return Fernet.generate_key().decode("ascii")


def is_plain(stored: str) -> bool:
    """Whether a stored value predates sealing (and so is the secret itself)."""
    return stored.startswith(SECRET_PREFIX)


class SecretBox:
    """Seals secrets under the first key; opens what any of the keys sealed."""

    __slots__ = ("_fernet", "_primary")

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one key")
        fernets = [Fernet(key.encode("ascii")) for key in keys]
        self._primary = fernets[0]
        self._fernet = MultiFernet(fernets)

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        if is_plain(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretUnreadable(
                "the stored webhook secret opens with none of HARBOR_WEBHOOKS_SECRET_KEYS "
                "(a key that sealed it was removed, or the row was altered)"
            ) from None

    def reseal(self, stored: str) -> str | None:
        """The value sealed under the first key, or None when it already is."""
        if is_plain(stored):
            return self.seal(stored)
        try:
            self._primary.decrypt(stored.encode("ascii"))
        except InvalidToken:
            return self.seal(self.open(stored))
        return None
