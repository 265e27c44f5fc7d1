"""Where the worker may send: webhook URLs checked at registration and resolved at delivery.

Two checks, because DNS can change after registration (DNS rebinding): `check_url` refuses
what the URL itself shows (scheme, a loopback or private IP literal, `localhost`), and
`resolve` looks the host up at delivery time and refuses it unless every address is public,
returning the address to connect to, so that the check and the connection see the same one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeUrl(ValueError):
    """The URL is malformed, or points where webhooks must not go; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL, split into what the sender needs."""

    url: str
    scheme: str
    host: str
    port: int


def _is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IpAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def check_url(url: str, *, allow_private: bool) -> Target:
    """The URL split into a Target, or UnsafeUrl: https only and no literal non-public address
    or localhost, unless `allow_private` (tests and `make run`)."""
    try:
        parts: SplitResult = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeUrl(f"not a valid URL ({exc})") from None
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise UnsafeUrl("the URL must be http(s)://host/...")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise UnsafeUrl("the URL must not carry credentials or a fragment")
    target = Target(url, parts.scheme, host, port or (443 if parts.scheme == "https" else 80))
    if allow_private:
        return target
    if parts.scheme != "https":
        raise UnsafeUrl("the URL must use https")
    if host == "localhost" or host.endswith(".localhost"):
        raise UnsafeUrl("the host must not be localhost")
    address = _literal(host)
    if address is not None and not _is_public(address):
        raise UnsafeUrl("the address must be a public one")
    return target


async def resolve(target: Target) -> str:
    """A public address of the target's host to connect to, or UnsafeUrl if it has none or any
    of its addresses is not public (a host that answers with a private address is refused)."""
    literal = _literal(target.host)
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
            )
        except socket.gaierror as exc:
            raise UnsafeUrl(f"the host {target.host} does not resolve ({exc.strerror})") from None
        # An IPv6 link-local answer carries its zone ("fe80::1%eth0"); it is not public anyway.
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses or not all(_is_public(a) for a in addresses):
        raise UnsafeUrl(f"the host {target.host} resolves to a non-public address")
    return str(addresses[0])
