"""How often Harbor's gate, and oasdiff, agree with our labels on oasdiff's checker test pairs.

    python -m tests.breaking.oasdiff.agreement [--repo PATH [--ref REF]] [--labels FILE]

Each pair in labels.yaml is compared with Harbor's gate, base first, and its verdict
(breaking: any error-level finding) set against our label. The files are read from
data/ beside this module, or with --repo from an oasdiff clone (`git show REF:data/checker/...`
into a temporary folder). A pair the gate refuses (a document it cannot read) counts as
a disagreement, the reason printed. Exit status 0; the pytest beside it holds the line.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from harbor_pipeline.breaking import Level, SpecError, compare_specs, load_spec

HERE = Path(__file__).parent
DATA = HERE / "data"
LABELS = HERE / "labels.yaml"
KNOWN = HERE / "known_disagreements.yaml"
COMMIT = "4553c69"
VERDICTS = ("breaking", "compatible")


@dataclass(frozen=True, slots=True)
class Pair:
    base: str
    revision: str
    label: str
    reason: str
    oasdiff: str  # breaking, compatible or n/a

    @property
    def name(self) -> str:
        return f"{self.base} -> {self.revision}"


@dataclass(frozen=True, slots=True)
class Judged:
    pair: Pair
    harbor: str  # breaking, compatible, or refused
    detail: str  # the error-level finding ids, or why the gate refused

    @property
    def agrees(self) -> bool:
        return self.harbor == self.pair.label


def load_pairs(path: Path = LABELS) -> list[Pair]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = [
        Pair(
            base=str(p["base"]),
            revision=str(p["revision"]),
            label=str(p["label"]),
            reason=str(p["reason"]),
            oasdiff=str(p["oasdiff"]),
        )
        for p in document["pairs"]
    ]
    for p in pairs:
        if p.label not in VERDICTS or p.oasdiff not in (*VERDICTS, "n/a"):
            raise ValueError(f"{path}: {p.name}: label {p.label!r}, oasdiff {p.oasdiff!r}")
    return pairs


def load_known(path: Path = KNOWN) -> dict[str, str]:
    """`base -> revision` of each known disagreement, with its explanation."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        f"{d['base']} -> {d['revision']}": str(d["explanation"])
        for d in document.get("disagreements") or []
    }


def judge(pair: Pair, folder: Path) -> Judged:
    """Harbor's verdict on one pair whose files are in `folder`."""
    try:
        comparison = compare_specs(
            load_spec(str(folder / pair.base)), load_spec(str(folder / pair.revision))
        )
    except SpecError as error:
        return Judged(pair, "refused", str(error).splitlines()[0].replace(f"{folder}/", ""))
    errors = sorted({c.id for c in comparison.changes() if c.level is Level.ERROR})
    verdict = "breaking" if comparison.breaking(Level.ERROR) else "compatible"
    return Judged(pair, verdict, ", ".join(errors) or "no error-level finding")


def judge_all(pairs: Sequence[Pair], repo: Path | None = None, ref: str = COMMIT) -> list[Judged]:
    if repo is None:
        return [judge(p, DATA) for p in pairs]
    with tempfile.TemporaryDirectory(prefix="oasdiff-pairs-") as tmp:
        folder = Path(tmp)
        for name in sorted({f for p in pairs for f in (p.base, p.revision)}):
            shown = subprocess.run(
                ["git", "-C", str(repo), "show", f"{ref}:data/checker/{name}"],
                capture_output=True,
                check=True,
            )
            (folder / name).write_bytes(shown.stdout)
        return [judge(p, folder) for p in pairs]


def _share(n: int, total: int) -> str:
    return f"{n}/{total} ({100 * n / total:.1f}%)" if total else "0/0"


def render(judged: Sequence[Judged], known: dict[str, str]) -> str:
    total = len(judged)
    harbor = sum(j.agrees for j in judged)
    pinned = [j for j in judged if j.pair.oasdiff != "n/a"]
    oasdiff = sum(j.pair.oasdiff == j.pair.label for j in pinned)
    read = [j for j in judged if j.harbor != "refused"]
    lines = [
        f"pairs: {total}",
        f"Harbor agrees with our labels:  {_share(harbor, total)}"
        f" ({_share(sum(j.agrees for j in read), len(read))} of the pairs it reads;"
        f" {total - len(read)} refused)",
        f"oasdiff agrees with our labels: {_share(oasdiff, len(pinned))}"
        f" (of the pairs its tests pin a verdict on; {total - len(pinned)} n/a)",
        "",
        f"Harbor's disagreements ({total - harbor}):",
    ]
    for j in judged:
        if j.agrees:
            continue
        mark = " [known]" if j.pair.name in known else ""
        lines += [
            f"- {j.pair.name}{mark}",
            f"    ours:   {j.pair.label}: {j.pair.reason}",
            f"    Harbor: {j.harbor}: {j.detail}",
        ]
    lines += ["", f"oasdiff's disagreements ({len(pinned) - oasdiff}):"]
    lines += [
        f"- {j.pair.name}: ours {j.pair.label}, oasdiff {j.pair.oasdiff}"
        for j in pinned
        if j.pair.oasdiff != j.pair.label
    ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.breaking.oasdiff.agreement")
    parser.add_argument(
        "--repo", type=Path, help="an oasdiff git repository to read the pairs from"
    )
    parser.add_argument("--ref", default=COMMIT, help=f"the commit to read with --repo ({COMMIT})")
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args(argv)
    judged = judge_all(load_pairs(args.labels), args.repo, args.ref)
    sys.stdout.write(render(judged, load_known()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
