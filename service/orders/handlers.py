"""Implements generated.orders.OrdersApi: one unit of work per request, rules in the service."""

from __future__ import annotations

from uuid import UUID

from generated import RawJson, models
from generated.orders import (
    CancelOrderOk,
    CreateOrderCreated,
    CreateOrderOk,
    GetOrderOk,
    ListCustomerOrdersOk,
)
from service.auth.tokens import Principal
from service.kit.db import Transactional
from service.kit.deadlines import uninterrupted
from service.orders.service import Created, OrdersService, OrdersUnit


class OrdersHandlers:
    def __init__(self, service: OrdersService, units: Transactional[OrdersUnit]) -> None:
        self._service = service
        self._units = units

    async def create_order(
        self, *, idempotency_key: str, body: models.OrderCreate, principal: Principal
    ) -> CreateOrderCreated | CreateOrderOk:
        # Past the request deadline the create still finishes and answers 201: a 503 with the
        # order committed behind it would be a lie (docs: README "Limits").
        created = await uninterrupted(self._create(idempotency_key, body, principal))
        order: RawJson[models.Order] = RawJson(created.order_json)
        location = f"/v1/orders/{created.order_id}"
        if created.replayed:
            return CreateOrderOk(body=order, location=location, idempotent_replayed="true")
        return CreateOrderCreated(body=order, location=location)

    async def _create(
        self, idempotency_key: str, body: models.OrderCreate, principal: Principal
    ) -> Created:
        # One statement creates the order (see OrdersRepository.insert_claiming).
        async with self._units(write=True, single_statement=True) as unit:
            return await self._service.create(
                unit, caller=principal.customer_id, key=idempotency_key, body=body
            )

    async def get_order(self, *, order_id: UUID, principal: Principal) -> GetOrderOk:
        async with self._units(write=False) as unit:
            order = await self._service.get(unit, caller=principal.customer_id, order_id=order_id)
        return GetOrderOk(body=RawJson(order))

    async def cancel_order(self, *, order_id: UUID, principal: Principal) -> CancelOrderOk:
        return CancelOrderOk(body=RawJson(await uninterrupted(self._cancel(order_id, principal))))

    async def _cancel(self, order_id: UUID, principal: Principal) -> bytes:
        async with self._units(write=True) as unit:
            return await self._service.cancel(unit, caller=principal.customer_id, order_id=order_id)

    async def list_customer_orders(
        self,
        *,
        customer_id: str,
        limit: int = 20,
        cursor: str | None = None,
        principal: Principal,
    ) -> ListCustomerOrdersOk:
        async with self._units(write=False) as unit:
            page = await self._service.list(
                unit,
                caller=principal.customer_id,
                customer_id=customer_id,
                limit=limit,
                cursor=cursor,
            )
        return ListCustomerOrdersOk(body=RawJson(page))
