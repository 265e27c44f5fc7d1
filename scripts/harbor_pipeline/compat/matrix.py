"""The matrix as Markdown: one row per client version, one column per server, pass or the failure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

PASS = "pass"


def render(servers: Sequence[str], cells: Mapping[tuple[str, str], str | None]) -> str:
    """`cells[(client, server)]` is None for a pass, else the first failure line."""
    clients = sorted({client for client, _ in cells}, key=_version_key)
    lines = [
        "| client | " + " | ".join(servers) + " |",
        "| --- |" + " --- |" * len(servers),
    ]
    for client in clients:
        row = [_cell(cells.get((client, server), "not run")) for server in servers]
        lines.append(f"| {client} | " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def _cell(failure: str | None) -> str:
    if failure is None:
        return PASS
    return "FAIL: " + failure.replace("|", "\\|").replace("\n", " ")


def _version_key(label: str) -> tuple[tuple[int, ...], str]:
    """`1.10.0 Python` after `1.2.0 TypeScript`: by version number, then by the rest."""
    head, _, rest = label.partition(" ")
    return tuple(int(part) if part.isdigit() else 0 for part in head.split(".")), rest
