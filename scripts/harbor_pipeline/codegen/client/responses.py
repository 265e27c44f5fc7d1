"""How a method ends: its return type, its decoder, and how TypeScript reads the body."""

from __future__ import annotations

import json
from typing import Any

from . import ir


def returns(successes: tuple[ir.Success, ...]) -> tuple[str, str, str]:
    """The method's return type, the decoder's source and the TypeScript return type."""
    if len(successes) == 1:
        only = successes[0]
        return only.annotation, only.decoder, only.ts_type
    annotations = " | ".join(dict.fromkeys(s.annotation for s in successes))
    ts_types = " | ".join(dict.fromkeys(s.ts_type for s in successes))
    decoders = ", ".join(f"{s.status}: {s.decoder}" for s in successes)
    return f"ApiResponse[{annotations}]", f"by_status({{{decoders}}})", f"ApiResponse<{ts_types}>"


def ts_finish(successes: tuple[ir.Success, ...]) -> str:
    if len(successes) > 1:
        return "return withStatus(result);"
    return "unwrap(result);" if successes[0].ts_type == "void" else "return unwrap(result);"


def parse_as(successes: tuple[ir.Success, ...]) -> str:
    decoders = {s.decoder.split("(", 1)[0] for s in successes}
    if decoders <= {"json_body", "no_body"}:
        return "json"
    return "text" if decoders <= {"text_body", "no_body"} else "blob"


def success_keys(raw: dict[str, Any]) -> dict[int, str]:
    """Each success status code with its key in the spec (`200`, `2XX`, `default`)."""
    keys: dict[int, str] = {}
    for key in raw.get("responses") or {}:
        text = str(key)
        if text.isdigit():
            keys.setdefault(int(text), text)
        elif text[:1] in ("1", "2", "3") or text == "default":
            keys.setdefault(int(text[0]) * 100 if text[0].isdigit() else 200, text)
    return keys


def ts_key(key: str) -> str:
    return key if key.isdigit() else json.dumps(key)
