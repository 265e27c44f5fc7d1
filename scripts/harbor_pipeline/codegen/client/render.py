"""Render the clients' model through Jinja templates that only loop and print."""

from __future__ import annotations

import textwrap
from pathlib import Path

import jinja2

from ..render import HEADER, environment
from . import ir

TEMPLATES = Path(__file__).parent / "templates"
# Generated Python modules of the package, each from `<name>.jinja`.
_MODULES = (
    "__init__.py",
    "_open_enum.py",
    "_operations.py",
    "_retry.py",
    "_runtime.py",
    "_transport.py",
    "client.py",
    "errors.py",
)
_RUNTIME_EXPORTS = (
    "ApiResponse",
    "AsyncCursorPage",
    "AsyncPaginator",
    "CursorPage",
    "FieldError",
    "Paginator",
    "RawResponse",
    "RequestOptions",
    "RetryPolicy",
)

WEBHOOK_EXPORTS = (
    "WebhookEvent",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WebhookTimestampError",
    "WebhookUnknownEventError",
    "WebhookVerificationError",
    "verify_webhook",
)


def client_environment(language: str) -> jinja2.Environment:
    """The server generator's environment (StrictUndefined, trim and lstrip blocks, filters)."""
    env = environment()
    env.loader = jinja2.FileSystemLoader(TEMPLATES / language)
    env.filters["jsdoc"] = _jsdoc
    env.filters["argdoc"] = _argdoc
    return env


def _jsdoc(text: str, indent: int = 0) -> str:
    """Text inside a `/** ... */` comment: no early `*/`, every further line starting ` * `."""
    lines = [line.rstrip() for line in text.strip().replace("*/", "*\\/").splitlines()]
    pad = " " * indent
    return f"\n{pad} * ".join(lines).replace(f"\n{pad} * \n", f"\n{pad} *\n")


def _argdoc(text: str, name: str) -> str:
    """An `Args:` entry, `name: text`, wrapped at 96 columns with continuation lines indented."""
    wrapped = textwrap.fill(
        f"{name}: {' '.join(text.split())}",
        width=88,
        subsequent_indent="    ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return wrapped.replace("\n", "\n        ")


def render_python(api: ir.ClientApi, models_source: str) -> dict[str, str]:
    """Every file of the Python distribution, by path relative to its root."""
    env = client_environment("python")
    header = HEADER.format(source=api.source)
    names = api.names
    webhooks = WEBHOOK_EXPORTS if api.signed_webhook_models else ()
    exports = sorted(
        {"models", *names.classes, *(e.name for e in api.errors), *_RUNTIME_EXPORTS, *webhooks}
    )
    context = {"api": api, "n": names, "exports": exports, "webhook_exports": webhooks}
    package = names.package
    files = {
        f"{package}/{module}": header + env.get_template(f"{module}.jinja").render(context)
        for module in _MODULES
    }
    if api.signed_webhook_models:
        files[f"{package}/webhooks.py"] = header + env.get_template("webhooks.py.jinja").render(
            context
        )
    files[f"{package}/models.py"] = header + models_source
    files[f"{package}/py.typed"] = ""
    files["pyproject.toml"] = header + env.get_template("pyproject.toml.jinja").render(context)
    files["README.md"] = markdown_header(api) + env.get_template("README.md.jinja").render(context)
    return dict(sorted(files.items()))


def markdown_header(api: ir.ClientApi) -> str:
    return f"<!-- {HEADER.format(source=api.source).removeprefix('# ').strip()} -->\n\n"
