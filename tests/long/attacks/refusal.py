"""What an attack must get back, checked on top of the hostile suite's promises (no 5xx, a
problem+json body of the spec's shape, nothing of the other customer), and the figures."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from service.kit.problems import PROBLEM_BASE
from tests.long.hostile.checker import Case
from tests.long.hostile.runner import run_case
from tests.long.hostile.wire import Response
from tests.long.hostile.world import World


@dataclass(frozen=True)
class Refusal:
    status: int
    slug: str

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug


UNAUTHENTICATED = Refusal(401, "unauthenticated")
FORBIDDEN = Refusal(403, "forbidden")
NOT_FOUND = Refusal(404, "not-found")
INVALID_CURSOR = Refusal(400, "invalid-cursor")
INVALID = Refusal(422, "validation-error")
KEY_REUSED = Refusal(422, "idempotency-key-reused")
URL_REFUSED = Refusal(422, "webhook-url-refused")
HEADERS_TOO_LARGE = Refusal(431, "headers-too-large")


@dataclass
class Family:
    """One family's figures: how many attacks were tried, how many got what they must."""

    name: str
    tried: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, label: str, problems: list[str]) -> None:
        self.tried += 1
        if problems:
            self.failures.append(label + "\n" + "\n".join(f"  - {p}" for p in problems))
        else:
            self.refused += 1

    def expect(self, label: str, ok: bool, otherwise: str) -> None:
        self.record(label, [] if ok else [otherwise])

    def verdict(self) -> None:
        """Fails naming every attack that was not refused as expected."""
        assert self.tried, f"{self.name}: no attack was tried"
        shown = "\n\n".join(self.failures[:20])
        more = len(self.failures) - 20
        assert not self.failures, (
            f"{self.name}: {len(self.failures)} of {self.tried} attacks not refused as expected:"
            f"\n{shown}" + (f"\n... and {more} more" if more > 0 else "")
        )


FAMILIES: dict[str, Family] = {}


def family(name: str) -> Family:
    return FAMILIES.setdefault(name, Family(name))


def report() -> list[str]:
    # A family run on both databases counts both runs.
    lines = ["attack suite: per family, attacks tried and refused (or ignored) as expected"]
    for f in sorted(FAMILIES.values(), key=lambda f: f.name):
        failed = f", {len(f.failures)} NOT" if f.failures else ""
        lines.append(f"  {f.name:<46} {f.tried:>6} tried {f.refused:>6} as expected{failed}")
    tried, refused = (sum(getattr(f, n) for f in FAMILIES.values()) for n in ("tried", "refused"))
    lines.append(f"  {'total':<46} {tried:>6} tried {refused:>6} as expected")
    return lines


def problem_of(response: Response) -> dict[str, object]:
    try:
        body = json.loads(response.body)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def refusal_problems(response: Response, refusal: Refusal) -> list[str]:
    """What differs from the refusal the attack must get (status and problem type)."""
    problems = []
    if response.status != refusal.status:
        problems.append(f"status {response.status}, not {refusal.status}")
    found = problem_of(response).get("type")
    if found != refusal.type:
        problems.append(f"problem type {found!r}, not {refusal.type!r}")
    if refusal is UNAUTHENTICATED and "invalid_token" not in (
        response.header("www-authenticate") or ""
    ):
        problems.append(f"WWW-Authenticate {response.header('www-authenticate')!r}")
    return problems


def attack(
    world: World,
    fam: Family,
    case: Case,
    refusal: Refusal | None,
    *,
    also: Callable[[Response], list[str]] | None = None,
) -> Response | None:
    """Send `case`; record whether it kept every promise and, unless `refusal` is None (the
    attack may be ignored), got exactly that refusal, and passed `also`. The response, if any."""
    verdict = run_case(world.host, world.port, case)
    problems = list(verdict.problems)
    if verdict.response is None:
        problems.append("no response")
    else:
        if refusal is not None:
            problems += refusal_problems(verdict.response, refusal)
        if also is not None:
            problems += also(verdict.response)
    fam.record(verdict.message() if problems else case.describe(), problems)
    return verdict.response
