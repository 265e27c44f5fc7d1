"""Rekey: every stored webhook secret sealed again under the first HARBOR_WEBHOOKS_SECRET_KEYS
key (secrets from before sealing included), or, with `unseal`, stored plain again (before a
downgrade past migration 0005). Safe to run beside the API and the workers, and to run again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from service.kit.db import Transactional
from service.webhooks.records import StoredSecrets
from service.webhooks.secrets import SecretBox
from service.webhooks.secrets_repository import SecretsRepository

_BATCH = 500


class RekeyUnit(Protocol):
    @property
    def webhook_secrets(self) -> SecretsRepository: ...


@dataclass(frozen=True, slots=True)
class RekeyReport:
    rewritten: int
    unchanged: int
    # Rows a rotation changed between the read and the write: run rekey again for them.
    missed: int


def _rewritten(box: SecretBox, value: str, unseal: bool) -> str:
    if unseal:
        return box.open(value)
    return box.reseal(value) or value


async def rekey(
    units: Transactional[RekeyUnit], box: SecretBox, *, unseal: bool = False
) -> RekeyReport:
    """Raises SecretUnreadable, before writing anything of its batch, on a secret no key opens."""
    rewritten = unchanged = missed = 0
    after: UUID | None = None
    while True:
        async with units(write=True) as unit:
            rows = await unit.webhook_secrets.stored(after=after, limit=_BATCH)
            for row in rows:
                previous = row.previous_secret
                now = StoredSecrets(
                    row.id,
                    _rewritten(box, row.secret, unseal),
                    None if previous is None else _rewritten(box, previous, unseal),
                )
                if now == row:
                    unchanged += 1
                elif await unit.webhook_secrets.reseal(row, now):
                    rewritten += 1
                else:
                    missed += 1
        if len(rows) < _BATCH:
            return RekeyReport(rewritten, unchanged, missed)
        after = rows[-1].id
