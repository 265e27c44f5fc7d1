"""Measure Harbor on one spec: the server package (`verify`) and the Python client, one load.

`python -m harbor_pipeline.corpus.harbor SPEC` exits like `harbor_pipeline.codegen verify` (0 agrees, 1 differs,
2 invalid spec), and 4 when the server passes but the Python client cannot be generated,
imported and instantiated with one method per operation.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

from harbor_pipeline.codegen.client.pipeline import build_client
from harbor_pipeline.codegen.load import Document, load
from harbor_pipeline.codegen.problems import SpecError
from harbor_pipeline.codegen.verify import import_package, spec_operations, verify_spec

EXIT_CLIENT = 4


def main(spec: Path) -> int:
    try:
        document = load(spec)
        verdict = verify_spec(spec, document=document)
    except SpecError as error:
        for problem in error.problems:
            print(problem.render(error.file), file=sys.stderr)
        return 2
    if verdict != 0:
        return verdict
    try:
        methods = client_methods(document)
    except Exception as error:  # the table wants the cause, not a traceback
        print(f"client: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_CLIENT
    expected = sum(1 for _ in spec_operations(document.data))
    if methods != expected:
        print(f"client: {methods} operation methods for {expected} operations", file=sys.stderr)
        return EXIT_CLIENT
    print(f"{spec}: the Python client imports, with {methods} operation methods")
    return 0


def client_methods(document: Document) -> int:
    """Generate the Python client, import it, open and close both clients; count operations."""
    from httpx import MockTransport, Response

    with tempfile.TemporaryDirectory(prefix="harbor-corpus-client-") as tmp:
        out = Path(tmp) / "client"
        build_client(document, out, language="python", distribution=None)
        (package,) = (p.parent for p in out.glob("*/__init__.py"))
        module = import_package(package, f"corpus_client_{uuid.uuid4().hex[:12]}")
        sync_class, async_class = _client_classes(module)
        transport = MockTransport(lambda request: Response(599))
        sync_class("http://127.0.0.1:9", transport=transport).close()
        async_class("http://127.0.0.1:9")  # constructing it opens nothing
        return sum(
            1
            for klass in sync_class.__mro__
            for value in vars(klass).values()
            if type(value).__name__ == "operation"
        )


def _client_classes(module: object) -> tuple[type, type]:
    """The package's one synchronous and one asynchronous client class (names vary by spec)."""
    found: dict[str, list[type]] = {"SyncClient": [], "AsyncClient": []}
    for value in vars(module).values():
        if isinstance(value, type):
            bases = {base.__name__ for base in value.__mro__[1:]}
            for kind in found.keys() & bases:
                found[kind].append(value)
    if len(found["SyncClient"]) != 1 or len(found["AsyncClient"]) != 1:
        raise ImportError(f"expected one sync and one async client class, found {found}")
    return found["SyncClient"][0], found["AsyncClient"][0]


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
