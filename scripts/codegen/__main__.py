"""Command line: `python -m scripts.codegen generate|check|verify ...` (see --help)."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import traceback
from pathlib import Path

from .load import load
from .pipeline import build_server
from .problems import SpecError
from .write import differences, swap_in

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.codegen", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser(
        "generate", help="write the server package generated from SPEC into OUTDIR"
    )
    generate.add_argument("spec", type=Path)
    generate.add_argument("outdir", type=Path)
    generate.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 with a diff when OUTDIR is out of date",
    )
    verify = commands.add_parser(
        "verify",
        help="generate SPEC into a temporary package and check the app it makes agrees with SPEC",
    )
    verify.add_argument("spec", type=Path)
    verify.add_argument(
        "--package", type=Path, help="check this already generated package instead of a fresh one"
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "verify":
            from .verify import verify_spec

            return verify_spec(args.spec, args.package)
        return _generate(args.spec, args.outdir, check=args.check)
    except SpecError as error:
        for problem in error.problems:
            print(problem.render(error.file), file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        if os.environ.get("HARBOR_DEBUG"):
            traceback.print_exc()
        print(
            f"{args.spec}: internal error in the generator: {type(error).__name__}: {error} (set HARBOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _generate(spec: Path, outdir: Path, *, check: bool) -> int:
    document = load(spec)
    with tempfile.TemporaryDirectory(prefix="harbor-codegen-") as tmp:
        built = Path(tmp) / outdir.name
        for warning in (*document.warnings, *build_server(document, built, source=spec.as_posix())):
            print(warning.render(str(spec)), file=sys.stderr)
        if check:
            report = differences(built, outdir)
            if report:
                print("\n".join(report), file=sys.stderr)
                print(
                    f"{outdir}: out of date with {spec}; run `make generate` and commit the result",
                    file=sys.stderr,
                )
                return EXIT_DIFFERENT
            return EXIT_OK
        swap_in(built, outdir)
    print(f"generated {outdir} from {spec}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
