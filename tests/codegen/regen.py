"""`make regen-golden`: rewrite every golden `expected/` tree from its spec. Review the diff."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from tests.codegen.golden_cases import GOLDEN, cases, generate_case


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for case in cases():
            built = generate_case(case, Path(tmp))
            expected = GOLDEN / case / "expected"
            shutil.rmtree(expected, ignore_errors=True)
            shutil.copytree(built, expected)
            print(f"regenerated {expected}")


if __name__ == "__main__":
    main()
