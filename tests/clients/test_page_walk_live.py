"""`first_page()` -> `CursorPage` (`has_next_page()`, `next_page()`) against the real service, sync
and async, flat and grouped (#20: parity with the TypeScript client's `firstPage()`)."""

from __future__ import annotations

import uuid

import pytest
from harbor_client import (
    AsyncCursorPage,
    AsyncHarborClient,
    CursorPage,
    HarborClient,
    Paginator,
    models,
)


def create(harbor: HarborClient, customer: str, count: int) -> list[uuid.UUID]:
    """`count` orders of `customer`, newest first (the order the list returns them in)."""
    ids = [
        harbor.orders.create(customer_id=customer, amount_cents=n + 1, currency="EUR").data.id
        for n in range(count)
    ]
    return list(reversed(ids))


def walk(page: CursorPage[models.OrderPage, models.Order]) -> list[list[uuid.UUID]]:
    """The ids of every page from `page` on, following `has_next_page()` / `next_page()`."""
    seen = [[order.id for order in page.items]]
    while page.has_next_page():
        page = page.next_page()
        seen.append([order.id for order in page.items])
    return seen


def test_first_page_walks_page_by_page(harbor: HarborClient, customer: str) -> None:
    newest_first = create(harbor, customer, 5)
    paginator = harbor.customers.orders.iter_list(customer, limit=2)
    first = paginator.first_page()
    assert isinstance(first, CursorPage) and isinstance(first.body, models.OrderPage)
    assert first.items == first.body.data and first.body.next_cursor
    assert walk(first) == [newest_first[0:2], newest_first[2:4], newest_first[4:]]
    # The same walk by the flat and the tag group's names; the paginator still iterates.
    assert walk(harbor.iter_list_customer_orders(customer, limit=2).first_page()) == walk(first)
    assert walk(harbor.orders.iter_list_customer_orders(customer, limit=3).first_page()) == [
        newest_first[0:3],
        newest_first[3:],
    ]
    assert [order.id for order in paginator] == newest_first


def test_the_last_page_has_no_next(harbor: HarborClient, customer: str) -> None:
    only = create(harbor, customer, 1)
    page = harbor.customers.orders.iter_list(customer, limit=5).first_page()
    assert [order.id for order in page.items] == only and page.body.next_cursor is None
    assert not page.has_next_page()
    with pytest.raises(LookupError, match="last page"):
        page.next_page()


def test_first_page_of_a_customer_without_orders_is_empty(
    harbor: HarborClient, customer: str
) -> None:
    page = harbor.customers.orders.iter_list(customer).first_page()
    assert page.items == [] and not page.has_next_page()


def test_paginator_stays_what_it_was(harbor: HarborClient, customer: str) -> None:
    """The released surface: the same Paginator type, `.pages()` yielding the page models."""
    create(harbor, customer, 3)
    paginator = harbor.iter_list_customer_orders(customer, limit=2)
    assert type(paginator) is Paginator
    assert [len(page.data) for page in paginator.pages()] == [2, 1]


async def test_async_first_page_walks_page_by_page(
    harbor: HarborClient, async_harbor: AsyncHarborClient, customer: str
) -> None:
    newest_first = create(harbor, customer, 3)
    first = await async_harbor.customers.orders.iter_list(customer, limit=2).first_page()
    assert isinstance(first, AsyncCursorPage) and first.has_next_page()
    second = await first.next_page()
    assert [[o.id for o in first.items], [o.id for o in second.items]] == [
        newest_first[:2],
        newest_first[2:],
    ]
    assert not second.has_next_page() and second.body.next_cursor is None
    with pytest.raises(LookupError):
        await second.next_page()
    flat = await async_harbor.iter_list_customer_orders(customer, limit=3).first_page()
    assert [o.id for o in flat.items] == newest_first and not flat.has_next_page()
