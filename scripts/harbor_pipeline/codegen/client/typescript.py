"""The TypeScript client: openapi-typescript writes the types, our templates the wrapper around them."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from ...tooling import node_tool_or_env
from ..load import Document
from ..render import HEADER
from . import ir
from .render import client_environment, markdown_header

_TEMPLATES = {
    "src/index.ts": "index.ts.jinja",
    "src/errors.ts": "errors.ts.jinja",
    "src/runtime.ts": "runtime.ts.jinja",
    "package.json": "package.json.jinja",
    "tsconfig.json": "tsconfig.json.jinja",
    "README.md": "README.md.jinja",
}


def build_typescript(api: ir.ClientApi, document: Document, out: Path) -> None:
    """Write the npm package (sources, package.json, tsconfig.json, README) into `out`."""
    header = "// " + HEADER.format(source=api.source).removeprefix("# ")
    files = render_typescript(api)
    files["src/schema.ts"] = header + schema_types(document)
    for name, text in sorted(files.items()):
        target = out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        prefix = header if name.endswith(".ts") and name != "src/schema.ts" else ""
        target.write_text(prefix + text, encoding="utf-8")


def render_typescript(api: ir.ClientApi) -> dict[str, str]:
    env = client_environment("typescript")
    context = {"api": api, "n": api.names}
    files = {
        name: env.get_template(template).render(context) for name, template in _TEMPLATES.items()
    }
    if api.signed_webhook_models:
        files["src/webhooks.ts"] = env.get_template("webhooks.ts.jinja").render(context)
    files["README.md"] = markdown_header(api) + files["README.md"]
    return files


def schema_types(document: Document) -> str:
    """The types openapi-typescript generates for the spec (paths, operations, components)."""
    tool = node_tool_or_env("openapi-typescript", "HARBOR_OPENAPI_TYPESCRIPT")
    with tempfile.TemporaryDirectory(prefix="harbor-ts-") as tmp:
        output = Path(tmp) / "schema.ts"
        spec, data = document.path, _no_boolean_branches(document.data)
        if len(document.files) > 1 or data is not document.data:
            # Our bundle, so its types carry the names the Python client's models have.
            spec = Path(tmp) / "openapi.json"
            spec.write_text(json.dumps(data, default=str), encoding="utf-8")
        completed = subprocess.run(
            [str(tool), str(spec), "--output", str(output)],
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0 or not output.exists():
            message = completed.stderr.strip() or completed.stdout.strip()
            raise RuntimeError(f"openapi-typescript failed ({completed.returncode}): {message}")
        return output.read_text(encoding="utf-8")


def _no_boolean_branches(node: Any) -> Any:
    """`node` with each `true`/`false` in a list as `{}`/`{"not": {}}`: the same schemas, which
    openapi-typescript reads (it crashes on `allOf: [false, ...]`). Copy-on-write."""
    if isinstance(node, dict):
        items = {key: _no_boolean_branches(value) for key, value in node.items()}
        return node if all(items[k] is v for k, v in node.items()) else items
    if isinstance(node, list):
        new = [({} if v else {"not": {}}) if isinstance(v, bool) else _no_boolean_branches(v)
               for v in node]  # fmt: skip
        return node if all(a is b for a, b in zip(new, node, strict=True)) else new
    return node
