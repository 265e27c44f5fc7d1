"""Findings and the catalogue of rules: each rule's stable id, level and changelog section."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class Level(enum.Enum):
    """How much a finding matters; `error` is a breaking change."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


class Section(enum.Enum):
    """Where a compatible finding goes in the changelog; errors always go under breaking."""

    ADDED = "Added"
    CHANGED = "Changed"
    DEPRECATED = "Deprecated"
    REMOVED = "Removed"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    level: Level
    section: Section
    summary: str


ERR, WARN, INFO = Level.ERROR, Level.WARNING, Level.INFO
ADD, CHG, DEP, REM = Section.ADDED, Section.CHANGED, Section.DEPRECATED, Section.REMOVED

# Rules about an operation as a whole: (id, level, section, summary).
# fmt: off
_OPERATION_RULES = [
    ("operation-removed", ERR, REM, "an operation was removed"),
    ("operation-removed-without-deprecation", WARN, REM, "it was removed without being deprecated first"),
    ("operation-added", INFO, ADD, "a new operation"),
    ("operation-deprecated", INFO, DEP, "an operation was marked deprecated"),
    ("operation-id-changed", WARN, CHG, "operationId changed: generated client method names change"),
    ("request-parameter-removed", WARN, REM, "a parameter is no longer documented; clients still send it"),
    ("request-required-parameter-added", ERR, CHG, "a new required parameter"),
    ("request-parameter-added", INFO, ADD, "a new optional parameter"),
    ("request-parameter-became-required", ERR, CHG, "an optional parameter became required"),
    ("request-parameter-became-optional", INFO, CHG, "a required parameter became optional"),
    ("request-parameter-deprecated", INFO, DEP, "a parameter was marked deprecated"),
    ("request-parameter-serialization-changed", ERR, CHG, "a parameter's style or explode changed"),
    ("request-required-body-added", ERR, CHG, "a required request body where there was none"),
    ("request-body-added", INFO, ADD, "an optional request body where there was none"),
    ("request-body-removed", WARN, REM, "the request body is no longer documented"),
    ("request-body-became-required", ERR, CHG, "the request body became required"),
    ("request-body-became-optional", INFO, CHG, "the request body became optional"),
    ("request-media-type-removed", ERR, REM, "a request media type is no longer accepted"),
    ("request-media-type-added", INFO, ADD, "a new request media type is accepted"),
    ("response-success-status-removed", ERR, REM, "a success status is no longer sent"),
    ("response-success-status-added", WARN, ADD, "a new success status clients may not handle"),
    ("response-status-removed", INFO, REM, "a non-success status is no longer documented"),
    ("response-status-added", INFO, ADD, "a new non-success status is documented"),
    ("response-media-type-removed", ERR, REM, "a response media type is no longer offered"),
    ("response-media-type-added", INFO, ADD, "a new response media type is offered"),
    ("response-header-removed", ERR, REM, "a documented response header was removed"),
    ("response-header-became-optional", ERR, CHG, "a required response header became optional"),
    ("response-header-added", INFO, ADD, "a new response header"),
    ("security-added", ERR, CHG, "an operation open to anonymous callers now requires auth"),
    ("security-scheme-added", ERR, CHG, "a security scheme is now required in addition"),
    ("security-scope-added", ERR, CHG, "a security requirement needs more scopes"),
    ("security-removed", INFO, CHG, "an operation no longer requires auth"),
    ("security-alternative-added", INFO, ADD, "a new way to authenticate is accepted"),
    ("property-deprecated", INFO, DEP, "a schema property was marked deprecated"),
    ("webhook-added", INFO, ADD, "a new webhook"),
    # Receivers built for it go quiet without an error, as when an operation is removed.
    ("webhook-removed", ERR, REM, "a webhook is no longer sent"),
    ("callback-added", INFO, ADD, "a new callback"),
    ("callback-removed", ERR, REM, "a callback is no longer made"),
    ("operation-stability-decreased", ERR, CHG, "x-stability-level was lowered (stable -> beta)"),
]

# Schema rules exist once per direction; the level differs because a request
# schema must not reject what it accepted and a response schema must not send
# what it could not: (suffix, request level, response level, section, summary).
_SCHEMA_RULES = [
    ("type-changed", ERR, ERR, CHG, "the type changed"),
    ("type-narrowed", ERR, INFO, CHG, "fewer types are allowed"),
    ("type-widened", INFO, ERR, CHG, "more types are allowed"),
    ("became-nullable", INFO, ERR, CHG, "null is now allowed"),
    ("became-non-nullable", ERR, INFO, CHG, "null is no longer allowed"),
    ("enum-value-added", INFO, ERR, ADD, "an enum gained a value"),
    ("enum-value-removed", ERR, INFO, REM, "an enum lost a value"),
    ("enum-added", ERR, INFO, CHG, "values are now restricted to an enum"),
    ("enum-removed", INFO, ERR, CHG, "values are no longer restricted to an enum"),
    ("bounds-narrowed", ERR, INFO, CHG, "minimum raised or maximum lowered"),
    ("bounds-widened", INFO, ERR, CHG, "minimum lowered or maximum raised"),
    ("multiple-of-narrowed", ERR, INFO, CHG, "multipleOf became stricter"),
    ("multiple-of-widened", INFO, ERR, CHG, "multipleOf became looser"),
    ("multiple-of-changed", ERR, ERR, CHG, "multipleOf changed"),
    ("length-narrowed", ERR, INFO, CHG, "minLength raised or maxLength lowered"),
    ("length-widened", INFO, ERR, CHG, "minLength lowered or maxLength raised"),
    ("pattern-narrowed", ERR, INFO, CHG, "a pattern was added"),
    ("pattern-widened", INFO, ERR, CHG, "a pattern was removed"),
    ("pattern-changed", ERR, ERR, CHG, "a pattern changed"),
    ("format-narrowed", ERR, INFO, CHG, "a format was added or narrowed"),
    ("format-widened", INFO, ERR, CHG, "a format was removed or widened"),
    ("format-changed", ERR, ERR, CHG, "a format changed"),
    ("item-count-narrowed", ERR, INFO, CHG, "minItems raised or maxItems lowered"),
    ("item-count-widened", INFO, ERR, CHG, "minItems lowered or maxItems raised"),
    ("unique-items-narrowed", ERR, INFO, CHG, "items must now be unique"),
    ("unique-items-widened", INFO, ERR, CHG, "items need no longer be unique"),
    ("property-count-narrowed", ERR, INFO, CHG, "minProperties raised or maxProperties lowered"),
    ("property-count-widened", INFO, ERR, CHG, "minProperties lowered or maxProperties raised"),
    ("additional-properties-narrowed", ERR, INFO, CHG, "additionalProperties became false"),
    ("additional-properties-widened", INFO, ERR, CHG, "additionalProperties is no longer false"),
    ("variant-added", INFO, ERR, ADD, "a oneOf/anyOf alternative was added"),
    ("variant-removed", ERR, INFO, REM, "a oneOf/anyOf alternative was removed"),
    ("property-added", INFO, INFO, ADD, "a new property (in requests, an optional one)"),
    ("property-became-required", ERR, INFO, CHG, "a property became required"),
    ("property-became-optional", INFO, ERR, CHG, "a property became optional"),
    ("constraint-narrowed", ERR, INFO, CHG, "a 2020-12 keyword (contains, not, if/then, ...) added or stricter"),
    ("constraint-widened", INFO, ERR, CHG, "a 2020-12 keyword (contains, not, if/then, ...) removed or looser"),
    ("constraint-changed", ERR, ERR, CHG, "an if, contentEncoding or contentMediaType changed"),
    ("discriminator-property-changed", ERR, ERR, CHG, "the discriminator's propertyName changed"),
    ("discriminator-mapping-added", INFO, ERR, ADD, "a discriminator value was added to the mapping"),
    ("discriminator-mapping-removed", ERR, ERR, REM, "a discriminator value was removed from the mapping"),
    ("discriminator-mapping-changed", ERR, ERR, CHG, "a discriminator value maps to another schema"),
    ("keyword-not-compared", WARN, WARN, CHG, "a schema keyword the gate does not compare changed"),
]

# Rules that only make sense in one direction.
_DIRECTED_RULES = [
    ("request-required-property-added", ERR, CHG, "a new required request property"),
    ("request-property-removed", WARN, REM, "a request property is no longer documented"),
    ("response-extensible-enum-value-added", INFO, ADD, "a value was added to an enum marked x-extensible-enum"),
    ("request-variants-made-exclusive", ERR, CHG, "oneOf now rejects a value the base accepted because it fits two alternatives"),
    ("response-variants-no-longer-exclusive", ERR, CHG, "a value fitting two of the base's oneOf alternatives may now be sent"),
    ("request-default-changed", ERR, CHG, "a request parameter's or property's default changed"),
    ("request-default-removed", WARN, CHG, "a request parameter's or property's default was removed"),
    ("request-property-rejected", ERR, REM, "a request property is now rejected (additionalProperties: false)"),
    ("response-required-property-removed", ERR, REM, "a required response property was removed"),
    ("response-optional-property-removed", ERR, REM, "an optional response property was removed: clients read it"),
    ("response-property-added-to-closed-schema", ERR, ADD, "a response property the base schema forbade"),
]
# fmt: on


def _catalogue() -> dict[str, Rule]:
    rules = [Rule(i, level, section, s) for i, level, section, s in _OPERATION_RULES]
    for suffix, request, response, section, summary in _SCHEMA_RULES:
        rules.append(Rule(f"request-{suffix}", request, section, f"request: {summary}"))
        rules.append(Rule(f"response-{suffix}", response, section, f"response: {summary}"))
    rules += [Rule(i, level, section, s) for i, level, section, s in _DIRECTED_RULES]
    return {rule.id: rule for rule in rules}


RULES: Mapping[str, Rule] = MappingProxyType(_catalogue())


@dataclass(frozen=True, slots=True)
class Change:
    """A finding before it is tied to an operation: shared schemas report once, used many times."""

    rule: str
    pointer: str
    message: str

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown rule {self.rule!r}")


@dataclass(frozen=True, slots=True)
class Finding:
    """One difference between base and revision, located and explained.

    `stability` names the operation's `x-stability-level` when it is below the threshold
    (the finding is then info whatever the rule says); `accepted` is the reason of the entry
    in the accepted-changes file that accepts it.
    """

    id: str
    level: Level
    operation: str
    pointer: str
    message: str
    stability: str | None = None
    accepted: str | None = None

    @property
    def section(self) -> Section:
        return RULES[self.id].section

    @property
    def counts(self) -> bool:
        """True when the finding can fail the build: not accepted."""
        return self.accepted is None


def finding(operation: str, change: Change, stability: str | None = None) -> Finding:
    level = RULES[change.rule].level if stability is None else Level.INFO
    return Finding(change.rule, level, operation, change.pointer, change.message, stability)


@dataclass(frozen=True, slots=True)
class Reported:
    """One change as the reports show it, with every operation it reaches.

    A change in a shared schema is one finding per operation; it is still one change.
    """

    id: str
    level: Level
    pointer: str
    message: str
    operations: tuple[str, ...]
    stability: str | None = None
    accepted: str | None = None


@dataclass(frozen=True, slots=True)
class Stale:
    """An accepted-changes entry that no finding matches any more: `file:line` and what it named."""

    where: str
    id: str
    operation: str
    pointer: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """The outcome of comparing two contracts."""

    base: str
    revision: str
    base_version: str
    revision_version: str
    findings: tuple[Finding, ...]
    stale: tuple[Stale, ...] = ()

    def changes(self) -> tuple[Reported, ...]:
        """The findings with one entry per change, in the order they were found.

        Findings of one change that differ in level (an operation below the stability
        threshold) or acceptance stay apart: they are judged differently.
        """
        grouped: dict[tuple[object, ...], tuple[Finding, list[str]]] = {}
        for f in self.findings:
            key = (f.id, f.pointer, f.message, f.level, f.stability, f.accepted)
            entry = grouped.setdefault(key, (f, []))
            if f.operation not in entry[1]:
                entry[1].append(f.operation)
        return tuple(
            Reported(f.id, f.level, f.pointer, f.message, tuple(ops), f.stability, f.accepted)
            for f, ops in grouped.values()
        )

    def count(self, level: Level) -> int:
        """Changes at `level` not accepted: a shared schema's change counts once."""
        return sum(1 for c in self.changes() if c.level is level and c.accepted is None)

    def accepted(self) -> int:
        return sum(1 for c in self.changes() if c.accepted is not None)

    def breaking(self, fail_on: Level = Level.ERROR) -> bool:
        """True when a finding not accepted is at `fail_on` or above; a stale entry is a warning."""
        if self.stale and fail_on.rank <= Level.WARNING.rank:
            return True
        return any(f.level.rank >= fail_on.rank for f in self.findings if f.counts)
