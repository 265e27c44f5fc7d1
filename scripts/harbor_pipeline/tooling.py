"""The Node tools the pipeline runs (Spectral, openapi-typescript), found in the project using it.

Harbor runs the versions the project locked in its own package-lock.json: `node_modules/.bin`
of the current directory or the nearest folder above it that has one; then, for a tool run from
a checkout (this repository's editable install), the checkout's; then PATH.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

# The npm package that provides each command, for the message that says how to install it.
PACKAGES = {
    "spectral": "@stoplight/spectral-cli",
    "openapi-typescript": "openapi-typescript",
    "tsc": "typescript",
}


class ToolMissing(Exception):
    """A Node tool the command needs is not installed; the message says how to install it."""


_CHECKOUT = Path(__file__).resolve().parent


def node_tool(command: str, start: Path | None = None, checkout: Path = _CHECKOUT) -> Path:
    """The path of `command` from the project's node_modules, else from PATH."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents, *checkout.parents):
        candidate = folder / "node_modules" / ".bin" / command
        if candidate.exists():
            return candidate
    found = shutil.which(command)
    if found is not None:
        return Path(found)
    package = PACKAGES.get(command, command)
    raise ToolMissing(
        f"{command} is not installed: run `npm install --save-dev {package}` in your project "
        f"(this repository: `make install`), then run the command again"
    )


def node_tool_or_env(command: str, variable: str) -> Path:
    """`node_tool(command)`, unless the environment variable names the binary to use."""
    chosen = os.environ.get(variable)
    return Path(chosen) if chosen else node_tool(command)
