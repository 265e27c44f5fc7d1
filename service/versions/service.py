"""The rules of reading and moving a pin: only one's own, and only to a served version."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from service.versions.errors import PinForbidden, UnknownApiVersion
from service.versions.pins import Pins


@dataclass(frozen=True, slots=True)
class PinView:
    """What the API answers: the pin, or the newest version with no times while there is none."""

    version: str
    pinned_at: datetime | None
    updated_at: datetime | None


def newest(versions: Sequence[str]) -> str:
    """The highest of MAJOR.MINOR.PATCH versions, compared numerically (1.10.0 > 1.9.0)."""
    return max(versions, key=lambda v: tuple(int(part) for part in v.split(".")))


class PinsService:
    def __init__(self, pins: Pins, served: Sequence[str]) -> None:
        if not served:
            raise ValueError("the server must serve at least one API version")
        self._pins = pins
        self._served = tuple(sorted(set(served), key=lambda v: tuple(map(int, v.split(".")))))
        self._newest = newest(self._served)

    async def get(self, *, caller: str, customer_id: str) -> PinView:
        if customer_id != caller:
            raise PinForbidden(customer_id)
        pin = await self._pins.record(customer_id)
        if pin is None:
            return PinView(self._newest, None, None)
        return PinView(pin.version, pin.pinned_at, pin.updated_at)

    async def move(self, *, caller: str, customer_id: str, version: str) -> PinView:
        if customer_id != caller:
            raise PinForbidden(customer_id)
        if version not in self._served:
            raise UnknownApiVersion(version, self._served)
        pin = await self._pins.move(customer_id, version)
        return PinView(pin.version, pin.pinned_at, pin.updated_at)
