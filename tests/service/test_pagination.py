"""Keyset pagination: newest first, stable under concurrent inserts, cursors tamper-evident."""

from __future__ import annotations

import asyncio
import base64
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.kit.pagination import CursorCodec, InvalidCursor, Keyset
from service.orders.repository import OrderRecord


async def walk(client, headers, customer, *, limit, on_page=None):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": limit} | ({"cursor": cursor} if cursor else {})
        response = await client.get(
            f"/v1/customers/{customer}/orders", params=params, headers=headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["data"]) <= limit
        seen.extend(order["id"] for order in page["data"])
        pages += 1
        if on_page is not None:
            await on_page(pages)
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


async def seed(units, customer: str, count: int) -> list[str]:
    """`count` orders straight through the repository (faster than HTTP), some sharing a
    created_at so that the id tie-break is exercised; newest first, as the list answers."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    records = [
        OrderRecord(
            id=uuid.uuid4(),
            customer_id=customer,
            amount_cents=100 + i,
            currency="EUR",
            status="pending",
            statement_descriptor=None,
            metadata={},
            payment_method=None,
            risk_score=0,
            created_at=base + timedelta(milliseconds=i // 3),
            updated_at=base,
        )
        for i in range(count)
    ]
    async with units(write=True) as unit:
        for record in records:
            await unit.orders.insert(record)
    records.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return [str(r.id) for r in records]


async def test_the_default_page_is_20_newest_first(client, auth, create_order, customer):
    created = [(await create_order(customer)).json()["id"] for _ in range(23)]

    page = (await client.get(f"/v1/customers/{customer}/orders", headers=auth(customer))).json()

    assert [o["id"] for o in page["data"]] == created[::-1][:20]
    assert page["next_cursor"] is not None


async def test_an_empty_list_has_no_next_page(client, auth, customer):
    page = (await client.get(f"/v1/customers/{customer}/orders", headers=auth(customer))).json()

    assert page == {"data": [], "next_cursor": None}


@pytest.mark.parametrize("limit", [1, 7, 100])
async def test_a_walk_sees_every_order_once_in_order(client, auth, units, customer, limit):
    expected = await seed(units, customer, 150)

    assert await walk(client, auth(customer), customer, limit=limit) == expected


async def test_a_walk_of_1000_orders_is_stable_under_concurrent_inserts(
    client, auth, units, create_order, customer
):
    existing = await seed(units, customer, 1000)
    inserted: list[str] = []

    async def insert_while_walking(page: int) -> None:
        # Every few pages, two more orders of the same customer arrive (newest of all).
        if page % 3 == 0:
            for response in await asyncio.gather(create_order(customer), create_order(customer)):
                inserted.append(response.json()["id"])

    seen = await walk(client, auth(customer), customer, limit=7, on_page=insert_while_walking)

    assert len(inserted) > 50
    assert len(seen) == len(set(seen))
    assert [order_id for order_id in seen if order_id not in inserted] == existing


async def test_a_tampered_cursor_is_400(client, auth, customer, create_order):
    for _ in range(3):
        await create_order(customer)
    headers = auth(customer)
    url = f"/v1/customers/{customer}/orders"
    cursor = (await client.get(url, params={"limit": 1}, headers=headers)).json()["next_cursor"]
    raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    raw[5] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    for bad in [tampered, cursor[:-2], cursor + "AA", "AAAA", "x"]:
        response = await client.get(url, params={"cursor": bad}, headers=headers)
        assert response.status_code == 400, bad
        assert response.json()["type"].endswith("/invalid-cursor")


async def test_another_customers_cursor_is_400_not_their_data(client, auth, create_order, customer):
    other = f"{customer}_b"
    for who in (customer, customer, other, other):
        await create_order(who)
    theirs = (
        await client.get(f"/v1/customers/{other}/orders", params={"limit": 1}, headers=auth(other))
    ).json()["next_cursor"]

    response = await client.get(
        f"/v1/customers/{customer}/orders", params={"cursor": theirs}, headers=auth(customer)
    )

    assert response.status_code == 400
    assert response.json()["type"].endswith("/invalid-cursor")


keysets = st.builds(
    Keyset,
    created_at=st.datetimes(
        min_value=datetime(1970, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.just(UTC)
    ),
    id=st.uuids(),
)
scopes = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=64)


@given(keyset=keysets, scope=scopes)
def test_cursors_round_trip(keyset, scope):
    codec = CursorCodec(b"k" * 32)

    cursor = codec.encode(keyset, scope=scope)

    assert codec.decode(cursor, scope=scope) == keyset
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@given(keyset=keysets, scope=scopes, flip=st.integers(min_value=0, max_value=40 * 8 - 1))
def test_any_altered_bit_is_refused(keyset, scope, flip):
    codec = CursorCodec(b"k" * 32)
    raw = bytearray(base64.urlsafe_b64decode(codec.encode(keyset, scope=scope) + "=="))
    raw[flip // 8] ^= 1 << (flip % 8)

    with pytest.raises(InvalidCursor):
        codec.decode(base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), scope=scope)


@given(text=st.text(max_size=80))
def test_arbitrary_text_never_decodes(text):
    with pytest.raises(InvalidCursor):
        CursorCodec(b"k" * 32).decode(text, scope="cus_1")


def test_cursors_are_bound_to_their_scope_and_key():
    keyset = Keyset(datetime(2026, 1, 1, tzinfo=UTC), uuid.uuid4())
    cursor = CursorCodec(b"k" * 32).encode(keyset, scope="cus_1")

    with pytest.raises(InvalidCursor):
        CursorCodec(b"k" * 32).decode(cursor, scope="cus_2")
    with pytest.raises(InvalidCursor):
        CursorCodec(b"j" * 32).decode(cursor, scope="cus_1")
