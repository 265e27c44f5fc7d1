"""The gate on removing deprecated things: not before `x-sunset`, and for an operation not while
a customer called it lately (`--usage`, the file `python -m service.versions.usage export`
writes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harbor_pipeline.breaking.__main__ import main

TODAY = "2027-01-10"
RELEASE = """\
openapi: 3.1.0
info:
  title: Orders
  version: 1.0.0
paths:
  /orders:
    get:
      operationId: listOrders
      parameters:
        - name: verbose
          in: query
          {param}
          schema: {{type: boolean}}
      responses:
        '200': {{description: ok}}
  /legacy:
    get:
      operationId: getLegacy
      {legacy}
      responses:
        '200': {{description: ok}}
"""
REVISION = """\
openapi: 3.1.0
info:
  title: Orders
  version: {version}
paths:
  /orders:
    get:
      operationId: listOrders
      {parameters}
      responses:
        '200': {{description: ok}}
"""
PARAMETER = "parameters: [{name: verbose, in: query, schema: {type: boolean}}]"


def _gate(
    tmp_path: Path,
    *,
    legacy: str = "deprecated: true\n      x-sunset: 2026-12-31",
    param: str = "",
    version: str = "2.0.0",
    keep_parameter: bool = True,
    usage: dict | None = None,
    extra: tuple[str, ...] = (),
) -> int:
    releases = tmp_path / "releases"
    releases.mkdir(exist_ok=True)
    (releases / "1.0.0.yaml").write_text(RELEASE.format(legacy=legacy, param=param))
    spec = tmp_path / "openapi.yaml"
    parameters = PARAMETER if keep_parameter else ""
    spec.write_text(REVISION.format(version=version, parameters=parameters))
    args = ["gate", str(spec), str(releases), "--today", TODAY, *extra]
    if usage is not None:
        path = tmp_path / "usage.json"
        path.write_text(json.dumps(usage))
        args += ["--usage", str(path)]
    return main(args)


def _usage(**last_days: dict[str, int]) -> dict:
    """An export made today, covering 30 days, with customers by the day of their last call."""
    return {
        "format": "harbor-api-usage/1",
        "generated_at": f"{TODAY}T06:00:00Z",
        "days": 30,
        "since": "2026-12-11",
        "operations": {
            op: {
                "operation": "GET /legacy",
                "customers": sum(days.values()),
                "calls": 10 * sum(days.values()),
                "last_called_at": f"{max(days)}T10:00:00Z" if days else None,
                "customers_by_last_day": days,
                "calls_by_version": {},
            }
            for op, days in last_days.items()
        },
    }


def test_removal_before_the_sunset_date_is_refused_naming_it(tmp_path, capsys):
    legacy = "deprecated: true\n      x-sunset: 2027-06-30"
    assert _gate(tmp_path, legacy=legacy, usage=_usage(getLegacy={})) == 1
    out, err = capsys.readouterr()
    assert "GET /legacy at #/paths/~1legacy/get: refused: before its sunset date" in out
    assert "its sunset date is 2027-06-30" in out
    assert "removes GET /legacy from release 1.0.0 too early" in err


def test_removal_after_the_sunset_while_customers_called_it_is_refused_naming_how_many(
    tmp_path, capsys
):
    usage = _usage(getLegacy={"2027-01-09": 2, "2026-12-20": 1})
    assert _gate(tmp_path, usage=usage) == 1
    out, _ = capsys.readouterr()
    assert "refused: still called: 3 customers called getLegacy in the last 30 days" in out
    assert "sunset date 2026-12-31 has passed" in out


def test_removal_after_the_sunset_without_recent_calls_is_accepted(tmp_path, capsys):
    assert _gate(tmp_path, usage=_usage(getLegacy={})) == 0
    out, err = capsys.readouterr()
    assert "GET /legacy at #/paths/~1legacy/get: allowed" in out
    assert "accepted: every break removes a deprecated thing after its sunset date" in out
    assert err == ""


def test_the_window_decides_which_calls_keep_an_operation(tmp_path, capsys):
    usage = _usage(getLegacy={"2026-12-20": 1})  # 21 days before TODAY
    assert _gate(tmp_path, usage=usage, extra=("--usage-window-days", "10")) == 0
    assert _gate(tmp_path, usage=usage, extra=("--usage-window-days", "30")) == 1
    assert "1 customer called getLegacy in the last 30 days" in capsys.readouterr().out


def test_removal_after_the_sunset_without_usage_data_is_allowed_with_a_warning(tmp_path, capsys):
    assert _gate(tmp_path) == 0
    out, err = capsys.readouterr()
    assert "allowed, usage not checked" in out and "--usage FILE" in out
    assert "warning: usage not checked: GET /legacy" in err


def test_an_operation_the_usage_file_does_not_list_is_not_checked(tmp_path, capsys):
    assert _gate(tmp_path, usage=_usage(other={})) == 0
    out, err = capsys.readouterr()
    assert "does not list getLegacy: the server did not count its calls" in out
    assert "warning: usage not checked" in err


def test_an_allowed_removal_still_needs_the_next_major_version(tmp_path, capsys):
    assert _gate(tmp_path, version="1.1.0", usage=_usage(getLegacy={})) == 1
    out, err = capsys.readouterr()
    assert "set info.version to 2.0.0" in out
    assert "breaks release 1.0.0" in err


def test_removing_an_operation_never_deprecated_stays_refused(tmp_path, capsys):
    assert _gate(tmp_path, legacy="", usage=_usage(getLegacy={})) == 1
    out, _ = capsys.readouterr()
    assert "operation-removed-without-deprecation" in out
    assert "Deprecated things removed" not in out


def test_a_deprecation_without_a_sunset_date_cannot_be_removed(tmp_path, capsys):
    assert _gate(tmp_path, legacy="deprecated: true", usage=_usage(getLegacy={})) == 1
    assert "refused: deprecated without an x-sunset date" in capsys.readouterr().out


def test_a_deprecated_parameter_goes_only_after_its_sunset(tmp_path, capsys):
    early = "deprecated: true\n          x-sunset: 2027-03-01"
    assert _gate(tmp_path, param=early, keep_parameter=False, usage=_usage(getLegacy={})) == 1
    out, _ = capsys.readouterr()
    assert "parameter 'verbose' of GET /orders" in out and "2027-03-01" in out

    late = "deprecated: true\n          x-sunset: 2026-03-01"
    assert _gate(tmp_path, param=late, keep_parameter=False, usage=_usage(getLegacy={})) == 0


def test_a_malformed_sunset_date_is_a_located_error(tmp_path, capsys):
    assert _gate(tmp_path, legacy="deprecated: true\n      x-sunset: next spring") == 2
    err = capsys.readouterr().err
    assert "1.0.0.yaml: #/paths/~1legacy/get/x-sunset: expected a date YYYY-MM-DD" in err


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (lambda u: u.update(format="other/2"), "/format", "expected 'harbor-api-usage/1'"),
        (
            lambda u: u["operations"]["getLegacy"]["customers_by_last_day"].update({"soon": 1}),
            "/operations/getLegacy/customers_by_last_day/soon",
            "expected a date YYYY-MM-DD",
        ),
        (
            lambda u: u["operations"]["getLegacy"].update(customers=-1),
            "/operations/getLegacy/customers",
            "expected a whole number >= 0",
        ),
        (lambda u: u.update(generated_at="2026-12-01T00:00:00Z"), "/generated_at", "export it"),
        (lambda u: u.update(since="2027-01-01"), "/since", "export with --days 30 or more"),
    ],
    ids=["format", "day", "count", "stale", "window"],
)
def test_a_bad_usage_file_is_a_located_error(tmp_path, capsys, change, where, what):
    usage = _usage(getLegacy={"2027-01-01": 1})
    change(usage)
    assert _gate(tmp_path, usage=usage) == 2
    err = capsys.readouterr().err
    assert f"usage.json: {where}: " in err and what in err


def test_a_usage_file_that_is_not_json_is_a_located_error(tmp_path, capsys):
    (tmp_path / "usage.json").write_text('{"format": ')
    releases = tmp_path / "releases"
    releases.mkdir()
    (releases / "1.0.0.yaml").write_text(RELEASE.format(legacy="", param=""))
    args = ["gate", str(releases / "1.0.0.yaml"), str(releases), "--usage"]
    assert main([*args, str(tmp_path / "usage.json")]) == 2
    assert "usage.json: line 1 column 12: not JSON" in capsys.readouterr().err
    assert main([*args, str(tmp_path / "missing.json")]) == 2
    assert "missing.json: file: no such file" in capsys.readouterr().err
