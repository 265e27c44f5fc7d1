"""What is served follows the file: the bundled document, the problems, a version to poll."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from harbor_pipeline.docs.app import build_app
from harbor_pipeline.docs.preview import Job, Preview
from harbor_pipeline.docs.worker import LatestJobWorker

from .conftest import ROOT, SPEC, FakeLinter, inline, save


def _refs(node: object) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


async def test_the_spec_is_served_bundled_as_json(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert document["components"]["schemas"]["pet"]["required"] == ["name"]
    assert _refs(document) and all(ref.startswith("#/") for ref in _refs(document))
    again = await client.get("/openapi.json", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


async def test_an_edit_changes_the_document_and_the_status_it_is_polled_by(
    client: httpx.AsyncClient, preview: Preview, spec: Path
) -> None:
    first = await client.get("/status")
    etag = first.headers["etag"]
    assert (await client.get("/status", headers={"If-None-Match": etag})).status_code == 304
    assert preview.reload() is False  # nothing saved: nothing changes

    save(spec.parent / "schemas" / "pet.yaml", lambda text: text + "  age: {type: integer}\n")
    assert preview.reload() is True
    polled = await client.get("/status", headers={"If-None-Match": etag})
    assert polled.status_code == 200 and polled.headers["etag"] != etag
    assert polled.json()["document"] != first.json()["document"]
    document = (await client.get("/openapi.json")).json()
    assert set(document["components"]["schemas"]["pet"]["properties"]) == {"name", "age"}
    assert polled.json()["files"] == [str(spec), str(spec.parent / "schemas" / "pet.yaml")]


async def test_a_save_that_cannot_be_read_shows_where_and_keeps_the_last_good_document(
    client: httpx.AsyncClient, preview: Preview, spec: Path
) -> None:
    good = (await client.get("/openapi.json")).json()
    save(spec, lambda text: text.replace("  title: Pets\n", "  title: [Pets\n"))
    preview.reload()
    status = (await client.get("/status")).json()
    assert status["broken"] is True
    (problem,) = status["problems"]
    assert (problem["file"], problem["line"], problem["by"]) == (str(spec), 4, "syntax")
    assert problem["column"] and problem["where"] == f"{spec}:4:{problem['column']}"
    # Where the YAML parser gave up (the next line), with the excerpt `harbor lint` prints.
    assert problem["message"].startswith("invalid YAML: did not find expected ',' or ']'")
    assert "version: 1.0.0" in problem["excerpt"] and "^" in problem["excerpt"]
    assert (await client.get("/openapi.json")).json() == good
    assert status["document"] is not None  # the page keeps rendering the last good one

    save(spec, lambda text: text.replace("  title: [Pets\n", "  title: Pets again\n"))
    preview.reload()
    status = (await client.get("/status")).json()
    assert status["broken"] is False and status["problems"] == []
    assert (await client.get("/openapi.json")).json()["info"]["title"] == "Pets again"


async def test_a_ref_to_a_missing_file_is_located_at_the_ref(
    client: httpx.AsyncClient, preview: Preview, spec: Path
) -> None:
    save(spec, lambda text: text.replace("schemas/pet.yaml", "schemas/cat.yaml"))
    preview.reload()
    (problem,) = (await client.get("/status")).json()["problems"]
    assert problem["where"] == f"{spec}:17:17" and "cannot read" in problem["message"]


async def test_a_spec_never_readable_has_no_document_but_says_why(
    tmp_path: Path, linter: FakeLinter
) -> None:
    spec = tmp_path / "openapi.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: {title: [\n", encoding="utf-8")
    preview = Preview(spec, lint=linter, run=inline)
    preview.reload()
    transport = httpx.ASGITransport(app=build_app(preview))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        missing = await client.get("/openapi.json")
        status = (await client.get("/status")).json()
        page = await client.get("/swagger")
    assert missing.status_code == 503
    assert missing.headers["content-type"] == "application/problem+json"
    assert status["document"] is None and status["broken"] is True
    assert status["problems"][0]["where"].startswith(f"{spec}:3:")
    assert page.status_code == 200
    assert linter.calls == 0  # nothing to lint until it parses


async def test_a_spectral_finding_appears_in_the_problems(tmp_path: Path, spec: Path) -> None:
    linter = FakeLinter(
        [
            "{spec}:8:7: error: Operation must have non-empty tags array. [operation-tags] (at #/paths/~1pets~1{{id}}/get)"
        ]
    )
    preview = Preview(spec, lint=linter, run=inline)
    preview.reload()
    problems = json.loads(preview.status().body)["problems"]
    assert problems == [
        {
            "file": str(spec),
            "line": 8,
            "column": 7,
            "level": "error",
            "message": "Operation must have non-empty tags array. [operation-tags] (at #/paths/~1pets~1{id}/get)",
            "by": "spectral",
            "excerpt": "",
            "where": f"{spec}:8:7",
        }
    ]


def test_a_schema_error_is_located_like_harbor_lint_locates_it(
    spec: Path, linter: FakeLinter
) -> None:
    save(spec, lambda text: text.replace("          description: The pet.\n", ""))
    preview = Preview(spec, lint=linter, run=inline)
    preview.reload()
    (problem,) = json.loads(preview.status().body)["problems"]
    assert (problem["by"], problem["file"], problem["line"]) == ("schema", str(spec), 12)
    assert '"description" is a required property' in problem["message"]
    assert problem["message"].endswith("(at #/paths/~1pets~1{id}/get/responses/200)")


def test_the_document_changes_at_once_and_the_lint_follows(spec: Path) -> None:
    release = threading.Event()
    started = threading.Event()

    def slow(path: Path, seen: frozenset[str]) -> list[str]:
        started.set()
        release.wait(10)
        return [f"{path}:1:1: error: slow finding [rule]"]

    preview = Preview(spec, lint=slow, run=LatestJobWorker())
    preview.reload()
    assert started.wait(10)
    status = json.loads(preview.status().body)
    assert status["document"] is not None and status["linting"] is True
    assert status["problems"] == []
    release.set()
    deadline = time.monotonic() + 10
    while json.loads(preview.status().body)["linting"] and time.monotonic() < deadline:
        time.sleep(0.02)
    status = json.loads(preview.status().body)
    assert status["linting"] is False
    assert [p["message"] for p in status["problems"]] == ["slow finding [rule]"]


def test_the_lint_of_an_older_save_is_dropped(spec: Path) -> None:
    jobs: list[Job] = []
    linter = FakeLinter(["{spec}:1:1: error: found [rule]"])
    preview = Preview(spec, lint=linter, run=jobs.append)
    preview.reload()
    save(spec, lambda text: text.replace("title: Pets", "title: Cats"))
    preview.reload()
    older, newer = jobs
    older()
    assert json.loads(preview.status().body)["linting"] is True  # still the newer save's turn
    newer()
    status = json.loads(preview.status().body)
    assert status["linting"] is False and len(status["problems"]) == 1


def test_harbor_lints_real_spectral_finding_is_shown(tmp_path: Path, monkeypatch) -> None:
    # The one test with Spectral itself (a second or two): the project's .spectral.yaml.
    monkeypatch.chdir(ROOT)
    spec = tmp_path / "openapi.yaml"
    spec.write_text(SPEC.replace("$ref: 'schemas/pet.yaml'", "type: object"), encoding="utf-8")
    preview = Preview(spec, run=inline)
    preview.reload()
    problems = json.loads(preview.status().body)["problems"]
    tags = [p for p in problems if "[operation-tags]" in p["message"]]
    assert tags and tags[0]["by"] == "spectral" and tags[0]["line"] == 7, problems
