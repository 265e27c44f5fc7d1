"""The accepted-changes file: deliberate, reviewed breaks that need no new version.

Each entry names one change as the gate reports it (rule id, operation(s), pointer), why it
is accepted, who accepted it and when. A finding an entry matches (by fingerprint) is
reported as accepted and fails nothing; an entry that matches nothing is stale, a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

import yaml

from harbor_pipeline.breaking.findings import RULES, Comparison, Stale
from harbor_pipeline.breaking.fingerprint import fingerprint
from harbor_pipeline.breaking.load import InvalidSyntax, read_source, yaml_error_position

_FIELDS = ("id", "operation", "pointer", "reason", "by", "date")
# The error for a node: its file:line:col and what is wrong there.
_Fault = Callable[[yaml.Node, str], InvalidSyntax]


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    id: str
    operations: tuple[str, ...]
    pointer: str
    reason: str
    by: str
    date: str

    @property
    def fingerprints(self) -> tuple[str, ...]:
        return tuple(fingerprint(self.id, op, self.pointer) for op in self.operations)


@dataclass(frozen=True, slots=True)
class Accepted:
    source: str
    entries: tuple[Entry, ...]


def load_accepted(source: str) -> Accepted:
    """Read and check the file; any fault is `file:line:col: error: ...` (exit 2)."""
    content = read_source(source)
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        raise InvalidSyntax(source, content, *yaml_error_position(content, err)) from None

    def fault(node: yaml.Node, what: str) -> InvalidSyntax:
        return InvalidSyntax(source, content, node.start_mark.line, node.start_mark.column, what)

    if root is None:
        return Accepted(source, ())
    if not isinstance(root, yaml.SequenceNode):
        raise fault(root, "expected a list of accepted changes (- id: ...)")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for item in root.value:
        entry = _entry(item, fault)
        for printed in entry.fingerprints:
            if printed in seen:
                raise fault(item, f"accepts the same finding as the entry at line {seen[printed]}")
            seen[printed] = entry.line
        entries.append(entry)
    return Accepted(source, tuple(entries))


def _entry(item: yaml.Node, fault: _Fault) -> Entry:
    if not isinstance(item, yaml.MappingNode):
        raise fault(item, f"expected an entry with {', '.join(_FIELDS)}")
    fields: dict[str, yaml.Node] = {}
    for key, value in item.value:
        if key.value not in _FIELDS:
            raise fault(key, f"unknown field {key.value!r}: expected {', '.join(_FIELDS)}")
        fields[key.value] = value
    missing = [name for name in _FIELDS if name not in fields]
    if missing:
        raise fault(item, f"the entry lacks {', '.join(missing)}")
    text = {name: _text(fields[name], name, fault) for name in _FIELDS if name != "operation"}
    if text["id"] not in RULES:
        raise fault(fields["id"], f"unknown finding id {text['id']!r}")
    if not text["pointer"].startswith("#"):
        raise fault(fields["pointer"], "expected a JSON pointer such as '#/paths/~1orders/post'")
    try:
        date.fromisoformat(text["date"])
    except ValueError:
        raise fault(fields["date"], f"{text['date']!r} is not a date YYYY-MM-DD") from None
    node = fields["operation"]
    values = node.value if isinstance(node, yaml.SequenceNode) else [node]
    operations = tuple(_text(value, "operation", fault) for value in values)
    if not operations:
        raise fault(node, "expected an operation as reported, e.g. POST /v1/orders")
    line = item.start_mark.line + 1
    rest = (text["pointer"], text["reason"], text["by"], text["date"])
    return Entry(line, text["id"], operations, *rest)


def _text(node: yaml.Node, name: str, fault: _Fault) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise fault(node, f"expected {name} as text")
    return str(node.value).strip()


def accept(comparison: Comparison, accepted: Accepted) -> Comparison:
    """Mark the findings the entries accept; list the entries that match nothing as stale."""
    by_print = {printed: e for e in accepted.entries for printed in e.fingerprints}
    used: set[int] = set()
    findings = []
    for f in comparison.findings:
        entry = by_print.get(fingerprint(f.id, f.operation, f.pointer))
        if entry is not None:
            used.add(entry.line)
            f = replace(f, accepted=f"{entry.reason} ({entry.by}, {entry.date})")
        findings.append(f)
    stale = tuple(
        Stale(f"{accepted.source}:{e.line}", e.id, ", ".join(e.operations), e.pointer)
        for e in accepted.entries
        if e.line not in used
    )
    return replace(comparison, findings=tuple(findings), stale=stale)
