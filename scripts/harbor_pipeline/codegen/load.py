"""Read an OpenAPI document from disk and validate it, turning every fault into located problems."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

import yaml

from harbor_pipeline.breaking import spec_validator as spec_validator_module
from harbor_pipeline.breaking.load import excerpt, yaml_error_position
from harbor_pipeline.breaking.regex_dialects import without_rejected_patterns
from harbor_pipeline.breaking.spec_validator import SpecValidator30, SpecValidator31
from harbor_pipeline.bundle import Bundle, BundleError, Source, bundle
from harbor_pipeline.bundle.lines import position_of
from harbor_pipeline.bundle.locate import ErrorLocator
from harbor_pipeline.bundle.model import to_pointer, to_tokens

from . import refs as refs_module
from .problems import Level, Problem, SpecError
from .refs import ref_faults

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
JSONObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed spec (a multi-file one bundled into one document), with what is needed to
    point back into the text of the file that holds each of its parts."""

    path: Path
    data: JSONObject
    text: str
    bundle: Bundle
    warnings: tuple[Problem, ...] = ()

    @property
    def version(self) -> str:
        return str(self.data.get("openapi", ""))

    @property
    def files(self) -> tuple[str, ...]:
        """Every file the spec is made of, the root first."""
        return self.bundle.files

    def locate(self, problem: Problem, *, column: bool = False) -> Problem:
        """`problem` at the line (and column) of its pointer, in the file that holds it; a part
        pulled in from another file is named by that file and its pointer there."""
        source, tokens = self.bundle.origin(to_tokens(problem.pointer))
        where = to_pointer(tokens)
        line, col = position_of(source.text, where) or (None, None)
        file = "" if source is self.bundle.root else source.location
        return replace(problem, pointer=where, line=line, column=col if column else None, file=file)


def load(path: Path, *, validate: bool = True, verdicts: Path | None = None) -> Document:
    """Parse, bundle and (by default) validate the spec at `path`; raise SpecError naming every
    fault. Each `$ref` to another file is read relative to the file that holds it.

    With `verdicts` (a cache folder), a document found clean once is not validated again:
    `make generate` loads the same spec for the server and both clients, one process each.
    """
    file = str(path)
    text = _read(file)
    data = _parse(file, text)
    try:
        bundled = bundle(Source(file, text, data), _read_pulled_in, _parse)
    except BundleError as error:
        where = to_pointer(error.pointer)
        line, column = position_of(error.source.text, where) or (None, None)
        at = "" if error.source.location == file else error.source.location
        problem = Problem(Level.ERROR, where, error.message, error.rule, line, column, file=at)
        raise SpecError(file, [problem]) from None
    document = Document(path=path, data=bundled.data, text=text, bundle=bundled)
    if not validate:
        return document
    clean = verdicts / _verdict_key(bundled.data) if verdicts is not None else None
    if clean is not None and clean.exists():
        return document
    problems = list(validation_problems(document))
    if any(p.level is Level.ERROR for p in problems):
        raise SpecError(file, problems)
    if clean is not None and not problems:  # warnings are printed every run, so never cached
        clean.parent.mkdir(parents=True, exist_ok=True)
        clean.touch()
    return replace(document, warnings=tuple(problems))


def _verdict_key(data: JSONObject) -> str:
    """What a clean verdict depends on: the bundled document and the code and schemas judging it."""
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode())
    for module in (__file__, refs_module.__file__, spec_validator_module.__file__):
        digest.update(Path(module).read_bytes())
    digest.update(metadata.version("openapi-spec-validator").encode())
    return digest.hexdigest()


def _read_pulled_in(file: str) -> str:
    """A file a `$ref` names: the bundler says which `$ref` when it cannot be read."""
    try:
        return Path(file).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise OSError(f"not UTF-8 text: {exc}") from None


def _read(file: str) -> str:
    try:
        return Path(file).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(file, [_fatal("", "file not found", "file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(file, [_fatal("", f"cannot read the file: {exc}", "file")]) from None


def _parse(file: str, text: str) -> JSONObject:
    try:
        data = (
            json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_Loader)
        )
    except yaml.MarkedYAMLError as exc:
        # The breaking checker's reading of the error, so both tools name the same token.
        line, column, what = yaml_error_position(text, exc)
        problem = Problem(
            Level.ERROR, "", what, "yaml-syntax", line + 1, column + 1, excerpt(text, line, column)
        )
        raise SpecError(file, [problem]) from None
    except json.JSONDecodeError as exc:
        line, column = exc.lineno - 1, exc.colno - 1
        problem = Problem(
            Level.ERROR, "", f"invalid JSON: {exc.msg}", "json-syntax", line + 1, column + 1,
            excerpt(text, line, column),
        )  # fmt: skip
        raise SpecError(file, [problem]) from None
    except yaml.YAMLError as exc:  # no mark: nothing to point at
        raise SpecError(
            file, [Problem(Level.ERROR, "", f"invalid YAML: {exc}", "syntax")]
        ) from None
    if not isinstance(data, dict):
        raise SpecError(file, [_fatal("", "the document is not a mapping", "document-type")])
    return cast(JSONObject, data)


def validation_problems(document: Document) -> Iterator[Problem]:
    """Every schema violation of the OpenAPI 3.0/3.1 meta-schema, each with its place."""
    version = document.version
    validator: Any
    checked = without_rejected_patterns(document.data, version)
    if version.startswith("3.1"):
        validator = SpecValidator31(checked)
    elif version.startswith("3.0"):
        validator = SpecValidator30(checked)
    else:
        yield _fatal(
            "/openapi",
            f"unsupported OpenAPI version {version!r}; expected 3.0.x or 3.1.x",
            "openapi-version",
            document,
        )
        return
    faults = ref_faults(document.data)
    for where, message, rule in faults:
        yield document.locate(Problem(Level.ERROR, where, message, rule), column=True)
    if faults:
        return  # the validator would crash on them or skip them: its verdict means nothing
    seen: set[tuple[str, str]] = set()
    try:
        errors = list(validator.iter_errors())
    except Exception as exc:  # a validator bug must not hide the spec from us
        # Its message can hold a whole document: the type and a bounded excerpt only.
        detail = _shorten(str(exc).split("\n", 1)[0], 200)
        message = f"the OpenAPI validator failed ({type(exc).__name__}: {detail}); the document was not checked against the OpenAPI schema"
        yield Problem(Level.WARNING, "", message, "validator-crashed")
        return
    locator = ErrorLocator(checked)
    for error in errors:
        where = locator.pointer(error)
        message = str(getattr(error, "message", error)).split("\n", 1)[0]
        if (where, message) in seen:
            continue
        seen.add((where, message))
        validator_name = getattr(error, "validator", None)
        rule = f"openapi-{validator_name}" if isinstance(validator_name, str) else "openapi-schema"
        yield document.locate(Problem(Level.ERROR, where, _shorten(message), rule))


def _shorten(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _fatal(where: str, message: str, rule: str, document: Document | None = None) -> Problem:
    problem = Problem(Level.ERROR, where, message, rule)
    return document.locate(problem) if document else problem


def resolve(data: Mapping[str, Any], ref: str) -> Any:
    """Follow a local `#/...` reference inside `data`; KeyError when it leads nowhere."""
    if not ref.startswith("#"):
        raise KeyError(ref)
    node: Any = data
    # A fragment is URI-encoded (`%7Bid%7D` for `{id}`) before it is a JSON pointer (RFC 6901 §6).
    for token in unquote(ref[1:]).split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node
