"""Retiring deprecated things: the gate lets a deprecated operation, parameter or property go only
after its `x-sunset` date and, for an operation, once no customer called it lately.

Usage comes from the file `python -m service.versions.usage export` writes (its format is in
docs/versioning.md): scripts never import the service, so the file is the interface.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import MappingProxyType

from harbor_pipeline.breaking.findings import Comparison
from harbor_pipeline.breaking.load import Spec
from harbor_pipeline.breaking.nodes import Node, SpecError, as_node, flag, join, text
from harbor_pipeline.breaking.resolve import Resolver

USAGE_FORMAT = "harbor-api-usage/1"
# A usage export older than this many days misses the calls since: export it again.
MAX_USAGE_AGE_DAYS = 1
_QUOTED = re.compile(r"'[^']*'")
# Findings that remove something, and what they remove.
REMOVALS: Mapping[str, str] = MappingProxyType(
    {
        "operation-removed": "operation",
        "request-parameter-removed": "parameter",
        "request-property-removed": "property",
        "request-property-rejected": "property",
        "response-required-property-removed": "property",
        "response-optional-property-removed": "property",
    }
)


class Verdict(enum.Enum):
    UNDATED = "refused: deprecated without an x-sunset date"
    EARLY = "refused: before its sunset date"
    IN_USE = "refused: still called"
    UNCHECKED = "allowed, usage not checked"
    RETIRED = "allowed"

    @property
    def refused(self) -> bool:
        return self in (Verdict.UNDATED, Verdict.EARLY, Verdict.IN_USE)


@dataclass(frozen=True, slots=True)
class Retirement:
    """The removal of one deprecated thing and the gate's verdict on it."""

    rule: str
    pointer: str
    what: str
    sunset: date | None
    verdict: Verdict
    detail: str

    @property
    def line(self) -> str:
        return f"{self.what} at {self.pointer}: {self.verdict.value}: {self.detail}"


@dataclass(frozen=True, slots=True)
class Usage:
    """A usage export: per operation id, how many customers last called it on each day."""

    source: str
    generated_at: datetime
    since: date
    last_days: Mapping[str, Mapping[date, int]]

    def customers(self, operation_id: str, since: date) -> int | None:
        """Customers whose last call was on `since` or later; None when the file does not
        list the operation (the server did not count it)."""
        days = self.last_days.get(operation_id)
        if days is None:
            return None
        return sum(count for day, count in days.items() if day >= since)


def _date(source: str, where: str, value: object, example: str = "2027-06-30") -> date:
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise SpecError(source, where, f"expected a date YYYY-MM-DD (e.g. {example}), got {value!r}")


def _count(source: str, where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(source, where, f"expected a whole number >= 0, got {value!r}")
    return value


def load_usage(path: Path, *, today: date, window_days: int) -> Usage:
    """Read and check a usage export; a SpecError names the file, the place and what to do."""
    source = str(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(
            source, "file", "no such file; write it with `python -m service.versions.usage export`"
        ) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(source, "file", f"cannot be read: {error}") from None
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise SpecError(source, where, f"not JSON: {error.msg}") from None
    root = as_node(document)
    if root is None:
        raise SpecError(source, "/", "expected an object, as the usage export writes")
    if root.get("format") != USAGE_FORMAT:
        raise SpecError(source, "/format", f"expected {USAGE_FORMAT!r}, got {root.get('format')!r}")
    generated_at = _moment(source, root.get("generated_at"))
    since = _date(source, "/since", root.get("since"))
    _count(source, "/days", root.get("days"))
    if generated_at.date() < today - timedelta(days=MAX_USAGE_AGE_DAYS):
        raise SpecError(
            source,
            "/generated_at",
            f"exported {generated_at.date()}, more than {MAX_USAGE_AGE_DAYS} day before {today}: "
            "the calls since are missing; export it again",
        )
    start = today - timedelta(days=window_days)
    if since > start:
        raise SpecError(
            source,
            "/since",
            f"covers calls since {since}, but the gate looks back {window_days} days, to "
            f"{start}: export with --days {window_days} or more",
        )
    operations = as_node(root.get("operations"))
    if operations is None:
        raise SpecError(source, "/operations", "expected an object of operation ids")
    last_days: dict[str, dict[date, int]] = {}
    for operation_id, raw in operations.items():
        at = join("", "operations", operation_id)
        entry = as_node(raw)
        if entry is None:
            raise SpecError(source, at, "expected an object")
        _count(source, join(at, "customers"), entry.get("customers"))
        days = as_node(entry.get("customers_by_last_day"))
        if days is None:
            raise SpecError(source, join(at, "customers_by_last_day"), "expected an object")
        last_days[operation_id] = {
            _date(source, join(at, "customers_by_last_day", day), day): _count(
                source, join(at, "customers_by_last_day", day), count
            )
            for day, count in days.items()
        }
    return Usage(source, generated_at, since, last_days)


def _moment(source: str, value: object) -> datetime:
    try:
        if isinstance(value, str):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is not None:
                return moment
    except ValueError:
        pass
    raise SpecError(
        source,
        "/generated_at",
        f"expected a UTC timestamp such as 2026-12-06T10:00:00Z, got {value!r}",
    )


def retirements(
    comparison: Comparison,
    base: Spec,
    *,
    usage: Usage | None,
    today: date,
    window_days: int,
) -> tuple[Retirement, ...]:
    """A verdict on each deprecated thing the revision removes from the base (the release)."""
    resolver = Resolver(base.root, base.name)
    out: dict[str, Retirement] = {}
    for found in comparison.findings:
        kind = REMOVALS.get(found.id)
        if kind is None or found.pointer in out:
            continue  # a shared schema's property is one retirement, whatever uses it
        node = _node(resolver, found.pointer)
        if node is None or not flag(node, "deprecated"):
            continue  # not deprecated: the finding stands as it is
        name = _QUOTED.search(found.message)
        what = found.operation
        if kind != "operation":
            what = f"{kind} {name.group(0) if name else found.pointer} of {found.operation}"
        out[found.pointer] = _judge(
            found.id, found.pointer, what, kind, node, base, usage, today, window_days
        )
    return tuple(out.values())


def _node(resolver: Resolver, pointer: str) -> Node | None:
    try:
        return resolver.target(pointer, pointer)[0]
    except SpecError:
        return None  # e.g. a name in `required` only: nothing to carry a deprecation


def _judge(
    rule: str,
    pointer: str,
    what: str,
    kind: str,
    node: Node,
    base: Spec,
    usage: Usage | None,
    today: date,
    window_days: int,
) -> Retirement:
    def verdict(sunset: date | None, verdict: Verdict, detail: str) -> Retirement:
        return Retirement(rule, pointer, what, sunset, verdict, detail)

    raw = node.get("x-sunset")
    if raw is None:
        return verdict(
            None,
            Verdict.UNDATED,
            f"mark it `x-sunset: YYYY-MM-DD` in a release of {base.name}'s line first; it may go "
            "after that date",
        )
    sunset = _date(base.name, join(pointer, "x-sunset"), raw)
    if today < sunset:
        return verdict(
            sunset,
            Verdict.EARLY,
            f"its sunset date is {sunset} (x-sunset); partners were told it stays until then",
        )
    if kind != "operation":
        # Calls are counted per operation, not per field: the date is the whole promise.
        return verdict(sunset, Verdict.RETIRED, f"its sunset date {sunset} has passed")
    operation_id = text(node, "operationId") or what
    if usage is None:
        return verdict(
            sunset,
            Verdict.UNCHECKED,
            f"its sunset date {sunset} has passed; pass --usage FILE (make breaking "
            "USAGE=usage.json) to check that nobody still calls it",
        )
    since = today - timedelta(days=window_days)
    customers = usage.customers(operation_id, since)
    if customers is None:
        return verdict(
            sunset,
            Verdict.UNCHECKED,
            f"its sunset date {sunset} has passed, but {usage.source} does not list "
            f"{operation_id}: the server did not count its calls",
        )
    if customers:
        return verdict(
            sunset,
            Verdict.IN_USE,
            f"{customers} customer{'s' if customers != 1 else ''} called {operation_id} in the "
            f"last {window_days} days (since {since}, {usage.source}); its sunset date {sunset} "
            "has passed, but it may go only once nobody calls it",
        )
    return verdict(
        sunset,
        Verdict.RETIRED,
        f"its sunset date {sunset} has passed and no customer called it in the last "
        f"{window_days} days",
    )


def excused(comparison: Comparison, retired: tuple[Retirement, ...]) -> Comparison:
    """The comparison without the removals the gate allows."""
    allowed = {r.pointer for r in retired if not r.verdict.refused}
    findings = tuple(
        f for f in comparison.findings if not (f.id in REMOVALS and f.pointer in allowed)
    )
    return replace(comparison, findings=findings)
