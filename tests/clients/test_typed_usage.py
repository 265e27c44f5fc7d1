"""mypy --strict accepts a partner's typed use of the new surface and refuses wrong arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


CLIENT = Path(__file__).parents[2] / "clients" / "python"
USAGE = """
import uuid
from typing import assert_type

from harbor_client import (
    AsyncCursorPage,
    AsyncHarborClient,
    CursorPage,
    HarborClient,
    RawResponse,
    WebhookEvent,
    models,
)


def sync(client: HarborClient, order_id: uuid.UUID) -> None:
    created = client.orders.create(customer_id="c", amount_cents=1, currency="EUR")
    assert_type(created.data, models.Order)
    client.orders.create(
        customer_id="c", amount_cents=1, currency="EUR", metadata={"k": "v"}, idempotency_key="k"
    )
    client.orders.create(models.OrderCreate(customer_id="c", amount_cents=1, currency="EUR"))
    client.create_order(models.OrderCreate(customer_id="c", amount_cents=1, currency="EUR"))
    assert_type(client.orders.get(order_id), models.Order)
    raw = client.with_raw_response.orders.get(order_id, extra_headers={"X-A": "1"})
    assert_type(raw, RawResponse[models.Order])
    assert_type(raw.request_id, str | None)
    assert_type(client.orders.with_raw_response.get(order_id), RawResponse[models.Order])
    quick = client.with_options(timeout=1.0, max_retries=0)
    assert_type(quick, HarborClient)
    for order in quick.orders.iter_list_customer_orders("c", extra_query={"x": 1}):
        assert_type(order, models.Order)
    client.webhooks.create_endpoint(url="https://x.example", event_types=["order.created"])
    assert_type(client.customers.orders.list("c", limit=2), models.OrderPage)
    for item in client.customers.orders.iter_list("c"):
        assert_type(item, models.Order)
    page = client.customers.orders.iter_list("c", limit=2).first_page()
    assert_type(page, CursorPage[models.OrderPage, models.Order])
    assert_type(page.body, models.OrderPage)
    assert_type(page.items, list[models.Order])
    assert_type(page.has_next_page(), bool)
    assert_type(page.next_page(), CursorPage[models.OrderPage, models.Order])
    flat_page = client.iter_list_customer_orders("c").first_page()
    assert_type(flat_page, CursorPage[models.OrderPage, models.Order])
    nested_raw = client.with_raw_response.customers.orders.list("c")
    assert_type(nested_raw, RawResponse[models.OrderPage])
    assert_type(client.webhooks.unwrap(b"{}", {}, secret="whsec_"), WebhookEvent)


async def asynchronous(client: AsyncHarborClient, order_id: uuid.UUID) -> None:
    assert_type(await client.orders.get(order_id), models.Order)
    raw = await client.with_raw_response.orders.cancel(order_id)
    assert_type(raw.data, models.Order)
    created = await client.with_options(max_retries=1).orders.create(
        customer_id="c", amount_cents=1, currency="EUR"
    )
    assert_type(created.data, models.Order)
    assert_type(await client.customers.orders.list("c"), models.OrderPage)
    async for item in client.customers.orders.iter_list("c"):
        assert_type(item, models.Order)
    page = await client.customers.orders.iter_list("c").first_page()
    assert_type(page, AsyncCursorPage[models.OrderPage, models.Order])
    assert_type(page.items, list[models.Order])
    assert_type(await page.next_page(), AsyncCursorPage[models.OrderPage, models.Order])
    grouped = await client.orders.iter_list_customer_orders("c").first_page()
    assert_type(grouped, AsyncCursorPage[models.OrderPage, models.Order])
    assert_type(client.webhooks.unwrap("{}", {}, secrets=["whsec_"]), WebhookEvent)
"""
WRONG = """
from harbor_client import HarborClient


def wrong(client: HarborClient) -> None:
    client.orders.create(customer_id="c", amount_cents="1", currency="EUR")
    client.orders.create(customer_id="c", currency="EUR")
    client.orders.create(customer_id="c", amount_cents=1, currency="EUR", colour="red")
    order_id: str = client.customers.orders.iter_list("c").first_page().items[0].id
"""


def mypy(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "usage.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "usage.py"],
        cwd=tmp_path,
        env={"MYPYPATH": str(CLIENT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )


def test_typed_usage_passes_mypy_strict(tmp_path: Path) -> None:
    checked = mypy(tmp_path, USAGE)
    assert checked.returncode == 0, checked.stdout


def test_wrong_keywords_are_refused(tmp_path: Path) -> None:
    checked = mypy(tmp_path, WRONG)
    assert checked.returncode == 1
    errors = {line.split(":")[1] for line in checked.stdout.splitlines() if ": error:" in line}
    assert errors == {"6", "7", "8", "9"}, checked.stdout
