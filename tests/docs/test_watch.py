"""A save is picked up once it has settled, in the spec or in a file its `$ref`s pull in."""

from __future__ import annotations

import json
import time
from pathlib import Path

from harbor_pipeline.docs.preview import Preview
from harbor_pipeline.docs.watch import Debouncer, Watcher, signature

from .conftest import save

A: tuple[tuple[object, ...], ...] = (("spec.yaml", 1, 10, 100),)
B: tuple[tuple[object, ...], ...] = (("spec.yaml", 1, 12, 200),)
C: tuple[tuple[object, ...], ...] = (("spec.yaml", 2, 14, 300),)


def test_a_burst_of_writes_reloads_once_after_it_settles() -> None:
    debouncer = Debouncer(loaded=A, settle=0.5)
    assert not debouncer.due(A, 0.0)
    assert not debouncer.due(B, 1.0)  # the first write
    assert not debouncer.due(C, 1.25)  # the editor writes again: the wait starts over
    assert not debouncer.due(C, 1.5)
    assert debouncer.due(C, 1.75)
    debouncer.loaded = C
    assert not debouncer.due(C, 5.0)


def test_a_change_undone_before_it_settles_reloads_nothing() -> None:
    debouncer = Debouncer(loaded=A, settle=0.3)
    assert not debouncer.due(B, 1.0)
    assert not debouncer.due(A, 1.1)
    assert not debouncer.due(A, 2.0)


def test_a_file_appearing_or_vanishing_changes_the_signature(tmp_path: Path) -> None:
    path = tmp_path / "pet.yaml"
    absent = signature([path])
    path.write_text("type: object\n", encoding="utf-8")
    assert signature([path]) != absent
    path.unlink()
    assert signature([path]) == absent


def _document(preview: Preview) -> object:
    status = json.loads(preview.status().body)
    return status["document"]


def _wait_for_change(preview: Preview, before: object, timeout: float = 10.0) -> object:
    deadline = time.monotonic() + timeout
    while (now := _document(preview)) == before:
        assert time.monotonic() < deadline, "the save was not picked up"
        time.sleep(0.02)
    return now


def test_the_watcher_follows_the_spec_and_the_files_it_pulls_in(
    preview: Preview, spec: Path
) -> None:
    reports: list[str] = []
    watcher = Watcher(preview, interval=0.02, settle=0.05, report=reports.append)
    watcher.start()
    try:
        first = _document(preview)
        save(spec, lambda text: text.replace("title: Pets", "title: Cats"))
        second = _wait_for_change(preview, first)
        save(spec.parent / "schemas" / "pet.yaml", lambda text: text.replace("[name]", "[]"))
        _wait_for_change(preview, second)
    finally:
        watcher.stop()
    served = preview.document()
    assert served is not None
    assert json.loads(served.body)["components"]["schemas"]["pet"]["required"] == []
    assert reports and all(line.startswith(f"{spec}: read (2 file(s))") for line in reports)


def test_creating_the_file_a_broken_ref_names_is_enough(preview: Preview, spec: Path) -> None:
    watcher = Watcher(preview, interval=0.02, settle=0.05, retry=0.1)
    watcher.start()
    save(spec, lambda text: text.replace("schemas/pet.yaml", "schemas/cat.yaml"))
    try:
        deadline = time.monotonic() + 10
        while not preview.broken:
            assert time.monotonic() < deadline, "the broken $ref was not seen"
            time.sleep(0.02)
        before = json.loads(preview.status().body)
        (spec.parent / "schemas" / "cat.yaml").write_text("type: string\n", encoding="utf-8")
        while preview.broken:
            assert time.monotonic() < deadline, "the new file was not picked up"
            time.sleep(0.02)
    finally:
        watcher.stop()
    assert before["broken"] and "cat.yaml" in before["problems"][0]["message"]
    assert preview.watched() == (spec, spec.parent / "schemas" / "cat.yaml")
