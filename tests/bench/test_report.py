"""The HTTP report's ratio table: intervals over rounds and the verdict against each target."""

from __future__ import annotations

from bench.httpbench.report import inprocess_lines, ratio_rows


def _sample(server: str, round_: int, cpu_us: float, rps: float, workers: int = 1) -> dict:
    return {
        "server": server, "workers": workers, "endpoint": "get", "round": round_,
        "cpu_us": cpu_us, "rps": rps,
    }  # fmt: skip


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_a_peer_clearly_behind_meets_its_target_and_a_close_one_is_not_shown():
    samples = []
    floor_cpu = [80, 100, 80, 100, 90]  # the floor's CPU over Harbor's: 0.8-1.0, around 0.9
    for r, noise in enumerate([1.0, 1.05, 0.95, 1.02, 0.98]):
        samples += [
            _sample("harbor", r, 100, 2000 / noise),
            _sample("connexion", r, 250 * noise, 800 / noise),  # 2.5x Harbor's CPU: met
            _sample("floor", r, floor_cpu[r], 2100),
        ]
    rows = {(_cells(row)[2]): _cells(row) for row in ratio_rows(samples, 1, "get")}
    assert set(rows) == {"connexion", "floor"}
    assert rows["connexion"][3:6:2] == ["2", "met"]
    assert rows["connexion"][7] == "met"
    assert rows["floor"][5] == "not shown"
    assert rows["connexion"][8] == "5"


def test_two_workers_and_the_extra_row_are_information_only():
    samples = []
    for r in range(3):
        samples += [
            _sample("harbor", r, 100, 2000, workers=2),
            _sample("connexion", r, 150, 1000, workers=2),
            _sample("harbor", r, 100, 2000),
            _sample("fastapi-asyncpg-tx", r, 300, 600),
        ]
    (two,) = ratio_rows(samples, 2, "get")
    assert _cells(two)[5] == "information (2 workers)"
    (extra,) = ratio_rows(samples, 1, "get")
    assert _cells(extra)[2:6] == ["fastapi-asyncpg-tx", "-", "3.00 [3.00, 3.00]", "information"]


def test_a_round_missing_for_one_server_is_left_out_of_the_pairing():
    samples = [
        _sample("harbor", 0, 100, 10),
        _sample("floor", 0, 50, 5),
        _sample("floor", 1, 50, 5),
    ]
    (row,) = ratio_rows(samples, 1, "get")
    assert _cells(row)[4] == "0.50 [0.50, 0.50]"
    assert _cells(row)[5] == "missed"
    assert _cells(row)[8] == "1"


def test_the_in_process_table_reports_the_floors_cpu_over_harbors():
    lines = inprocess_lines({"get": {"floor": [60.0, 62.0, 61.0], "harbor": [66.0, 68.0, 67.0]}})
    (row,) = [line for line in lines if line.startswith("| `get`")]
    cells = _cells(row)
    assert cells[1:3] == ["61.0", "67.0"]
    assert cells[3].startswith("0.91 [")
    assert cells[4] == "met"
    assert inprocess_lines({}) == []
