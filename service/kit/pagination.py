"""Keyset cursors: an opaque, HMAC-signed (created_at, id) pair bound to the list it came from."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from service.kit.clock import from_micros, to_micros
from service.kit.problems import BadRequest

_VERSION = 1
_PAYLOAD = struct.Struct(">Bq16s")  # version, created_at in microseconds since the epoch, id
_MAC_BYTES = 16


class InvalidCursor(BadRequest):
    slug, title = "invalid-cursor", "The cursor is invalid"
    default_detail = "The cursor is malformed, was altered, or belongs to another list."


@dataclass(frozen=True, slots=True)
class Keyset:
    """The position of a row in (created_at, id) order."""

    created_at: datetime
    id: UUID


class CursorCodec:
    """Encodes keysets as cursors and refuses any cursor it did not sign for that scope."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _mac(self, scope: str, payload: bytes) -> bytes:
        message = b"harbor.cursor\x00" + scope.encode() + b"\x00" + payload
        return hmac.new(self._key, message, hashlib.sha256).digest()[:_MAC_BYTES]

    def encode(self, keyset: Keyset, *, scope: str) -> str:
        payload = _PAYLOAD.pack(_VERSION, to_micros(keyset.created_at), keyset.id.bytes)
        raw = payload + self._mac(scope, payload)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def decode(self, cursor: str, *, scope: str) -> Keyset:
        """The keyset in `cursor`; InvalidCursor if it is not one this codec signed for `scope`."""
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            raw = base64.urlsafe_b64decode(padded.encode("ascii"))
        except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
            raise InvalidCursor() from exc
        if len(raw) != _PAYLOAD.size + _MAC_BYTES:
            raise InvalidCursor()
        payload, mac = raw[: _PAYLOAD.size], raw[_PAYLOAD.size :]
        if not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidCursor()
        version, micros, id_bytes = _PAYLOAD.unpack(payload)
        if version != _VERSION:
            raise InvalidCursor()
        try:
            created_at = from_micros(micros)
        except OverflowError as exc:
            raise InvalidCursor() from exc
        return Keyset(created_at, UUID(bytes=id_bytes))
