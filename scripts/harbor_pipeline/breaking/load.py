"""Read a contract from a file or `git:REF:PATH`, parse YAML or JSON, and validate it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema.exceptions import best_match  # type: ignore[import-untyped]
from openapi_spec_validator.schemas import (
    openapi_v30_schema_validator,
    openapi_v31_schema_validator,
    openapi_v32_schema_validator,
    schema_v30,
    schema_v31,
    schema_v32,
)
from openapi_spec_validator.schemas.backend.jsonschema import create_validator
from openapi_spec_validator.shortcuts import get_validator_cls

from harbor_pipeline.breaking.nodes import Node, SpecError, child, join, text
from harbor_pipeline.breaking.regex_dialects import without_rejected_patterns
from harbor_pipeline.breaking.resolve import Resolver
from harbor_pipeline.breaking.spec_validator import spec_validator
from harbor_pipeline.bundle import Bundle, BundleError, Source, bundle
from harbor_pipeline.bundle.lines import place
from harbor_pipeline.bundle.locate import ErrorLocator
from harbor_pipeline.bundle.model import to_tokens

_MAX_MESSAGE = 160
_MAX_ERRORS = 20
# Documents up to this size get openapi-spec-validator's full checks when loaded.
FULL_CHECK_BYTES = 100_000
_SCHEMAS = {
    "3.0": (schema_v30, openapi_v30_schema_validator),
    "3.1": (schema_v31, openapi_v31_schema_validator),
    "3.2": (schema_v32, openapi_v32_schema_validator),
}


@dataclass(frozen=True, slots=True)
class Spec:
    """A parsed OpenAPI document and where it came from."""

    name: str
    root: Node

    @property
    def is_31(self) -> bool:
        """True for OpenAPI 3.1 and later, where `type` lists replace `nullable`."""
        return not (text(self.root, "openapi") or "").startswith("3.0")

    @property
    def version(self) -> str:
        return text(child(self.root, "info"), "version") or ""


class _Loader(yaml.CSafeLoader):
    """Safe YAML whose mapping keys are always strings and dates stay text.

    YAML reads `200:` as an int and `2024-01-01` as a date; OpenAPI means text.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        return {_key(key): value for key, value in mapping.items()}


def _key(key: object) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return key if isinstance(key, str) else str(key)


def _scalar_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _scalar_text)


def read_source(source: str) -> str:
    """The text of a file path, or of `git:REF:PATH` read with `git show`."""
    if source.startswith("git:"):
        ref, sep, path = source[4:].partition(":")
        if not sep or not ref or not path:
            raise SpecError(
                source, "source", "expected git:REF:PATH, e.g. git:HEAD:spec/openapi.yaml"
            )
        return _git_show(source, ref, path)
    try:
        return Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(source, "file", "no such file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SpecError(source, "file", str(err)) from None


def _git_show(source: str, ref: str, path: str) -> str:
    try:
        done = subprocess.run(
            ["git", "show", f"{ref}:{path}"], capture_output=True, text=True, check=False
        )
    except OSError as err:
        raise SpecError(source, "git", f"cannot run git: {err}") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["git show failed"]
        raise SpecError(source, "git", lines[0].removeprefix("fatal: "))
    return done.stdout


class InvalidSyntax(SpecError):
    """A document that does not parse: `SOURCE:LINE:COL: error: WHAT`, the line and a caret."""

    def __init__(self, source: str, content: str, line: int, column: int, what: str) -> None:
        super().__init__(source, f"{line + 1}:{column + 1}", what)
        self.args = (
            f"{source}:{line + 1}:{column + 1}: error: {what}\n{excerpt(content, line, column)}",
        )


def excerpt(content: str, line: int, column: int) -> str:
    """The 0-based `line` of `content` with a caret under `column`, behind a line-number gutter."""
    lines = content.splitlines()
    text = lines[line] if line < len(lines) else ""
    # The caret keeps the line's own tabs so it sits under the token in any terminal.
    pad = "".join(c if c == "\t" else " " for c in text[:column])
    gutter = str(line + 1)
    return f" {gutter} | {text}\n {' ' * len(gutter)} | {pad}^"


def _yaml_error(source: str, content: str, err: yaml.MarkedYAMLError) -> InvalidSyntax:
    line, column, what = yaml_error_position(content, err)
    return InvalidSyntax(source, content, line, column, what)


def yaml_error_position(content: str, err: yaml.MarkedYAMLError) -> tuple[int, int, str]:
    """The 0-based line and column of the token that causes `err`, and what is wrong.

    PyYAML puts an unclosed bracket or quote at the end of the stream, a line past
    the last one; the token to fix is where the construct opened (its context mark).
    """
    problem, context = err.problem or "invalid YAML", err.context
    mark = err.problem_mark
    at_end = mark is None or mark.index >= len(content.rstrip())
    if at_end and err.context_mark is not None:
        opened = (
            (context or "a construct")
            .removeprefix("while parsing ")
            .removeprefix("while scanning ")
        )
        mark, what = err.context_mark, f"{opened} opened here is never closed ({problem})"
    elif context is not None and err.context_mark is not None:
        what = f"{problem} ({context} at line {err.context_mark.line + 1})"
    else:
        what = problem
    line, column = (mark.line, mark.column) if mark is not None else (0, 0)
    return line, column, f"invalid YAML: {what}"


def parse(source: str, content: str) -> Node:
    """The document in `content` (JSON or YAML) as a mapping."""
    try:
        if content.lstrip().startswith("{"):
            data: object = json.loads(content)
        else:
            data = yaml.load(content, Loader=_Loader)
    except json.JSONDecodeError as err:
        raise InvalidSyntax(
            source, content, err.lineno - 1, err.colno - 1, f"invalid JSON: {err.msg}"
        ) from None
    except yaml.MarkedYAMLError as err:
        raise _yaml_error(source, content, err) from None
    except yaml.YAMLError as err:
        raise SpecError(source, "document", f"invalid YAML: {err}") from None
    if not isinstance(data, Mapping):
        raise SpecError(source, "document", "expected a mapping at the top level")
    return data


def validate(source: str, root: Node, *, full: bool = True) -> None:
    """Check `root` is OpenAPI 3.0/3.1 with resolvable `$ref`s; raise one clear SpecError.

    `full` adds every check of openapi-spec-validator to the OpenAPI JSON Schema
    check; the schema check takes milliseconds, the full one seconds for a
    document of a few hundred kilobytes (it revisits a schema at every `$ref`).
    """
    version = text(root, "openapi") or ""
    if version[:3] not in _SCHEMAS:
        found = "Swagger 2.0" if "swagger" in root else f"openapi: {root.get('openapi')!r}"
        raise SpecError(source, "#/openapi", f"only OpenAPI 3.0 and 3.1 are supported, not {found}")
    _check_refs(source, root)
    # The structural check first: the full one trips over a malformed document.
    error = _schema_check(root, version[:3])
    # The generator's leniency: a pattern one regex dialect rejects is not a broken document.
    checked = without_rejected_patterns(root, version) if error is None and full else root
    if error is None and full:
        error = _full_check(source, checked)
    if error is not None:
        where = "#" + ErrorLocator(checked).pointer(error)
        raise SpecError(source, where, _shorten(error.message))


def _full_check(source: str, root: Node) -> Any:
    errors: list[Any] = []
    try:
        validator = spec_validator(root) or get_validator_cls(root)(root)
        for error in validator.iter_errors():
            errors.append(error)
            if len(errors) == _MAX_ERRORS:
                break
    except RecursionError:
        pass  # long $ref chains defeat it; the structural check has passed
    except Exception as err:
        # Past a first error the validator can trip over its own state; the
        # errors found until then are the ones to report.
        if not errors:
            raise SpecError(source, "document", _shorten(str(err).splitlines()[0])) from None
    if not errors:
        return None
    try:
        return best_match(errors)
    except Exception:  # ranking needs state some of its errors lack; the first will do
        return errors[0]


def _schema_check(root: Node, version: str) -> Any:
    schema, fast = _SCHEMAS[version]
    if fast.is_valid(root):
        return None
    # The fast validator's messages are vague: only now pay for a precise one.
    return best_match(create_validator(schema).iter_errors(root))


# The path to a node, innermost key first, as a linked list: cheap to extend.
_Chain = tuple[str | int, "_Chain"] | None


def _check_refs(source: str, root: Node) -> None:
    """Every `$ref` must resolve: reported where it is used, which the validator cannot say.

    Extensions (`x-...`) and examples are data, where `$ref` is just a key. The
    path to a node is kept as a chain and spelled out only for a `$ref`.
    """
    resolver = Resolver(root, source)
    stack: list[tuple[object, _Chain]] = [(root, None)]
    while stack:
        node, chain = stack.pop()
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            if isinstance(ref, str):
                tokens: list[str | int] = ["$ref"]
                link = chain
                while link is not None:
                    tokens.append(link[0])
                    link = link[1]
                resolver.exists(ref, join("#", *reversed(tokens)))
            stack.extend(
                (value, (key, chain))
                for key, value in node.items()
                if not key.startswith("x-") and key != "example"
            )
        elif isinstance(node, list):
            stack.extend((value, (i, chain)) for i, value in enumerate(node))


def _shorten(message: str) -> str:
    # jsonschema quotes the whole offending value; a partial view is enough.
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 3] + "..."


def load_spec(source: str, *, check: bool = True) -> Spec:
    """Read, parse, bundle and (unless `check` is false) validate one contract.

    A `$ref` to another file is read relative to the file that holds it (in the same git
    revision for a `git:REF:PATH` source), as the generator reads it (harbor_pipeline.bundle).
    Small documents, like most specs, get the full checks; larger ones the
    OpenAPI JSON Schema and `$ref` checks only, so a large pair still compares
    in seconds (`make lint` runs the full checks on the spec in any case).
    """
    bundled = read_bundle(source)
    if check:
        size = sum(len(s.text) for s in bundled.sources)
        try:
            validate(source, bundled.data, full=size <= FULL_CHECK_BYTES)
        except SpecError as err:
            raise _located(bundled, err) from None
    return Spec(source, bundled.data)


def read_bundle(source: str) -> Bundle:
    """The contract at `source` with every file its `$ref`s pull in, as one document."""
    content = read_source(source)
    root = Source(source, content, dict(parse(source, content)))
    try:
        return bundle(root, _read_pulled_in, lambda file, text: dict(parse(file, text)))
    except BundleError as err:
        raise SpecError(
            place(err.source, err.pointer), join("#", *err.pointer), err.message
        ) from None


def _read_pulled_in(source: str) -> str:
    try:
        return read_source(source)
    except SpecError as err:  # the bundler names the `$ref` that needs the file
        raise OSError(err.what) from None


def _located(bundled: Bundle, err: SpecError) -> SpecError:
    """`err` at the file and pointer (in that file) of a part pulled in from another file."""
    if len(bundled.sources) == 1 or not err.where.startswith("#"):
        return err
    file, tokens = bundled.origin(to_tokens(err.where[1:]))
    if file is bundled.root:
        return err
    return SpecError(place(file, tokens), join("#", *tokens), err.what)
