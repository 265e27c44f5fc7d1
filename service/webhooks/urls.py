"""Where the worker may send: webhook URLs checked at registration and resolved at delivery.

Two checks, because DNS can change after registration (DNS rebinding): `check_url` refuses
what the URL itself shows (scheme, a loopback or private IP literal, `localhost`), and
`resolve` looks the host up at delivery time and refuses it unless every address is public,
returning the address to connect to, so that the check and the connection see the same one.

The host is read the way the resolver will read it: IDNA first (which folds full-width digits
and ideographic full stops into ASCII), one trailing dot dropped, and IPv4 in every notation
inet_aton takes (`2130706433`, `0x7f.1`, `0177.0.0.1`, `127.1`), so no spelling of a private
address passes registration to be caught only at delivery.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Letters, digits, `-` and `_` (some internal names have one) in dot-separated labels.
_HOST_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*")


class UnsafeUrl(ValueError):
    """The URL is malformed, or points where webhooks must not go; the message says why."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL, split into what the sender needs."""

    url: str
    scheme: str
    host: str
    port: int


# IPv6 prefixes that carry an IPv4 address in their last 32 bits to a translator or tunnel
# (NAT64, SIIT, the deprecated IPv4-compatible form): the IPv4 address is where they lead.
_CARRY_IPV4 = tuple(ipaddress.IPv6Network(n) for n in ("64:ff9b::/96", "::ffff:0:0:0/96", "::/96"))


def _is_public(address: IpAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.is_site_local:  # fec0::/10, deprecated, but routed inside some networks
            return False
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address.sixtofour is not None:
            address = address.sixtofour
        elif any(address in network for network in _CARRY_IPV4):
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address.is_global and not address.is_multicast


def _literal(host: str) -> IpAddress | None:
    """The address `host` is, if it is one: IPv6 (urlsplit has dropped the brackets) or IPv4 in
    any notation inet_aton, and so getaddrinfo, accepts."""
    if ":" in host:
        try:
            return ipaddress.IPv6Address(host)
        except ValueError:
            return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def _canonical(host: str) -> str:
    """The host as the resolver will see it: an IPv6 literal as is, a name IDNA-encoded, lower
    case, without a trailing dot; UnsafeUrl if it is neither a host name nor an address."""
    if ":" in host:
        if _literal(host) is None:
            raise UnsafeUrl("the host is not a valid IPv6 address")
        return host
    try:
        name = host.encode("idna").decode("ascii").lower().removesuffix(".")
    except UnicodeError:
        raise UnsafeUrl("the host is not a valid host name") from None
    # Percent-escapes, spaces and the like: what one parser reads as a host, another may not.
    if not _HOST_NAME.fullmatch(name):
        raise UnsafeUrl("the host is not a valid host name")
    return name


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
    port = port or (443 if parts.scheme == "https" else 80)
    if allow_private:
        return Target(url, parts.scheme, host, port)
    if parts.scheme != "https":
        raise UnsafeUrl("the URL must use https")
    host = _canonical(host)
    if host == "localhost" or host.endswith(".localhost"):
        raise UnsafeUrl("the host must not be localhost")
    address = _literal(host)
    if address is not None and not _is_public(address):
        raise UnsafeUrl("the address must be a public one")
    # The canonical host: what resolve() looks up at delivery is what was checked here.
    return Target(url, parts.scheme, host, port)


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
