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
from service.orders.service import OrdersService, OrdersUnit


class OrdersHandlers:
    def __init__(self, service: OrdersService, units: Transactional[OrdersUnit]) -> None:
        self._service = service
        self._units = units

    async def create_order(
        self, *, idempotency_key: str, body: models.OrderCreate, principal: Principal
    ) -> CreateOrderCreated | CreateOrderOk:
        # One statement creates the order (see OrdersRepository.insert_claiming).
        async with self._units(write=True, single_statement=True) as unit:
            created = await self._service.create(
                unit, caller=principal.customer_id, key=idempotency_key, body=body
            )
        order: RawJson[models.Order] = RawJson(created.order_json)
        location = f"/v1/orders/{created.order_id}"
        if created.replayed:
            return CreateOrderOk(body=order, location=location, idempotent_replayed="true")
        return CreateOrderCreated(body=order, location=location)

    async def get_order(self, *, order_id: UUID, principal: Principal) -> GetOrderOk:
        async with self._units(write=False) as unit:
            order = await self._service.get(unit, caller=principal.customer_id, order_id=order_id)
        return GetOrderOk(body=RawJson(order))

    async def cancel_order(self, *, order_id: UUID, principal: Principal) -> CancelOrderOk:
        async with self._units(write=True) as unit:
            order = await self._service.cancel(
                unit, caller=principal.customer_id, order_id=order_id
            )
        return CancelOrderOk(body=RawJson(order))

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
