"""An app that cannot be assembled is refused before it serves, naming what to write where."""

from __future__ import annotations

from pathlib import Path

import pytest

import service.__main__ as launcher
from generated._runtime import MissingHandlers, provide
from generated.orders import _METHODS, OrdersApi
from service.orders.projection import ProjectionMismatch


class HalfDone:
    async def create_order(self, **kwargs: object) -> object:
        raise AssertionError("not called")


def test_a_missing_handler_names_the_class_its_file_and_the_stub_to_paste():
    with pytest.raises(MissingHandlers) as caught:
        provide(HalfDone(), _METHODS, OrdersApi)
    message = str(caught.value)
    assert "HalfDone does not implement OrdersApi: missing get_order, cancel_order" in message
    assert "tests/service/test_startup.py" in message
    # The signature as the generated Protocol writes it, ready to paste.
    assert "    async def get_order(\n        self,\n        *,\n        order_id: UUID," in message
    assert ") -> GetOrderOk:\n        raise NotImplementedError" in message


@pytest.fixture(autouse=True)
def _keep_logging(monkeypatch):
    # main() configures structlog for the process; bound to capsys's stream, later tests' logs
    # would write to a closed file.
    monkeypatch.setattr(launcher, "configure_logging", lambda settings: None)
    monkeypatch.setattr("service.app.configure_logging", lambda settings: None)


@pytest.mark.parametrize("error", [MissingHandlers("m"), ProjectionMismatch("p")])
def test_the_server_refuses_before_its_banner(monkeypatch, capsys, error):
    def broken():
        raise error

    def serve(config):
        raise AssertionError("the server started")

    monkeypatch.setattr("service.app.create_app_from_env", broken)
    monkeypatch.setattr(launcher, "serve", serve)
    assert launcher.main([]) == 2
    out, err = capsys.readouterr()
    assert err.strip() == f"harbor: the server cannot start: {error}"
    assert "http://" not in out + err


def test_check_assembles_the_app_and_serves_nothing(monkeypatch, capsys):
    monkeypatch.setattr(launcher, "serve", lambda config: 1 / 0)
    assert launcher.main(["--check"]) == 0
    assert "every operation of the spec has a handler" in capsys.readouterr().out


def test_reload_watches_the_code_and_the_spec_in_one_process(monkeypatch):
    seen = []
    monkeypatch.setattr(launcher, "serve", lambda config: seen.append(config) or 0)
    assert launcher.main(["--reload", "--port", "8123"]) == 0
    (config,) = seen
    assert config.should_reload and config.workers == 1 and config.port == 8123
    assert {Path(d).name for d in config.reload_dirs} == {"service", "generated", "spec"}


def test_reload_with_several_workers_is_refused(capsys):
    with pytest.raises(SystemExit) as exited:
        launcher.main(["--reload", "--workers", "2"])
    assert exited.value.code == 2
    assert "--reload runs one worker" in capsys.readouterr().err
