"""Hypothesis strategies: one part of an operation's valid request replaced by generated junk.

Every strategy draws a `Case` for one operation; the expectation comes from the spec (a body the
schema refuses must be refused), so a generated case can fail only for a real reason."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.operations import Operation
from tests.long.hostile.template import Template, body_expectation, case, template, with_member
from tests.long.hostile.values import INJECTION_STRINGS, JSON_FRAGMENTS
from tests.long.hostile.world import World

# Header values without CR, LF and NUL: those change the framing and have cases of their own.
HEADER_BYTES = st.binary(max_size=300).map(
    lambda b: b.replace(b"\r", b"").replace(b"\n", b"").replace(b"\x00", b"").strip()
)
HOSTILE_TEXT = st.one_of(
    st.text(max_size=200),
    st.sampled_from([value for _, value in INJECTION_STRINGS]),
    st.text(
        alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zl", "Zp", "Co"]),
        max_size=50,
    ),
)
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    HOSTILE_TEXT,
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(HOSTILE_TEXT, children, max_size=5)
    ),
    max_leaves=20,
)


def _encoded(text: str) -> bytes:
    return quote(text, safe="").encode()


def cases(op: Operation, world: World) -> st.SearchStrategy[Case]:
    t = template(op, world)
    options: list[st.SearchStrategy[Case]] = []
    path = op.parameter("path")
    if path:
        options.append(
            st.builds(
                lambda name, raw: case(
                    t.with_path(name, raw),
                    world,
                    "hypothesis-path",
                    f"{name}={raw[:40]!r}",
                    Expect.REJECT,
                ),
                st.sampled_from([p.name for p in path]),
                st.one_of(
                    HOSTILE_TEXT.map(_encoded),
                    st.binary(min_size=1, max_size=80).map(lambda b: quote(b, safe="").encode()),
                ).filter(lambda raw: raw not in t.path.values() and raw not in (b"", b".", b".."))
                | st.sampled_from([b".", b".."]),
            )
        )
    names = [p.name for p in op.parameter("query")] + ["x", "__proto__", "customer_id"]
    options.append(
        st.builds(
            lambda name, value: case(
                t.with_query((name.encode(), _encoded(value))),
                world,
                "hypothesis-query",
                f"{name}={value[:40]!r}",
                Expect.ANY,
            ),
            st.sampled_from(names),
            HOSTILE_TEXT,
        )
    )
    headers = [
        "X-Request-ID",
        "Content-Type",
        "Accept",
        "X-Forwarded-For",
        *(p.name for p in op.parameter("header")),
    ]
    options.append(
        st.builds(
            lambda name, value: case(
                t.with_header(name.encode(), value),
                world,
                "hypothesis-header",
                f"{name}={value[:40]!r}",
                Expect.ANY,
            ),
            st.sampled_from(headers),
            HEADER_BYTES,
        )
    )
    if op.secured:
        options.append(
            st.builds(
                lambda value: case(
                    t.with_header(b"Authorization", b"Bearer " + value),
                    world,
                    "hypothesis-token",
                    repr(value[:40]),
                    Expect.REJECT,
                    caller=None,
                ),
                HEADER_BYTES,
            )
        )
    if t.body is not None:
        options.append(
            st.builds(
                lambda name, value: _member_case(op, t, world, name, value),
                st.sampled_from(op.body_fields),
                JSON_VALUES,
            )
        )
        options.append(st.builds(lambda doc: _whole_body(op, t, world, doc), JSON_VALUES))
        options.append(
            st.builds(
                lambda raw: case(
                    t.with_body(raw),
                    world,
                    "hypothesis-body",
                    f"raw {raw[:40]!r}",
                    body_expectation(op, raw),
                ),
                st.binary(max_size=500),
            )
        )
        options.append(
            st.builds(
                lambda name, label: _fragment_case(op, t, world, name, label),
                st.sampled_from(op.body_fields),
                st.sampled_from([label for label, _ in JSON_FRAGMENTS]),
            )
        )
    return st.one_of(options)


def _member_case(op: Operation, t: Template, world: World, name: str, value: Any) -> Case:
    doc = json.loads(t.body or b"{}")
    body = json.dumps({**doc, name: value}).encode("utf-8", "surrogatepass")
    return case(
        t.with_body(body),
        world,
        "hypothesis-body",
        f"{name}={body[:60]!r}",
        body_expectation(op, body),
    )


def _whole_body(op: Operation, t: Template, world: World, doc: Any) -> Case:
    body = json.dumps(doc).encode("utf-8", "surrogatepass")
    return case(
        t.with_body(body),
        world,
        "hypothesis-body",
        f"document {body[:60]!r}",
        body_expectation(op, body),
    )


def _fragment_case(op: Operation, t: Template, world: World, name: str, label: str) -> Case:
    body = with_member(json.loads(t.body or b"{}"), name, dict(JSON_FRAGMENTS)[label])
    return case(
        t.with_body(body), world, "hypothesis-body", f"{name}={label}", body_expectation(op, body)
    )
