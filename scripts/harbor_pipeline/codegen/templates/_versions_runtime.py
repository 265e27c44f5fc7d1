"""Served versions: upgrade an old version's request body to the newest, downgrade a response back.

Copied as is into the generated package; it depends on the standard library only. A
`VersionChange` holds the conversions between two consecutive versions; `Versions` finds, for an
operation and a body slot (`request`, a status, `payload` for a webhook), the components the body
holds and runs each step's conversion at each place, in version order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

JsonObject = dict[str, object]
Convert = Callable[[JsonObject], JsonObject]
# A place in a body: property names, `*` for every item of an array.
Path = tuple[str, ...]
Places = Mapping[str, Mapping[str, Sequence[tuple[Path, str]]]]

_SEMVER = re.compile(r"^(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})\.(0|[1-9][0-9]{0,5})$")


def version_key(version: str) -> tuple[int, int, int] | None:
    """`1.10.0` -> (1, 10, 0); None for anything that is not MAJOR.MINOR.PATCH."""
    found = _SEMVER.match(version)
    if found is None:
        return None
    major, minor, patch = (int(part) for part in found.groups())
    return major, minor, patch


@dataclass(frozen=True, slots=True)
class VersionChange:
    """What changed from `previous` to `version`, as conversions of component schemas.

    Upgrades run renames first and the written conversion after, downgrades the reverse, so a
    written conversion always sees the newer version's property names.
    """

    version: str
    previous: str
    renamed: Mapping[str, tuple[tuple[str, str], ...]]
    upgrades: Mapping[str, Convert] = field(default_factory=dict)
    downgrades: Mapping[str, Convert] = field(default_factory=dict)

    @property
    def schemas(self) -> frozenset[str]:
        return frozenset(self.renamed) | frozenset(self.upgrades) | frozenset(self.downgrades)

    def upgrader(self, schema: str) -> Convert | None:
        rename = _renamer(self.renamed.get(schema, ()), backwards=False)
        return _chain(rename, self.upgrades.get(schema))

    def downgrader(self, schema: str) -> Convert | None:
        rename = _renamer(self.renamed.get(schema, ()), backwards=True)
        return _chain(self.downgrades.get(schema), rename)


# An old request that already uses a property's new name names a property its version does not
# have: the upgrade moves it under this prefix, so the newest schema refuses it as unknown (as
# the old one would have) instead of taking it, and the 422's pointer loses the prefix again.
UNKNOWN_PREFIX = "\x00"


def _renamer(pairs: tuple[tuple[str, str], ...], *, backwards: bool) -> Convert | None:
    if not pairs:
        return None
    if backwards:
        mapping = dict(pairs)
    else:
        mapping = {new: UNKNOWN_PREFIX + new for new, _ in pairs}
        mapping.update({old: new for new, old in pairs})

    def rename(body: JsonObject) -> JsonObject:
        if not any(name in body for name in mapping):
            return body
        # Rebuilt rather than popped, so the properties keep their order.
        return {mapping.get(key, key): value for key, value in body.items()}

    return rename


def _chain(first: Convert | None, second: Convert | None) -> Convert | None:
    if first is None or second is None:
        return first or second

    def both(body: JsonObject) -> JsonObject:
        return second(first(body))

    return both


_Plan = tuple[tuple[Path, Convert], ...]


class Versions:
    """Every served version, oldest first, and the conversions between them."""

    def __init__(
        self,
        versions: Sequence[str],
        changes: Sequence[VersionChange],
        places: Places,
        routes: Sequence[tuple[str, str, str]],
    ) -> None:
        self.versions = tuple(versions)
        self.newest = self.versions[-1]
        self._order = {version: index for index, version in enumerate(self.versions)}
        self._changes = tuple(changes)
        self._places = places
        self._routes = _compile(routes)
        self._plans: dict[tuple[str, str, str, bool], _Plan] = {}

    def served(self, version: str) -> bool:
        return version in self._order

    def operation(self, method: str, path: str) -> str | None:
        """The spec's name of the operation a request path matches (`GET /v1/orders/{order_id}`)."""
        for pattern, name in self._routes.get(method, ()):
            if pattern.fullmatch(path):
                return name
        return None

    def upgrade(self, operation: str, version: str, body: object) -> object:
        """A request body written for `version`, as the newest version reads it."""
        return _run(self._plan(operation, "request", version, upgrade=True), body)

    def downgrade(self, operation: str, version: str, status: int, body: object) -> object:
        """A response body of the newest version, as `version` promised it."""
        slots = self._places.get(operation, {})
        slot = next((s for s in (str(status), f"{status // 100}XX", "default") if s in slots), None)
        if slot is None:
            return body
        return _run(self._plan(operation, slot, version, upgrade=False), body)

    def downgrade_payload(self, webhook: str, version: str, body: object) -> object:
        """A webhook payload of the newest version, as `version` promised it."""
        return _run(self._plan(webhook, "payload", version, upgrade=False), body)

    def downgrade_pointer(self, operation: str, version: str, pointer: str) -> str:
        """A JSON pointer into the upgraded request body, named as `version`'s body names it."""
        tokens = pointer.split("/")[1:] if pointer.startswith("/") else None
        if not tokens:
            return pointer
        settled = set()  # a name the caller sent that its version does not have: as sent
        for at, token in enumerate(tokens):
            if token.startswith(UNKNOWN_PREFIX):
                tokens[at] = token[len(UNKNOWN_PREFIX) :]
                settled.add(at)
        for change in reversed(self._steps(version)):
            for path, schema in self._places.get(operation, {}).get("request", ()):
                renamed = dict(change.renamed.get(schema, ()))
                at = len(path)
                if (
                    renamed
                    and at not in settled
                    and len(tokens) > at
                    and _matches(path, tokens)
                    and tokens[at] in renamed
                ):
                    tokens[at] = renamed[tokens[at]]
        return "/" + "/".join(tokens)

    def _steps(self, version: str) -> tuple[VersionChange, ...]:
        """The changes after `version`, oldest first."""
        index = self._order[version]
        return tuple(c for c in self._changes if self._order[c.version] > index)

    def _plan(self, operation: str, slot: str, version: str, *, upgrade: bool) -> _Plan:
        key = (operation, slot, version, upgrade)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._build(operation, slot, version, upgrade=upgrade)
        return plan

    def _build(self, operation: str, slot: str, version: str, *, upgrade: bool) -> _Plan:
        places = self._places.get(operation, {}).get(slot, ())
        steps = self._steps(version)
        plan: list[tuple[Path, Convert]] = []
        # Upgrades run oldest step first, outermost place first; downgrades the mirror image.
        for change in steps if upgrade else reversed(steps):
            ordered = sorted(places, key=lambda place: len(place[0]), reverse=not upgrade)
            for path, schema in ordered:
                convert = change.upgrader(schema) if upgrade else change.downgrader(schema)
                if convert is not None:
                    plan.append((path, convert))
        return tuple(plan)


def _matches(path: Path, tokens: list[str]) -> bool:
    return all(
        (step == "*" and token.isdigit()) or step == token
        for step, token in zip(path, tokens, strict=False)
    )


def _run(plan: _Plan, body: object) -> object:
    for path, convert in plan:
        body = _at(body, path, convert)
    return body


def _at(value: object, path: Path, convert: Convert) -> object:
    if not path:
        return convert(value) if isinstance(value, dict) else value
    head, rest = path[0], path[1:]
    if head == "*":
        return [_at(item, rest, convert) for item in value] if isinstance(value, list) else value
    if isinstance(value, dict) and head in value:
        return {**value, head: _at(value[head], rest, convert)}
    return value


def _compile(
    routes: Sequence[tuple[str, str, str]],
) -> dict[str, list[tuple[re.Pattern[str], str]]]:
    """Path templates as patterns per method, templates without parameters first."""
    compiled: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for method, template, name in sorted(routes, key=lambda r: (r[1].count("{"), r[1])):
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
        compiled.setdefault(method, []).append((re.compile(pattern), name))
    return compiled
