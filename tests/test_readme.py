"""The README's shell examples run on a machine with only its prerequisites (and curl)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
# The prerequisites (Python, Node, GNU make), what `make` installs under the checkout, and
# curl, which the examples use to show the raw HTTP.
AVAILABLE = {"make", "python3", "python", "node", "npm", "npx", "curl", "git", "cd", "export"}
LOCAL = re.compile(r"^(?:\.venv/bin/|node_modules/\.bin/)")
# A block that installs the pipeline (`pip install ./scripts` into a venv of its own) may then
# call the command it installed.
INSTALLS_HARBOR = re.compile(r"(?m)^python3 -m venv (\S+) && \1/bin/pip install \./scripts\b")
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def _commands(script: str) -> list[str]:
    """The program each command of a sh block runs, `$(...)` substitutions included."""
    script = re.sub(r"\\\n", " ", script)
    found = []
    for line in script.splitlines():
        pieces = [line.split(" #", 1)[0], *re.findall(r"\$\(([^()]*)\)", line)]
        for piece in pieces:
            words = [w for w in shlex.split(piece, comments=True) if not ASSIGNMENT.match(w)]
            if words and not words[0].startswith("-"):
                found.append(words[0])
    return found


def test_every_example_command_is_a_prerequisite_or_installed_by_make() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no sh examples"
    commands = [
        command
        for block in blocks
        for command in _commands(block)
        if not (INSTALLS_HARBOR.search(block) and re.match(r"^(harbor|\S+/bin/pip)$", command))
    ]
    missing = sorted({c for c in commands if c not in AVAILABLE and not LOCAL.match(c)})
    assert not missing, f"README.md examples need tools that are not prerequisites: {missing}"


def test_the_check_sees_a_tool_inside_a_substitution() -> None:
    assert _commands('curl -H "Key: $(uuidgen)" x') == ["curl", "uuidgen"]
    assert _commands("TOKEN=$(make -s token)\nA=1 make run  # x") == ["make", "make"]


def test_harbor_counts_as_installed_only_where_the_block_installs_it() -> None:
    installs = "python3 -m venv ~/.h && ~/.h/bin/pip install ./scripts\nharbor init x\n"
    assert INSTALLS_HARBOR.search(installs)
    assert not INSTALLS_HARBOR.search("harbor init x\n")
