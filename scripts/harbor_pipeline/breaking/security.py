"""Compare who may call an operation: security requirement alternatives, schemes and scopes."""

from __future__ import annotations

from collections.abc import Mapping

from harbor_pipeline.breaking.findings import Change
from harbor_pipeline.breaking.nodes import Node, as_node, child, join, text
from harbor_pipeline.breaking.resolve import Resolver

# One way to authenticate: every scheme in it, by identity, with its scopes.
Alternative = Mapping[str, frozenset[str]]


class _Schemes:
    """Names schemes by what they are on the wire, so renaming one changes nothing."""

    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.display: dict[str, str] = {}

    def identity(self, name: str) -> str:
        defined = as_node(
            child(child(self.resolver.root, "components"), "securitySchemes").get(name)
        )
        if defined is None:
            key = f"undefined:{name}"
        else:
            node, _ = self.resolver.deref(defined, "#")
            key = _wire(node)
        self.display.setdefault(key, name)
        return key


def _wire(scheme: Node) -> str:
    kind = text(scheme, "type") or "?"
    if kind == "apiKey":
        where, name = text(scheme, "in") or "", text(scheme, "name") or ""
        return f"apiKey:{where}:{name.lower() if where == 'header' else name}"
    if kind == "http":
        return f"http:{(text(scheme, 'scheme') or '').lower()}"
    if kind == "openIdConnect":
        return f"openIdConnect:{text(scheme, 'openIdConnectUrl')}"
    if kind == "oauth2":
        return f"oauth2:{','.join(sorted(child(scheme, 'flows')))}"
    return kind


def _alternatives(schemes: _Schemes, op: Node) -> list[Alternative]:
    """The operation's own `security`, else the document's; none at all is anonymous access."""
    value = op.get("security") if "security" in op else schemes.resolver.root.get("security")
    if not isinstance(value, list) or not value:
        return [{}]
    out: list[Alternative] = []
    for requirement in value:
        if isinstance(requirement, Mapping):
            out.append(
                {
                    schemes.identity(str(name)): frozenset(
                        s
                        for s in (scopes if isinstance(scopes, list) else [])
                        if isinstance(s, str)
                    )
                    for name, scopes in requirement.items()
                }
            )
    return out or [{}]


def _covers(new: Alternative, old: Alternative) -> bool:
    """True when credentials that satisfied `old` also satisfy `new`."""
    return all(key in old and scopes <= old[key] for key, scopes in new.items())


def security_changes(
    old_resolver: Resolver, old_op: Node, new_resolver: Resolver, new_op: Node, at: str
) -> list[Change]:
    """Breaking when some way of calling that worked before no longer does."""
    old_schemes, new_schemes = _Schemes(old_resolver), _Schemes(new_resolver)
    old = _alternatives(old_schemes, old_op)
    new = _alternatives(new_schemes, new_op)
    where = join(at, "security") if "security" in new_op else "#/security"
    changes: list[Change] = []
    for alternative in old:
        if any(_covers(candidate, alternative) for candidate in new):
            continue
        if not alternative:
            shown = " or ".join(_show(a, new_schemes) for a in new)
            changes.append(
                Change("security-added", where, f"authentication is now required: {shown}")
            )
            continue
        closest = min(new, key=lambda n: (len(n.keys() - alternative.keys()), len(n)))
        extra = closest.keys() - alternative.keys()
        was = _show(alternative, old_schemes)
        if extra:
            names = ", ".join(sorted(new_schemes.display[k] for k in extra))
            message = f"callers using {was} must now also use {names}"
            changes.append(Change("security-scheme-added", where, message))
        else:
            scopes = sorted(s for k in closest for s in closest[k] - alternative[k])
            message = f"callers using {was} now need the scopes {', '.join(scopes)}"
            changes.append(Change("security-scope-added", where, message))
    if changes:
        return changes  # the new alternatives are explained by the breaking findings
    for alternative in new:
        if alternative not in old:
            if not alternative:
                changes.append(
                    Change("security-removed", where, "anonymous callers are now accepted")
                )
            else:
                shown = _show(alternative, new_schemes)
                changes.append(
                    Change("security-alternative-added", where, f"{shown} is now accepted")
                )
    return changes


def _show(alternative: Alternative, schemes: _Schemes) -> str:
    if not alternative:
        return "no authentication"
    return " + ".join(sorted(schemes.display[k] for k in alternative))
