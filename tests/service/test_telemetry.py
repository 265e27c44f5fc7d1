"""FastAPI's native OpenTelemetry: off unless HARBOR_OPENTELEMETRY, then spans for requests."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry import trace

from service.app import create_app
from tests.fixtures.service import make_settings, serve


class _RecordingTracer(trace.Tracer):
    def __init__(self, names: list[str]) -> None:
        self.names = names

    def start_span(self, name: str, *args: Any, **kwargs: Any) -> trace.Span:
        self.names.append(name)
        return trace.NonRecordingSpan(trace.INVALID_SPAN_CONTEXT)

    def start_as_current_span(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self.names.append(name)
        return trace.use_span(trace.NonRecordingSpan(trace.INVALID_SPAN_CONTEXT))


class _RecordingProvider(trace.TracerProvider):
    """What an installed SDK looks like to FastAPI: a configured global provider."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def get_tracer(self, *args: Any, **kwargs: Any) -> trace.Tracer:
        return _RecordingTracer(self.names)


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> _RecordingProvider:
    recording = _RecordingProvider()
    monkeypatch.setattr(trace, "get_tracer_provider", lambda: recording)
    return recording


@pytest.mark.parametrize(("enabled", "spans"), [(False, []), (True, ["GET"])])
async def test_request_spans_only_when_turned_on(database_url, provider, enabled, spans):
    app = create_app(make_settings(database_url, opentelemetry=enabled))

    async with serve(app) as client:
        response = await client.get("/health")

    assert response.status_code == 200
    assert [name for name in provider.names if not name.startswith("fastapi.")] == spans


def test_it_is_off_unless_set(monkeypatch):
    monkeypatch.setenv("HARBOR_OPENTELEMETRY", "true")
    assert make_settings("sqlite+aiosqlite:///unused.db").opentelemetry is True
    monkeypatch.delenv("HARBOR_OPENTELEMETRY")
    assert make_settings("sqlite+aiosqlite:///unused.db").opentelemetry is False
