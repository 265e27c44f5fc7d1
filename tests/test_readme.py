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
    commands = [c for block in blocks for c in _commands(block)]
    missing = sorted({c for c in commands if c not in AVAILABLE and not LOCAL.match(c)})
    assert not missing, f"README.md examples need tools that are not prerequisites: {missing}"


def test_the_check_sees_a_tool_inside_a_substitution() -> None:
    assert _commands('curl -H "Key: $(uuidgen)" x') == ["curl", "uuidgen"]
    assert _commands("TOKEN=$(make -s token)\nA=1 make run  # x") == ["make", "make"]
