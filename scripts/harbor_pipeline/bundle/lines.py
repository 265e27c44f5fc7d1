"""Where a JSON pointer sits in the text of one file of a spec, as a line (and column)."""

from __future__ import annotations

import yaml

from .model import Source, Tokens, to_pointer

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def place(source: Source, tokens: Tokens) -> str:
    """`file:line` of the node at `tokens` in `source`, or the file alone when it has no line."""
    line = line_of(source.text, to_pointer(tokens))
    return f"{source.location}:{line}" if line else source.location


def line_of(text: str, json_pointer: str) -> int | None:
    """The 1-based line where `json_pointer` sits in YAML or JSON `text`, or None."""
    position = position_of(text, json_pointer)
    return position[0] if position else None


def position_of(text: str, json_pointer: str) -> tuple[int, int] | None:
    """The 1-based (line, column) where `json_pointer` sits in YAML or JSON `text` (its key's,
    which reads best), or None when the text does not parse."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in json_pointer.split("/")[1:]]
    mark = node.start_mark
    for token in tokens:
        found: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == token), None)
            if pair is not None:
                found, mark = pair[1], pair[0].start_mark
        elif (
            isinstance(node, yaml.SequenceNode) and token.isdigit() and int(token) < len(node.value)
        ):
            found = node.value[int(token)]
            mark = found.start_mark
        if found is None:
            break
        node = found
    return mark.line + 1, mark.column + 1
