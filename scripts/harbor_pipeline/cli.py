"""`harbor`: the contract-first pipeline as one command (`harbor --help` lists the verbs).

Each verb is one of the pipeline's tools; `harbor VERB --help` gives its options. Exit codes are
the same for every verb: 0 ok, 1 findings (lint problems, breaking changes, a stale generated
tree), 2 bad input (a spec that cannot be read, a missing file or tool, a wrong option).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import __version__

EXIT_OK, EXIT_BAD_INPUT = 0, 2


@dataclass(frozen=True, slots=True)
class Verb:
    module: str  # the tool's module, whose main(argv) runs the verb
    summary: str
    prefix: tuple[str, ...] = ()  # arguments put before the user's (the tool's own subcommand)


VERBS = {
    "init": Verb("harbor_pipeline.init", "scaffold a new contract-first project in DIR"),
    "lint": Verb(
        "harbor_pipeline.lint", "lint a spec: OpenAPI schema, then Spectral (.spectral.yaml)"
    ),
    "generate": Verb(
        "harbor_pipeline.codegen",
        "write the server package (models, routers) from SPEC",
        ("generate",),
    ),
    "verify": Verb(
        "harbor_pipeline.codegen",
        "generate SPEC into a temporary package and check it",
        ("verify",),
    ),
    "client": Verb(
        "harbor_pipeline.codegen",
        "write a Python or TypeScript partner client from SPEC",
        ("client",),
    ),
    "breaking": Verb(
        "harbor_pipeline.breaking", "compare two contracts, or `breaking gate SPEC RELEASES`"
    ),
    "changelog": Verb(
        "harbor_pipeline.breaking",
        "what changed between two contracts, as Markdown",
        ("changelog",),
    ),
    "release": Verb(
        "harbor_pipeline.breaking", "cut SPEC as release VERSION into RELEASES", ("release",)
    ),
    "mock": Verb("harbor_pipeline.mock", "serve every operation of SPEC from its examples"),
    "docs": Verb("harbor_pipeline.docs", "preview SPEC in Swagger UI and ReDoc, reloading on save"),
    "fuzz": Verb("harbor_pipeline.fuzz", "fuzz a server against its spec with schemathesis"),
}


def usage() -> str:
    width = max(map(len, VERBS))
    lines = [f"  {name:<{width}}  {verb.summary}" for name, verb in VERBS.items()]
    return (
        "usage: harbor VERB [ARGS...]   (harbor VERB --help for its options)\n\n"
        + (__doc__ or "").split("\n\n", 1)[1].strip()
        + "\n\nverbs:\n"
        + "\n".join(lines)
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(usage())
        return EXIT_OK if args else EXIT_BAD_INPUT
    if args[0] in ("-V", "--version"):
        print(f"harbor {__version__}")
        return EXIT_OK
    verb = VERBS.get(args[0])
    if verb is None:
        print(f"harbor: unknown verb {args[0]!r}\n\n{usage()}", file=sys.stderr)
        return EXIT_BAD_INPUT
    run: Callable[[list[str]], int] = importlib.import_module(f"{verb.module}.__main__").main
    try:
        return run([*verb.prefix, *args[1:]])
    except SystemExit as done:  # argparse's --help (0) and usage errors (2)
        return done.code if isinstance(done.code, int) else EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
