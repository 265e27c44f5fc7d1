"""The example of a generated README, made runnable against a live server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def example(readme: Path, language: str, url: str, token_for: Callable[[str], str]) -> str:
    """The README's first `language` block with the spec's server swapped for `url`, and the
    token placeholder for a token of the customer the example names (from the spec's examples)."""
    text = readme.read_text(encoding="utf-8")
    found = re.search(rf"```{language}\n(.*?)```", text, re.S)
    assert found, f"no {language} example in {readme}"
    code = found.group(1)
    spec = yaml.safe_load((ROOT / "spec/openapi.yaml").read_text(encoding="utf-8"))
    server = spec["servers"][0]["url"]
    customer = re.search(r'"customer_id": "([^"]+)"', code)
    assert server in code and "<your token>" in code and customer
    return code.replace(server, url).replace("<your token>", token_for(customer.group(1)))
