"""Command line: `python -m harbor_pipeline.codegen generate|verify|client ...` (see --help)."""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..tooling import ToolMissing
from . import cache
from .problems import Problem, SpecError
from .write import differences, swap_in

if TYPE_CHECKING:
    from .load import Document

EXIT_OK, EXIT_DIFFERENT, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="harbor", description=__doc__)
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
    generate.add_argument(
        "--cache-dir",
        type=Path,
        help="skip the work when the spec, the generator and OUTDIR are unchanged since the last run",
    )
    generate.add_argument(
        "--spec-files",
        type=Path,
        help="also write FILE: every file SPEC is made of (it and what its $refs pull in), as a makefile",
    )
    generate.add_argument(
        "--releases",
        type=Path,
        help="also write OUTDIR/version_changes from the released specs in this folder (docs/versioning.md)",
    )
    verify = commands.add_parser(
        "verify",
        help="generate SPEC into a temporary package and check the app it makes agrees with SPEC",
    )
    verify.add_argument("spec", type=Path)
    verify.add_argument(
        "--package", type=Path, help="check this already generated package instead of a fresh one"
    )
    client = commands.add_parser(
        "client",
        help="write a partner client (Python or TypeScript) generated from SPEC into OUTDIR",
    )
    client.add_argument("spec", type=Path)
    client.add_argument("outdir", type=Path)
    client.add_argument("--lang", choices=("python", "typescript"), default="python")
    client.add_argument(
        "--check",
        action="store_true",
        help="change nothing; exit 1 with a diff when OUTDIR is out of date",
    )
    client.add_argument(
        "--cache-dir",
        type=Path,
        help="skip the work when the spec, the generator and OUTDIR are unchanged since the last run",
    )
    client.add_argument(
        "--package-name",
        help="the PyPI/npm name (default: from info.title, e.g. `petstore-client`)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "verify":
            from .verify import verify_spec

            return verify_spec(args.spec, args.package)
        if args.command == "client":
            from .client.pipeline import build_client

            def build(document: Document, out: Path) -> list[Problem]:
                return build_client(
                    document, out, language=args.lang, distribution=args.package_name
                )

            flavour = f"client {args.lang} {args.package_name}"
            return _generate(
                args.spec,
                args.outdir,
                check=args.check,
                build=build,
                cache_dir=args.cache_dir,
                flavour=flavour,
            )
        return _generate(
            args.spec,
            args.outdir,
            check=args.check,
            cache_dir=args.cache_dir,
            releases=args.releases,
            flavour=_server_flavour(args.releases),
            spec_files=args.spec_files,
        )
    except SpecError as error:
        for problem in error.problems:
            print(problem.render(error.file), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ToolMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as error:
        if os.environ.get("HARBOR_DEBUG"):
            traceback.print_exc()
        print(
            f"{args.spec}: internal error in the generator: {type(error).__name__}: {error} (set HARBOR_DEBUG=1 for the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _generate(
    spec: Path,
    outdir: Path,
    *,
    check: bool,
    build: Callable[[Document, Path], list[Problem]] | None = None,
    cache_dir: Path | None = None,
    flavour: str = "server",
    releases: Path | None = None,
    spec_files: Path | None = None,
) -> int:
    cache_key = cache.key(spec, outdir, flavour) if cache_dir and spec.is_file() else None
    fresh = cache.fresh_files(cache_dir, cache_key, outdir) if cache_dir and cache_key else None
    if fresh is not None:
        if spec_files:
            _write_spec_files(spec_files, fresh)
        if not check:
            print(f"{outdir} is up to date with {spec}")
        return EXIT_OK
    # Imported here: they pull in the validator and the model generator, which a no-op never needs.
    from .load import load
    from .pipeline import build_server

    document = load(spec, verdicts=cache_dir / "validated" if cache_dir else None)
    with tempfile.TemporaryDirectory(prefix="harbor-codegen-") as tmp:
        built = Path(tmp) / outdir.name
        problems = (
            build(document, built)
            if build
            else build_server(document, built, source=spec.as_posix())
        )
        if releases is not None:
            problems += _build_versions(spec, releases, built)
        for warning in (*document.warnings, *problems):
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
        else:
            swap_in(built, outdir)
            print(f"generated {outdir} from {spec}")
    if cache_dir and cache_key:
        cache.remember(cache_dir, cache_key, outdir, document.files)
    if spec_files:
        _write_spec_files(spec_files, document.files)
    return EXIT_OK


def _write_spec_files(target: Path, files: tuple[str, ...]) -> None:
    """`SPEC_FILES := ...` for make, and an empty rule for each pulled-in file, so one the spec
    no longer uses, once deleted, reruns generation instead of stopping make (`gcc -MP`)."""
    names = [f.replace(" ", "\\ ") for f in files]
    text = f"SPEC_FILES := {' '.join(names)}\n"
    if len(names) > 1:
        text += f"{' '.join(names[1:])}:\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")


def _server_flavour(releases: Path | None) -> str:
    """The cache's name for a server build: with releases, their content and the breaking
    checker (which sorts their changes) are part of what the output depends on."""
    if releases is None:
        return "server"
    digest = hashlib.sha256()
    tools = Path(__file__).resolve().parent.parent / "breaking"
    for path in (*sorted(releases.glob("*.yaml")), *sorted(tools.glob("*.py"))):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"server releases {releases.as_posix()} {digest.hexdigest()}"


def _build_versions(spec: Path, releases: Path, built: Path) -> list[Problem]:
    from .format import format_tree
    from .versions import PACKAGE, build_versions

    problems = build_versions(
        spec,
        releases,
        built / PACKAGE,
        source=f"{releases.as_posix()}/*.yaml and {spec.as_posix()}",
    )
    format_tree(built / PACKAGE)
    return problems


if __name__ == "__main__":
    sys.exit(main())
