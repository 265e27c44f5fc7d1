"""Measure fastapi-codegen the way `verify` measures us: generate, import, compare the app's operations.

`python -m harbor_pipeline.corpus.fastapi_codegen SPEC` exits like `harbor_pipeline.codegen verify`: 0 the app
agrees with the spec, 1 it differs, 2 the tool refused the spec, 3 its output failed to import.
fastapi-codegen runs in its own pinned environment (var/corpus/fastapi-codegen-env).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from harbor_pipeline.codegen.load import load
from harbor_pipeline.codegen.problems import SpecError
from harbor_pipeline.codegen.verify import compare

PINS = ("fastapi-code-generator==0.8.1", "fastapi==0.115.12", "email-validator==2.3.0")
# Its own pinned environment, built once by `prepare()`, so its dependencies never meet ours.
ENV = Path("var/corpus/fastapi-codegen-env")


def _uv() -> str:
    return shutil.which("uv") or str(Path(".venv-uv/bin/uv").resolve())


def prepare() -> None:
    """Create the tool's environment unless it is there with the same pins."""
    stamp = ENV / "pins.txt"
    if stamp.is_file() and stamp.read_text() == "\n".join(PINS):
        return
    subprocess.run(
        [_uv(), "venv", "--quiet", "--clear", "--python", sys.executable, str(ENV)], check=True
    )
    subprocess.run(
        [_uv(), "pip", "install", "--quiet", "--python", str(ENV / "bin" / "python"), *PINS],
        check=True,
    )
    stamp.write_text("\n".join(PINS))


# Its main.py imports `.models`, so the output directory is imported as a package.
_DUMP = "import json, sys; sys.path.insert(0, sys.argv[1]); from generated_app.main import app; print(json.dumps(app.openapi()))"


def main(spec: Path) -> int:
    try:
        document = load(spec)
    except SpecError as error:
        print(error.problems[0].render(str(spec)), file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="fastapi-codegen-") as tmp:
        out = Path(tmp) / "generated_app"
        generated = subprocess.run(
            [str(ENV / "bin" / "fastapi-codegen"), "--input", str(spec), "--output", str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if generated.returncode != 0 or not (out / "main.py").is_file():
            print(
                f"fastapi-codegen failed: {_last_line(generated.stderr or generated.stdout)}",
                file=sys.stderr,
            )
            return 2
        dumped = subprocess.run(
            [str(ENV / "bin" / "python"), "-c", _DUMP, tmp],
            capture_output=True,
            text=True,
            check=False,
        )
        if dumped.returncode != 0:
            print(f"import failed: {_last_line(dumped.stderr)}", file=sys.stderr)
            return 3
    # fastapi-codegen renames every operation (`list_pets_pets_get`); judged leniently, that alone
    # does not count against it, though a client generated from its app would differ.
    differences = [
        d for d in compare(document.data, json.loads(dumped.stdout)) if ": operationId " not in d
    ]
    for line in differences:
        print(line, file=sys.stderr)
    return 1 if differences else 0


def _last_line(text: str) -> str:
    lines = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not set(line.strip()) <= set("╭╮╰╯─│ ")
    ]
    return lines[-1][:200] if lines else "no output"


if __name__ == "__main__":
    prepare()
    sys.exit(main(Path(sys.argv[1])))
