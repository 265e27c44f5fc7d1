"""The notes operations (generated.notes.NotesApi), kept in memory: swap NoteStore for a database."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID, uuid4

from fastapi import HTTPException

from generated import models
from generated.notes import CreateNoteCreated, GetNoteOk, ListNotesOk


@dataclass
class NoteStore:
    """Each caller's notes, oldest first."""

    by_caller: dict[str, list[models.Note]] = field(default_factory=dict)


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(str(index).encode()).decode()


def _position(cursor: str | None) -> int:
    """Where a page starts; a cursor this service did not hand out is a 400, never a 500."""
    if cursor is None:
        return 0
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode())
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise HTTPException(400, "The cursor is not one this service handed out.") from None


class NotesHandlers:
    """Implements generated.notes.NotesApi[str] (the principal is the caller's id)."""

    def __init__(self, store: NoteStore) -> None:
        self._store = store

    async def create_note(self, *, body: models.NewNote, principal: str) -> CreateNoteCreated:
        note = models.Note(id=uuid4(), text=body.text, created_at=datetime.now(UTC))
        self._store.by_caller.setdefault(principal, []).append(note)
        return CreateNoteCreated(body=note, location=f"/v1/notes/{note.id}")

    async def get_note(self, *, note_id: UUID, principal: str) -> GetNoteOk:
        for note in self._store.by_caller.get(principal, []):
            if note.id == note_id:
                return GetNoteOk(body=note)
        raise HTTPException(404, f"No note {note_id}.")

    async def list_notes(self, *, limit: int, cursor: str | None, principal: str) -> ListNotesOk:
        newest_first = self._store.by_caller.get(principal, [])[::-1]
        start = _position(cursor)
        if not 0 <= start <= len(newest_first):
            raise HTTPException(400, "The cursor is not one this service handed out.")
        end = start + limit
        more = end < len(newest_first)
        page = models.NotePage(
            data=newest_first[start:end], next_cursor=_cursor(end) if more else None
        )
        return ListNotesOk(body=page)
