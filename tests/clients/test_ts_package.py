"""The TypeScript client as a partner installs it: `npm pack`, then an empty project outside
the repository installs the tarball, type-checks against it and calls the live server."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from harbor_pipeline.fuzz.server import LiveServer
from tests.clients.readme import example

ROOT = Path(__file__).resolve().parents[2]
CLIENT = ROOT / "clients/typescript"
NODE_MODULES = ROOT / "node_modules"
TSC = NODE_MODULES / ".bin/tsc"

pytestmark = pytest.mark.skipif(not TSC.exists(), reason="the Node tools are not installed")

CONSUMER_TS = """\
import { HarborClient, NotFoundError, type Order, type OrderCreate } from "harbor-client";

export async function roundTrip(client: HarborClient, body: OrderCreate): Promise<Order> {
  const created = await client.createOrder({ body });
  return client.getOrder({ orderId: created.data.id });
}
export const isMissing = (error: unknown): boolean => error instanceof NotFoundError;
"""

CONSUMER_JS = """\
import { HarborClient } from "harbor-client";

const [baseUrl, token, customer] = process.argv.slice(2);
const client = new HarborClient({ baseUrl, token });
const created = await client.createOrder({ body: { customer_id: customer, amount_cents: 4200, currency: "EUR" } });
const fetched = await client.getOrder({ orderId: created.data.id });
console.log(JSON.stringify({ status: created.status, created: created.data, fetched }));
"""


def run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(command)} in {cwd}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def npm_pack(folder: Path, destination: Path) -> Path:
    out = run(["npm", "pack", "--json", "--pack-destination", str(destination)], cwd=folder)
    return destination / json.loads(out)[0]["filename"]


def dependency_closure(package: Path) -> list[str]:
    """The runtime dependencies a package needs, transitively, as installed in the repo."""
    seen: list[str] = []
    pending = list(json.loads((package / "package.json").read_text()).get("dependencies", {}))
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.append(name)
            manifest = json.loads((NODE_MODULES / name / "package.json").read_text())
            pending.extend(manifest.get("dependencies", {}))
    return seen


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("ts-package")
    # A copy of the client folder outside the repo, as a partner would have it after `npm
    # install` there (the repo's locked tools stand in for that install: tests stay offline).
    copy = work / "harbor-client"
    shutil.copytree(CLIENT, copy, ignore=shutil.ignore_patterns("dist", "node_modules", "*.tgz"))
    (copy / "node_modules").symlink_to(NODE_MODULES)
    tarballs = work / "tarballs"
    tarballs.mkdir()
    client = npm_pack(copy, tarballs)
    # Its declared dependencies, packed from the locked install, so that npm needs no registry.
    dependencies = [npm_pack(NODE_MODULES / name, tarballs) for name in dependency_closure(copy)]

    project = work / "partner-project"
    project.mkdir()
    (project / "package.json").write_text('{"name": "partner", "private": true, "type": "module"}')
    install = ["npm", "install", "--offline", "--no-audit", "--no-fund", "--loglevel=error"]
    run([*install, *map(str, dependencies), str(client)], cwd=project)
    return project


def test_the_tarball_carries_the_build_and_declares_its_dependencies(consumer: Path) -> None:
    (tarball,) = (consumer.parent / "tarballs").glob("harbor-client-*.tgz")
    with tarfile.open(tarball) as archive:
        names = set(archive.getnames())
    assert {"package/dist/index.js", "package/dist/index.d.ts", "package/package.json"} <= names
    assert not any(name.startswith("package/node_modules/") for name in names)
    manifest = json.loads((consumer / "node_modules/harbor-client/package.json").read_text())
    assert "openapi-fetch" in manifest["dependencies"]
    assert (consumer / "node_modules/openapi-fetch").is_dir()


def typecheck(project: Path, name: str, source: str) -> subprocess.CompletedProcess[str]:
    """tsc --strict on one file of the project, with no types but the installed client's."""
    (project / name).write_text(source)
    options = {
        "strict": True,
        "noEmit": True,
        "module": "nodenext",
        "moduleResolution": "nodenext",
        "target": "es2022",
        "lib": ["es2022", "dom"],
        "types": [],
    }
    config = project / f"tsconfig.{name}.json"
    config.write_text(json.dumps({"compilerOptions": options, "files": [name]}))
    command = [str(TSC), "-p", config.name]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)


def test_a_project_outside_the_repo_type_checks_against_the_installed_client(
    consumer: Path,
) -> None:
    checked = typecheck(consumer, "partner.ts", CONSUMER_TS)
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The check has teeth: a wrong argument name is refused through the installed types.
    wrong = 'import { HarborClient } from "harbor-client";\nnew HarborClient({ baseUrl: "x", token: "t" }).getOrder({ order: "x" });\n'
    refused = typecheck(consumer, "wrong.ts", wrong)
    assert refused.returncode != 0
    assert "wrong.ts" in refused.stdout and "order" in refused.stdout


def test_a_project_outside_the_repo_calls_the_server_with_the_installed_client(
    consumer: Path, server: LiveServer, customer: str, token_for: Callable[[str], str]
) -> None:
    (consumer / "partner.mjs").write_text(CONSUMER_JS)
    env = {k: v for k, v in os.environ.items() if k != "NODE_PATH"}
    done = subprocess.run(
        ["node", "partner.mjs", server.url, token_for(customer), customer],
        cwd=consumer,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["status"] == 201
    assert answer["fetched"] == answer["created"]
    assert answer["created"]["customer_id"] == customer
    assert answer["created"]["amount_cents"] == 4200


def test_the_readme_example_runs_with_the_installed_client(
    consumer: Path, server: LiveServer, token_for: Callable[[str], str]
) -> None:
    code = example(CLIENT / "README.md", "ts", server.url, token_for)
    checked = typecheck(consumer, "readme.mts", code)  # as printed, it type-checks too
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (consumer / "readme.mjs").write_text(code)
    env = {k: v for k, v in os.environ.items() if k != "NODE_PATH"}
    done = subprocess.run(
        ["node", "readme.mjs"], cwd=consumer, capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    # The create's status first; an error answer would go to stderr with its status.
    assert done.stdout.startswith("201 "), done.stdout + done.stderr
    assert not done.stderr
