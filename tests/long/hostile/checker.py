"""The promises every response keeps, whatever was sent: checked one by one, each broken promise
named in a message that shows the case, the request and the response."""

from __future__ import annotations

import contextlib
import enum
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from tests.long.hostile.wire import NoResponse, Request, Response

PROBLEM = "application/problem+json"
ROOT = str(Path(__file__).resolve().parents[3])
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
# A field line with no control character but HTAB (the raw head is split on LF, a CR before
# it stripped): an injected CR or LF shows up as a malformed or an extra line.
HEADER_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+:[^\x00-\x08\x0a-\x1f\x7f]*")
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "request_id", "errors"}
FIELD_ERROR_KEYS = {"location", "pointer", "message"}
LOCATIONS = {"body", "query", "path", "header", "cookie"}
# Header names the corpus tries to inject; none may ever come back.
INJECTED = ("x-hostile-injected", "set-cookie")
INJECTED_MARKER = "hostile-injected"

# What a response must never show: it is the server talking about itself.
LEAKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "a stack trace",
        re.compile(r"Traceback \(most recent call last\)|\bFile \"[^\"]+\", line \d+"),
    ),
    ("an exception class name", re.compile(r"\b[A-Z][A-Za-z0-9_]*(?:Error|Exception|Warning)\b")),
    ("a Python module path", re.compile(r"(?:/[\w.@-]+)+\.py\b|site-packages|lib/python3")),
    ("the checkout's path", re.compile(re.escape(ROOT))),
    (
        "SQL text",
        re.compile(
            r"\b(?:SELECT|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\b[^\n]{0,200}?\b(?:FROM|VALUES|SET|WHERE)\b"
            r"|syntax error at or near|UNIQUE constraint failed|duplicate key value|violates \S+ constraint"
            r"|\brelation \"\w+\"|\bno such (?:table|column)\b"
        ),
    ),
    (
        "a database driver's name",
        re.compile(r"\b(?:asyncpg|aiosqlite|sqlite3|psycopg2?|sqlalchemy|postgresql://)", re.I),
    ),
    ("pydantic's internals", re.compile(r"errors\.pydantic\.dev|pydantic_core")),
    ("an internal column", re.compile(r"risk_score")),
)


class Expect(enum.Enum):
    REJECT = "4xx"  # the request is wrong: a 4xx problem
    ANY = "not 5xx"  # the hostile part may be ignored: any answer but a 5xx, all else checked
    SUCCESS = "2xx"  # the valid baseline: proves the case template reaches the handler


@dataclass(frozen=True)
class Case:
    operation: str
    category: str
    label: str
    request: Request
    expect: Expect
    caller: str | None  # the customer the token names, None when anonymous or forged
    victims: tuple[str, ...] = ()  # ids the caller must not see unless it named them itself
    secrets: tuple[str, ...] = ()  # values the caller must never see
    half_close: bool = False
    # An incomplete request (the client stopped sending): closing without an answer is fine.
    may_close: bool = False

    def describe(self) -> str:
        return f"{self.operation} [{self.category}] {self.label}"


@dataclass
class Verdict:
    case: Case
    status: int | None
    problems: list[str] = field(default_factory=list)
    response: Response | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def message(self) -> str:
        request = self.case.request.encode(b"127.0.0.1")
        lines = [
            f"{self.case.describe()}: expected {self.case.expect.value}, got {self.status}",
            *(f"  - {problem}" for problem in self.problems),
            f"  request: {request[:600]!r}{' ...' if len(request) > 600 else ''}",
        ]
        if self.response is not None:
            lines.append(f"  response head: {self.response.raw_head[:600]!r}")
            lines.append(f"  response body: {self.response.body[:600]!r}")
        return "\n".join(lines)


def check_outcome(case: Case, outcome: Response | NoResponse) -> Verdict:
    if isinstance(outcome, NoResponse):
        if case.may_close and outcome.closed:
            return Verdict(case, None)
        return Verdict(case, None, [f"no response: {outcome}"])
    return Verdict(case, outcome.status, check(case, outcome), outcome)


def check(case: Case, response: Response) -> list[str]:
    problems: list[str] = []
    status = response.status
    if status >= 500:
        problems.append(f"status {status}: a server error for client input")
    elif case.expect is Expect.REJECT and not 400 <= status < 500:
        problems.append(f"status {status}: a hostile request was not refused with a 4xx")
    elif case.expect is Expect.SUCCESS and not 200 <= status < 300:
        problems.append(f"status {status}: the valid baseline request failed")
    problems += _check_headers(case, response)
    if status >= 400:
        problems += _check_problem(response)
    elif 200 <= status < 300 and response.body:
        problems += _check_success(case, response)
    problems += _check_leaks(case, response)
    return problems


def _check_headers(case: Case, response: Response) -> list[str]:
    problems = []
    for line in response.header_lines:
        if not HEADER_LINE.fullmatch(line):
            problems.append(f"malformed or split response header line {line[:200]!r}")
    for name in response.headers:
        if name in INJECTED:
            problems.append(f"response carries an injected header {name!r}")
    head = response.raw_head.decode("latin-1").lower()
    if INJECTED_MARKER in head:
        problems.append("the injected marker came back in the response head")
    ids = response.headers.get("x-request-id", [])
    if len(ids) != 1:
        problems.append(f"expected one X-Request-ID header, got {ids!r}")
    elif not REQUEST_ID.fullmatch(ids[0]):
        problems.append(f"X-Request-ID {ids[0]!r} does not match the spec's pattern")
    return problems


def _check_problem(response: Response) -> list[str]:
    content_type = response.header("content-type")
    if content_type != PROBLEM:
        return [f"Content-Type {content_type!r}, not {PROBLEM}"]
    try:
        body = json.loads(response.body)
    except ValueError:
        return [f"the problem body is not JSON: {response.body[:200]!r}"]
    if not isinstance(body, dict):
        return ["the problem body is not a JSON object"]
    problems = []
    unknown = set(body) - PROBLEM_KEYS
    if unknown:
        problems.append(f"the problem has members the spec does not declare: {sorted(unknown)}")
    for key in ("type", "title"):
        if not isinstance(body.get(key), str):
            problems.append(f"the problem's {key!r} is not a string")
    if body.get("status") != response.status:
        problems.append(f"the problem's status {body.get('status')!r} is not {response.status}")
    for key in ("detail", "instance", "request_id"):
        if key in body and not isinstance(body[key], str):
            problems.append(f"the problem's {key!r} is not a string")
    request_id = response.header("x-request-id")
    if "request_id" in body and body["request_id"] != request_id:
        problems.append("the problem's request_id differs from the X-Request-ID header")
    errors = body.get("errors", [])
    if not isinstance(errors, list) or not all(
        isinstance(e, dict)
        and set(e) == FIELD_ERROR_KEYS
        and e["location"] in LOCATIONS
        and all(isinstance(e[k], str) for k in FIELD_ERROR_KEYS)
        for e in errors
    ):
        problems.append(f"the problem's errors do not have the ProblemFieldError shape: {errors!r}")
    return problems


def _owners(value: object) -> list[str]:
    """Every customer_id anywhere in a JSON document."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "customer_id" and isinstance(item, str):
                found.append(item)
            found += _owners(item)
    elif isinstance(value, list):
        for item in value:
            found += _owners(item)
    return found


def _check_success(case: Case, response: Response) -> list[str]:
    content_type = response.header("content-type")
    if content_type != "application/json":
        return [f"a success with Content-Type {content_type!r}, not application/json"]
    try:
        body = json.loads(response.body)
    except ValueError:
        return [f"the success body is not JSON: {response.body[:200]!r}"]
    if case.caller is None and case.operation not in ("getHealth", "getReadiness"):
        return ["a request without a valid token got a success"]
    strangers = {owner for owner in _owners(body) if owner != case.caller}
    if strangers:
        return [f"a success for {case.caller} shows the data of {sorted(strangers)}"]
    return []


def _strings(value: object) -> list[str]:
    """Every string in a JSON document, keys too, decoded (so an escaped newline is one)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


# Every request this process sent, folded: reflected input is not a leak, whether this request
# sent it or an earlier one stored it (an order's statement_descriptor shows up in later lists).
_SENT: list[str] = []


def _was_sent(text: str) -> bool:
    folded = text.lower()
    return any(folded in sent for sent in reversed(_SENT))


def _check_leaks(case: Case, response: Response) -> list[str]:
    text = response.raw_head.decode("latin-1") + "\n" + response.body.decode("utf-8", "replace")
    with contextlib.suppress(ValueError, RecursionError):
        text += "\n" + "\n".join(_strings(json.loads(response.body)))
    sent = case.request.text()
    _SENT.append(sent.lower())
    problems = []
    for what, pattern in LEAKS:
        for match in pattern.finditer(text):
            if not _was_sent(match.group(0)):
                problems.append(f"the response shows {what}: {match.group(0)!r}")
                break
    for secret in case.secrets:
        if secret and secret in text:
            problems.append(f"the response shows another customer's data {secret!r}")
    for victim in case.victims:
        if victim and victim in text and victim not in sent:
            problems.append(f"the response shows another customer's id {victim!r}")
    return problems
