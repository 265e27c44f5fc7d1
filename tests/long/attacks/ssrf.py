"""Every spelling of a loopback, private, link-local or metadata address a webhook URL can carry,
and the URL tricks around a host (userinfo, fragment, backslash, port), by name."""

from __future__ import annotations

import ipaddress
import socket

# IPv4 targets inside the network the worker runs in.
PRIVATE_V4 = {
    "loopback": "127.0.0.1",
    "loopback other": "127.53.0.9",
    "10/8": "10.0.0.1",
    "172.16/12": "172.16.0.1",
    "192.168/16": "192.168.1.1",
    "metadata": "169.254.169.254",
    "shared 100.64/10": "100.64.0.1",
    "this network": "0.0.0.0",
    "benchmark": "198.18.0.1",
}
# IPv6 targets, bracketed as in a URL.
PRIVATE_V6 = {
    "loopback": "[::1]",
    "loopback long": "[0:0:0:0:0:0:0:1]",
    "unspecified": "[::]",
    "ULA fd00::/8": "[fd12:3456::1]",
    "ULA fc00::/8": "[fc00::1]",
    "link-local": "[fe80::1]",
    "link-local with zone": "[fe80::1%25eth0]",
    "site-local": "[fec0::1]",
    "multicast": "[ff02::1]",
    "metadata (AWS IPv6)": "[fd00:ec2::254]",
}
NAMES = {
    "localhost": "localhost",
    "localhost upper case": "LOCALHOST",
    "localhost trailing dot": "localhost.",
    "localhost mixed case trailing dot": "LocalHost.",
    "subdomain of localhost": "api.localhost",
    "subdomain of localhost trailing dot": "api.localhost.",
    "full-width localhost": "\uff4c\uff4f\uff43\uff41\uff4c\uff48\uff4f\uff53\uff54",
    "localhost percent-encoded": "%6c%6f%63%61%6c%68%6f%73%74",
}
_FULL_WIDTH = {ord(str(d)): chr(0xFF10 + d) for d in range(10)} | {ord("."): "\uff0e"}


def spellings(address: str) -> dict[str, str]:
    """`address` in every notation inet_aton (and so getaddrinfo) reads as that address."""
    octets = [int(part) for part in address.split(".")]
    a, b, c, d = octets
    n = int(ipaddress.IPv4Address(address))
    found = {
        "dotted": address,
        "decimal": str(n),
        "hex": hex(n),
        "hex upper case": "0X" + format(n, "X"),
        "hex dotted": ".".join(hex(o) for o in octets),
        "octal": "0" + format(n, "o"),
        "octal dotted": ".".join("0" + format(o, "o") for o in octets),
        "octal padded": ".".join(f"{o:04o}" for o in octets),
        "three parts": f"{a}.{b}.{(c << 8) + d}",
        "two parts": f"{a}.{(b << 16) + (c << 8) + d}",
        "mixed bases": f"{hex(a)}.{b}.0{format(c, 'o')}.{d}",
    }
    for label, host in found.items():
        assert socket.inet_aton(host) == socket.inet_aton(address), f"{label}: {host}"
    high, low = (a << 8) + b, (c << 8) + d
    found |= {
        "trailing dot": address + ".",
        "full-width digits": address.translate(_FULL_WIDTH),
        "ideographic full stops": address.replace(".", "\u3002"),
        "percent-encoded": "".join(f"%{ord(ch):02x}" for ch in address),
        "percent-encoded dots": address.replace(".", "%2e"),
        "IPv4-mapped": f"[::ffff:{address}]",
        "IPv4-mapped hex": f"[::ffff:{high:x}:{low:x}]",
        "IPv4-mapped long": f"[0:0:0:0:0:ffff:{address}]",
        "IPv4-compatible": f"[::{address}]",
        "SIIT": f"[::ffff:0:{address}]",
        "NAT64": f"[64:ff9b::{address}]",
        "6to4": f"[2002:{high:x}:{low:x}::1]",
    }
    return found


def hosts() -> dict[str, str]:
    """Every private host by name: each IPv4 target in each spelling, IPv6, localhost."""
    found = {
        f"{target} {spelling}": host
        for target, address in PRIVATE_V4.items()
        for spelling, host in spellings(address).items()
    }
    found |= {f"IPv6 {name}": host for name, host in PRIVATE_V6.items()}
    return found | NAMES


def urls() -> dict[str, str]:
    """Every private host in a plain URL and behind each trick a parser might read differently."""
    found: dict[str, str] = {}
    for name, host in hosts().items():
        found[name] = f"https://{host}/hook"
        found[f"{name}, port"] = f"https://{host}:8443/hook"
        found[f"{name}, behind userinfo"] = f"https://hooks.partner.example@{host}/hook"
        found[f"{name}, fragment hides it"] = f"https://{host}#@hooks.partner.example/"
        found[f"{name}, backslash"] = f"https://{host}\\@hooks.partner.example/"
    found |= {
        "http to a public host": "http://hooks.partner.example/hook",
        "credentials": "https://user:secret@hooks.partner.example/hook",
        "file": "file:///etc/passwd",
        "gopher": "gopher://127.0.0.1:6379/_INFO",
        "ftp": "ftp://hooks.partner.example/",
        "no host": "https:///hook",
        "empty port": "https://127.0.0.1:/hook",
        "port out of range": "https://hooks.partner.example:70000/",
    }
    return found
