"""Releases: find the newest in `spec/releases/`, gate a spec against it, and cut a new one."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from harbor_pipeline.breaking.accepted import Accepted, accept
from harbor_pipeline.breaking.compare import compare_specs
from harbor_pipeline.breaking.coverage import Coverage, coverage
from harbor_pipeline.breaking.findings import Comparison, Level, Section
from harbor_pipeline.breaking.load import load_spec, parse, read_bundle, read_source, validate
from harbor_pipeline.breaking.nodes import SpecError, child
from harbor_pipeline.breaking.retire import Retirement, Usage, excused, retirements
from harbor_pipeline.breaking.stability import DEFAULT_THRESHOLD

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
# The `version:` line inside the top-level `info:` block of a YAML document.
_INFO_VERSION = re.compile(
    r"(?m)^(info:[ \t]*\n(?:[ \t]+.*\n|[ \t]*\n)*?[ \t]+version:[ \t]*)(\S.*?)[ \t]*$"
)


@dataclass(frozen=True, slots=True, order=True)
class Version:
    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, value: str) -> Version | None:
        found = _SEMVER.match(value.strip().strip("'\""))
        return cls(*(int(part) for part in found.groups())) if found else None

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def newest(releases: Path) -> tuple[Version, Path] | None:
    """The highest `X.Y.Z.yaml` in `releases`; None when nothing was released yet."""
    found: list[tuple[Version, Path]] = []
    for path in releases.glob("*.yaml") if releases.is_dir() else ():
        version = Version.parse(path.stem)
        if version is None:
            raise SpecError(
                str(path), "file name", "a release must be named MAJOR.MINOR.PATCH.yaml"
            )
        found.append((version, path))
    return max(found) if found else None


@dataclass(frozen=True, slots=True)
class Gate:
    """A spec checked against the newest release."""

    comparison: Comparison
    release: Version
    declared: Version | None
    # What the version change from the release to the declared version answers; None when the
    # spec declares no newer version, so no version change can answer anything.
    covered: Coverage | None = None
    # The deprecated things the spec removes, each with the gate's verdict.
    retired: tuple[Retirement, ...] = ()
    # The comparison without the removals the gate allows (in the next major version only).
    remaining: Comparison | None = None

    @property
    def refused(self) -> tuple[Retirement, ...]:
        return tuple(r for r in self.retired if r.verdict.refused)

    @property
    def next_major(self) -> bool:
        return self.declared is not None and self.declared.major == self.release.major + 1

    @property
    def accepted(self) -> bool:
        """Breaks are accepted when the spec declares a newer version and the version change to
        it answers every one (a rename, or a conversion written in service/versions/): the old
        version is still served, converted, so no partner on it breaks (docs/versioning.md).

        The next major exactly: a typo such as 10.0.0 for 1.0.0 must not wave a break through.
        """
        return (
            self.covered is not None
            and not self.covered.uncovered
            and not self.refused
            and self.next_major
        )


def gate(
    spec: str,
    releases: Path,
    *,
    usage: Usage | None = None,
    today: date | None = None,
    window_days: int = 30,
    threshold: str = DEFAULT_THRESHOLD,
    accepted: Accepted | None = None,
) -> Gate | None:
    """Compare `spec` with the newest release; None when there is no release yet.

    A deprecated thing the spec removes is judged by its `x-sunset` date on `today` and, for an
    operation, by `usage` (docs/versioning.md); an allowed removal still breaks SDKs built
    from the release, so it is excused only in the next major version.
    """
    found = newest(releases)
    if found is None:
        return None
    version, path = found
    revision, base = load_spec(spec), load_spec(str(path))
    comparison = compare_specs(base, revision, threshold=threshold)
    if accepted is not None:
        comparison = accept(comparison, accepted)
    declared = Version.parse(revision.version)
    newer = declared is not None and declared > version
    # A removal a version change answers (the old version still gets the property, converted)
    # retires nothing: only what is gone from every version is judged by its sunset.
    answered = coverage(comparison, base, revision) if newer else None
    # An accepted finding needs no answer and retires nothing: it is not a break to judge.
    judged = replace(comparison, findings=tuple(f for f in comparison.findings if f.counts))
    if answered is not None:
        unanswered = tuple(f for f in judged.findings if answered.answer(f) is None)
        judged = replace(comparison, findings=unanswered)
    retired = retirements(
        judged,
        base,
        usage=usage,
        today=today or datetime.now(UTC).date(),
        window_days=window_days,
    )
    remaining = comparison
    if declared is not None and declared.major == version.major + 1:
        remaining = excused(comparison, retired)
    covered = coverage(remaining, base, revision) if newer else None
    return Gate(comparison, version, declared, covered, retired, remaining)


def required_bump(comparison: Comparison) -> str:
    """The smallest version bump the findings allow: major, minor or patch."""
    if comparison.breaking(Level.ERROR):
        return "major"
    if any(f.section is Section.ADDED for f in comparison.findings):
        return "minor"
    return "patch"


def bump_problem(
    current: Version | None, wanted: Version, comparison: Comparison | None
) -> str | None:
    """Why `wanted` cannot follow `current` given the findings, or None when it can."""
    if current is None or comparison is None:
        return None
    if wanted <= current:
        return f"{wanted} is not newer than the newest release {current}"
    need = required_bump(comparison)
    if need == "major" and wanted.major == current.major:
        return f"the changes break {current}: release {current.major + 1}.0.0"
    if need == "minor" and (wanted.major, wanted.minor) == (current.major, current.minor):
        return (
            f"the changes add to {current}: release {current.major}.{current.minor + 1}.0 or later"
        )
    return None


def with_version(source: str, content: str, version: Version) -> str:
    """`content` with `info.version` set, the rest of the file left as written."""
    replaced, count = _INFO_VERSION.subn(
        lambda m: f"{m.group(1)}{_quoted(m.group(2), version)}", content, 1
    )
    if count != 1:
        raise SpecError(
            source, "#/info/version", "no `version:` line under a block-style `info:` to set"
        )
    return replaced


def _quoted(old: str, version: Version) -> str:
    quote = old[0] if old[:1] in ("'", '"') else ""
    return f"{quote}{version}{quote}"


def cut(spec: str, releases: Path, version: Version) -> Path:
    """Write `releases/<version>.yaml`: the spec with `info.version` set, checked to parse back.

    A release is one self-contained file, since it is read on its own (the gate's baseline, an
    SDK built from it, a partner's copy). A spec in one file is kept as written, comments and
    all; a spec whose `$ref`s pull in other files is released bundled (harbor_pipeline.bundle).
    """
    target = releases / f"{version}.yaml"
    if target.exists():
        raise SpecError(
            str(target), "file", f"release {version} exists already; releases are immutable"
        )
    bundled = read_bundle(spec)
    expected = dict(bundled.data)
    expected["info"] = {**child(expected, "info"), "version": str(version)}
    if len(bundled.sources) == 1:
        content = with_version(spec, read_source(spec), version)
    else:
        content = _bundled_text(spec, bundled.files, expected)
    root = parse(str(target), content)
    validate(str(target), root)
    # Only info.version may differ: the edit is textual, so prove it touched nothing else.
    if root != expected:
        raise SpecError(spec, "#/info/version", "could not set info.version alone; set it by hand")
    releases.mkdir(parents=True, exist_ok=True)
    target.write_text(content, encoding="utf-8")
    return target


def _bundled_text(spec: str, files: tuple[str, ...], document: dict[str, object]) -> str:
    """The bundled document as YAML, in the spec's own key order, headed by where it came from."""
    header = [f"# Released from {spec}, bundled with the files its $refs pull in:"]
    header += [f"#   {file}" for file in files[1:]]
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(header) + "\n" + body


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes a part used twice (the bundler copies a shared response in) twice
    instead of as an `&id001` anchor and its aliases, which readers of a contract trip over."""

    def ignore_aliases(self, data: object) -> bool:
        return True
