"""Command line: `python -m harbor_pipeline.mock [SPEC] [--host 127.0.0.1] [--port 4010]`.

Serves every operation of SPEC (default spec/openapi.yaml) from the spec alone: answers come
from its examples or are generated from its schemas, requests are validated against it.
`Prefer: code=404` picks another documented response, `Prefer: example=NAME` a named example.
"""

from __future__ import annotations

import argparse
import sys

import uvicorn

from harbor_pipeline.breaking.load import InvalidSyntax, load_spec
from harbor_pipeline.breaking.nodes import SpecError

from .app import MockApp, with_cors
from .document import open_document


def build(spec: str) -> MockApp:
    """The app for `spec`; a SpecError names the file when it cannot be read or is invalid."""
    return MockApp(open_document(load_spec(spec)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="harbor mock",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "spec", nargs="?", default="spec/openapi.yaml", help="the contract (default: %(default)s)"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (%(default)s)")
    parser.add_argument("--port", type=int, default=4010, help="port to listen on (%(default)s)")
    args = parser.parse_args(argv)
    try:
        app = build(args.spec)
    except InvalidSyntax as err:
        # One line: the loader's message adds an excerpt of the file below it.
        print(str(err).splitlines()[0], file=sys.stderr)
        return 2
    except SpecError as err:
        print(f"{err.source}: {err.where}: error: {err.what}", file=sys.stderr)
        return 2
    except Exception as err:  # a spec valid enough to load that the mock still cannot read
        what = f"{type(err).__name__}: {err}".splitlines()[0][:200]
        print(f"{args.spec}: error: cannot build a mock from it ({what})", file=sys.stderr)
        return 2
    print(
        f"mock of {args.spec}: {len(app.operations)} operations on http://{args.host}:{args.port}",
        flush=True,
    )
    uvicorn.run(
        with_cors(app), host=args.host, port=args.port, log_level="warning", server_header=False
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
