"""The corpus's families that attack the HTTP message around the parameters: headers (CR/LF
injection, oversized), bearer tokens (forged, expired ...) and framing (lying lengths, smuggling)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

from tests.long.hostile.checker import Case, Expect
from tests.long.hostile.operations import Operation
from tests.long.hostile.template import case, fresh_key, parameter_expectation, template
from tests.long.hostile.values import INJECTED_HEADER, INJECTION_STRINGS
from tests.long.hostile.world import World

CRLF = INJECTED_HEADER.encode()


def headers(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    for p in op.parameter("header"):
        name = p.name.encode()
        values = [
            (label, value.encode())
            for label, value in INJECTION_STRINGS
            if "\r" not in value and "\x00" not in value
        ]
        values += [
            ("empty", b""),
            ("256 characters", b"k" * 256),
            ("invalid utf-8", b"key-\xff\xfe"),
            ("latin-1", b"cl\xe9"),
        ]
        for label, value in values:
            expect = parameter_expectation(p.schema, value.decode("latin-1"))
            yield case(t.with_header(name, value), world, "header", f"{p.name}={label}", expect)
    # CR/LF in the two headers the server reads for itself: the request may go through (the
    # injected line is a header of the request), but nothing may come back split or reflected.
    for name in (b"X-Request-ID", *(p.name.encode() for p in op.parameter("header"))):
        for label, value in (
            ("crlf", b"ok-1\r\n" + CRLF),
            ("bare lf", b"ok-1\n" + CRLF),
            ("bare cr", b"ok-1\r" + CRLF),
            ("obs-fold", b"ok-1\r\n " + CRLF),
            ("nul", b"ok-1\x00" + CRLF),
            ("encoded crlf", b"ok-1%0d%0a" + quote(INJECTED_HEADER).encode()),
            ("response splitting", b"ok\r\n\r\nHTTP/1.1 200 OK\r\n" + CRLF),
        ):
            yield case(
                t.with_header(name, value),
                world,
                "header-injection",
                f"{name.decode()} {label}",
                Expect.ANY,
            )
    for label, value in (
        ("129 characters", b"r" * 129),
        ("invalid utf-8", b"\xff\xfe"),
        ("sql", b"' OR 1=1 --"),
        ("traversal", b"../../etc/passwd"),
        ("empty", b""),
    ):
        yield case(
            t.with_header(b"X-Request-ID", value),
            world,
            "header",
            f"X-Request-ID {label}",
            Expect.ANY,
        )


def oversized_headers(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    for label, extra in (
        ("one 16 KiB header", ((b"X-Padding", b"p" * 16_384),)),
        ("one 100 KiB header", ((b"X-Padding", b"p" * 102_400),)),
        ("500 headers", tuple((b"X-Pad-%d" % i, b"p" * 20) for i in range(500))),
        ("8 KiB header name", ((b"X-" + b"n" * 8_192, b"1"),)),
        ("invalid utf-8 header", ((b"X-Custom", b"\xff\xfe\xfd"),)),
        ("space before colon", ((b"X-Custom ", b"1"),)),
    ):
        yielded = t
        for name, value in extra:
            yielded = yielded.with_header(name, value)
        yield case(yielded, world, "oversized-header", label, Expect.ANY)


def tokens(op: Operation, world: World) -> Iterator[Case]:
    t = template(op, world)
    expect = Expect.REJECT if op.secured else Expect.ANY
    forged = world.issuer.forged(world.a.id, other_customer=world.b.id)
    for label, token in forged.items():
        yield case(
            t.with_header(b"Authorization", b"Bearer " + token.encode()),
            world,
            "token",
            label,
            expect,
            caller=None,
        )
    valid = world.token(world.a).encode()
    for label, value in (
        ("missing", None),
        ("empty", b""),
        ("scheme only", b"Bearer"),
        ("scheme and space", b"Bearer "),
        ("basic", b"Basic dXNlcjpwYXNz"),
        ("token without scheme", valid),
        ("trailing junk", b"Bearer " + valid + b" junk"),
        ("nul inside", b"Bearer " + valid[:10] + b"\x00" + valid[10:]),
        ("invalid utf-8", b"Bearer \xff\xfe"),
        ("sql", b"Bearer ' OR 1=1 --"),
    ):
        yield case(
            t.with_header(b"Authorization", value),
            world,
            "token",
            f"authorization {label}",
            expect,
            caller=None,
        )


def framing(op: Operation, world: World) -> Iterator[Case]:
    """What only a raw socket sends: lying lengths, smuggling, chunked bodies."""
    t = fresh_key(template(op, world))
    body = t.body or b""
    expect_body = Expect.REJECT if t.body is not None else Expect.ANY
    yield case(
        t,
        world,
        "framing",
        "Content-Length larger than the body, then EOF",
        expect_body,
        request=t.request(content_length=str(len(body) + 100).encode()),
        half_close=True,
        may_close=True,
    )
    if t.body is not None:
        yield case(
            t,
            world,
            "framing",
            "Content-Length smaller than the body",
            Expect.REJECT,
            request=t.request(content_length=str(len(body) // 2).encode()),
        )
        yield case(
            t,
            world,
            "framing",
            "Content-Length over the limit",
            Expect.REJECT,
            request=t.request(content_length=b"100000000"),
            half_close=True,
        )
        chunks = (
            b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in [b"x" * 8000] * 10)
            + b"0\r\n\r\n"
        )
        yield case(
            t,
            world,
            "framing",
            "chunked body over the limit",
            Expect.REJECT,
            request=t.with_header(b"Transfer-Encoding", b"chunked")
            .with_body(chunks)
            .request(content_length=None),
        )
    for label, length in (
        ("not a number", b"abc"),
        ("negative", b"-1"),
        ("plus sign", b"+5"),
        ("huge", b"9" * 30),
        ("hex", b"0x10"),
    ):
        yield case(
            t,
            world,
            "framing",
            f"Content-Length {label}",
            Expect.REJECT,
            request=t.request(content_length=length),
            half_close=True,
        )
    smuggled = t.with_header(b"Transfer-Encoding", b"chunked").with_body(
        b"0\r\n\r\nGET /v1/orders/"
        + world.b.order_ids[0].encode()
        + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    yield case(
        smuggled,
        world,
        "framing",
        "Content-Length and Transfer-Encoding (smuggling)",
        Expect.ANY,
        request=smuggled.request(content_length=b"5"),
    )
    bad_chunks = t.with_header(b"Transfer-Encoding", b"chunked").with_body(
        b"zz\r\nabc\r\n0\r\n\r\n"
    )
    yield case(
        bad_chunks,
        world,
        "framing",
        "invalid chunk size",
        Expect.REJECT,
        request=bad_chunks.request(content_length=None),
    )
    unknown = t.with_header(b"Transfer-Encoding", b"gzip, chunked").with_body(b"0\r\n\r\n")
    yield case(
        unknown,
        world,
        "framing",
        "unknown transfer coding",
        Expect.ANY,
        request=unknown.request(content_length=None),
    )
    twice = t.with_header(b"Content-Length", b"0").with_header(b"Content-length", b"5")
    yield case(
        twice,
        world,
        "framing",
        "two different Content-Length headers",
        Expect.REJECT,
        request=twice.request(content_length=b"7"),
    )
