"""`harbor init DIR`: scaffold a contract-first project (spec, lint rules, service, tests, CI).

DIR gets a starter OpenAPI 3.1 spec (one resource, problem+json errors, bearer security,
examples) with its first release, the lint ruleset, a Makefile (install run test generate lint
breaking mock fuzz), a service implementing the generated Protocol, its tests, .ci/run, a
GitHub Actions workflow and a pre-commit config. Exit 0: written; 2: DIR not empty (without
--force), not a directory, or a name that is not a package name.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path

from .scaffold import Project, project_name, title_of, write

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="harbor init",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "dir", type=Path, metavar="DIR", help="the project's folder (made if missing)"
    )
    parser.add_argument("--name", help="the package name (default: DIR's name)")
    parser.add_argument(
        "--title", help="the API's title (default: from the name, e.g. 'Notes API')"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR: each file replaced is listed, generated/ is "
        "regenerated, spec/releases is kept if it holds any release",
    )
    return parser.parse_args(argv)


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    """The pipeline's tools resolve paths and their own config (.spectral.yaml) from the cwd."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def first_release_and_generate(root: Path) -> int:
    """spec/releases/1.0.0.yaml and generated/, as `make release` and `make generate` write them."""
    from harbor_pipeline.breaking.__main__ import main as breaking
    from harbor_pipeline.codegen.__main__ import main as codegen

    spec, releases = "spec/openapi.yaml", "spec/releases"
    # --force into a project that has releases already: they are its history, never replaced.
    kept = sorted(p.name for p in (root / releases).glob("*.yaml"))
    if kept:
        print(f"{root / releases}: kept as it is ({', '.join(kept)})", file=sys.stderr)
    quiet = io.StringIO()
    with working_directory(root), contextlib.redirect_stdout(quiet):
        status = EXIT_OK if kept else breaking(["release", spec, releases, "1.0.0"])
        if status == EXIT_OK:
            status = codegen(["generate", spec, "generated", "--releases", releases])
    return status


def main(argv: list[str]) -> int:
    args = parse(argv)
    root: Path = args.dir
    if root.exists() and not root.is_dir():
        print(f"{root}: error: not a directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    if root.is_dir() and any(root.iterdir()) and not args.force:
        print(
            f"{root}: error: the folder is not empty; harbor init writes only into an empty or new "
            "folder (--force writes anyway, replacing the files it brings, each listed)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    name = project_name(args.name or root.resolve().name)
    if name is None:
        print(
            f"error: {args.name or root.resolve().name!r} is not usable as a package name; "
            "pass --name (lower case letters, digits, . _ -)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if args.title is not None and (not args.title.strip() or not args.title.isprintable()):
        print(f"error: --title {args.title!r} must be one printable line", file=sys.stderr)
        return EXIT_BAD_INPUT
    project = Project(name=name, title=args.title or title_of(name))
    try:
        root.mkdir(parents=True, exist_ok=True)
        written, overwritten = write(project, root)
    except OSError as error:  # a file where a folder goes, no permission, a full disk
        print(f"{error.filename or root}: error: {error.strerror or error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for relative in overwritten:
        print(f"{root / relative}: replaced (--force)", file=sys.stderr)
    status = first_release_and_generate(root)
    if status != EXIT_OK:
        print(f"{root}: error: the starter spec did not release or generate", file=sys.stderr)
        return status
    print(
        f"harbor init: {project.title} ({project.name}) in {root}: {len(written)} files, "
        "its first release and generated/.\n"
        f"next: cd {shlex.quote(str(root))} && make install && make test && make run "
        "(then: curl -H 'Authorization: Bearer dev-token' http://127.0.0.1:8000/v1/notes)"
    )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
