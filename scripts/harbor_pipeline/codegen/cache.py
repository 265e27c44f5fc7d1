"""Skip regeneration when neither the spec, the generator nor the output changed since last time.

The key hashes the spec's bytes, every file of the generator and the versions of the tools it
calls; the stamp stored under it holds the hash of the tree that generation produced and the
hash of every file the spec pulled in through `$ref`s. When the tree on disk still hashes to
that stamp and none of those files changed, a new generation would write exactly the same bytes.
(The root file's own refs are in the key; a changed file can only pull in others after changing.)
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path

from .write import generated_files

_GENERATOR = Path(__file__).resolve().parent
_BUNDLER = _GENERATOR.parent / "bundle"
_TOOLS = ("datamodel-code-generator", "ruff", "pydantic", "jinja2")
_NODE_TOOL = Path("node_modules/openapi-typescript/package.json")


def key(spec: Path, outdir: Path, flavour: str) -> str:
    """`flavour` names what is generated ("server", "client python harbor-client" ...)."""
    digest = hashlib.sha256()
    digest.update(spec.read_bytes())
    digest.update(f"{outdir.name}\0{spec.as_posix()}\0{flavour}\0".encode())
    server = flavour == "server"
    for path in sorted(_GENERATOR.rglob("*")):
        relative = path.relative_to(_GENERATOR)
        # The server generator does not read the client generator's files (scripts/harbor_pipeline/codegen/client).
        if (
            not path.is_file()
            or "__pycache__" in relative.parts
            or (server and "client" in relative.parts)
        ):
            continue
        digest.update(relative.as_posix().encode())
        digest.update(path.read_bytes())
    for path in sorted(_BUNDLER.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    if not server and _NODE_TOOL.is_file():
        digest.update(_NODE_TOOL.read_bytes())  # openapi-typescript's version
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
    for path in generated_files(directory):
        digest.update(path.relative_to(directory).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def fresh_files(cache_dir: Path, cache_key: str, outdir: Path) -> tuple[str, ...] | None:
    """The files the spec is made of, when the output is still what they generate; else None."""
    stamp = cache_dir / cache_key
    try:
        recorded = json.loads(stamp.read_text())
        tree, files = recorded["tree"], recorded["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if tree != tree_digest(outdir) or any(_file_digest(f) != h for f, h in files.items()):
        return None
    return tuple(files)


def remember(cache_dir: Path, cache_key: str, outdir: Path, files: tuple[str, ...]) -> None:
    digest = tree_digest(outdir)
    if digest is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        stamp = {"tree": digest, "files": {f: _file_digest(f) for f in files}}
        (cache_dir / cache_key).write_text(json.dumps(stamp))


def _file_digest(file: str) -> str | None:
    try:
        return hashlib.sha256(Path(file).read_bytes()).hexdigest()
    except OSError:
        return None
