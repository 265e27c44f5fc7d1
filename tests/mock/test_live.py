"""The mock as a partner meets it: a real process that schemathesis (every check) and the
generated Python client find to be the API the spec describes."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from harbor_client import HarborClient, NotFoundError, RequestOptions, models

from .conftest import HARBOR, ROOT, TOKEN
from .live import running_mock

# Bounded so the runs take seconds; the coverage phase still tries every documented status,
# missing parameter and undocumented method. A fixed seed makes a failure reproducible.
EXAMPLES = "10"
SEED = "20261207"


def test_schemathesis_finds_nothing_with_every_check() -> None:
    # Harbor's spec only: its bearer is a JWT, a shape the mock checks, so schemathesis's probe
    # with a garbled token gets its 401. An apiKey (tests/mock/specs) is checked for presence
    # only, and `ignored_auth` rightly reports that any key is accepted.
    spec, credentials = HARBOR, f"Authorization: Bearer {TOKEN}"
    with running_mock(spec) as url:
        # `harbor fuzz --url`: how a team fuzzes a server it runs itself (here the mock), with
        # ./schemathesis.toml and every check.
        done = subprocess.run(
            [
                str(Path(sys.executable).parent / "harbor"), "fuzz", "--url", url,
                "--spec", str(spec), "--header", credentials,
                "--max-examples", EXAMPLES, "--seed", SEED,
                "--phases", "examples,coverage,fuzzing,stateful",
            ],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=300,
        )  # fmt: skip
    summary = done.stdout[done.stdout.rfind("SUMMARY") :]
    print(summary)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    cases = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert cases is not None and int(cases[1]) > 100 and cases[1] == cases[2], summary


def test_the_python_client_against_the_mock() -> None:
    with running_mock(HARBOR) as url, HarborClient(url, token=TOKEN, max_retries=0) as harbor:
        order = models.OrderCreate.model_validate(
            {"customer_id": "cus_123", "amount_cents": 2599, "currency": "EUR"}
        )
        created = harbor.create_order(order, idempotency_key=str(uuid.uuid4()))
        assert created.status_code == 201
        assert created.request_id == "01JDQ3M6Z4K8P2VN7C5X9H1B3T"
        assert created.headers["location"] == f"/v1/orders/{created.data.id}"
        fetched = harbor.get_order(created.data.id)
        assert fetched == created.data and fetched.status == models.OrderStatus.PENDING
        page = harbor.list_customer_orders("cus_123", limit=10)
        assert [o.id for o in page.data] == [created.data.id] and page.next_cursor is None
        with pytest.raises(NotFoundError) as caught:
            harbor.get_order(
                created.data.id, options=RequestOptions(headers={"Prefer": "code=404"})
            )
        assert caught.value.status == 404
        assert caught.value.title == "Not found"
