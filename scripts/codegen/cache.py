"""Skip regeneration when neither the spec, the generator nor the output changed since last time.

The key hashes the spec's bytes, every file of the generator and the versions of the tools it
calls; the stamp stored under it is the hash of the tree that generation produced. When the tree
on disk still hashes to that stamp, a new generation would write exactly the same bytes.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

_GENERATOR = Path(__file__).resolve().parent
_TOOLS = ("datamodel-code-generator", "ruff", "pydantic", "jinja2")


def key(spec: Path, outdir: Path, source: str) -> str:
    digest = hashlib.sha256()
    digest.update(spec.read_bytes())
    digest.update(f"{outdir.name}\0{source}\0".encode())
    for path in sorted(_GENERATOR.rglob("*")):
        # The server generator does not read the client generator's files (scripts/codegen/client).
        if (
            path.is_file()
            and "__pycache__" not in path.parts
            and "client" not in path.relative_to(_GENERATOR).parts
        ):
            digest.update(path.relative_to(_GENERATOR).as_posix().encode())
            digest.update(path.read_bytes())
    for tool in _TOOLS:
        try:
            digest.update(f"{tool}={metadata.version(tool)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{tool}=absent".encode())
    return digest.hexdigest()


def tree_digest(directory: Path) -> str | None:
    if not directory.is_dir():
        return None
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def is_fresh(cache_dir: Path, cache_key: str, outdir: Path) -> bool:
    stamp = cache_dir / cache_key
    return stamp.is_file() and stamp.read_text() == tree_digest(outdir)


def remember(cache_dir: Path, cache_key: str, outdir: Path) -> None:
    digest = tree_digest(outdir)
    if digest is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        (cache_dir / cache_key).write_text(digest)
