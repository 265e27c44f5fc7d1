"""Errors of the orders domain."""

from __future__ import annotations

from uuid import UUID

from service.kit.problems import Conflict, Forbidden, NotFound


class OrderNotFound(NotFound):
    """No such order for this caller: unknown and foreign ids answer alike."""

    def __init__(self, order_id: UUID) -> None:
        super().__init__(f"Order {order_id} was not found.")


class CustomerNotFound(NotFound):
    """Listing another customer's orders: answered like an unknown customer."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"Customer {customer_id} was not found.")


class CustomerMismatch(Forbidden):
    """The body names a customer other than the token's."""

    def __init__(self, customer_id: str) -> None:
        super().__init__(f"The token's customer may not create orders for customer {customer_id}.")


class OrderNotCancellable(Conflict):
    slug, title = "order-not-cancellable", "Order cannot be cancelled"

    def __init__(self, order_id: UUID, status: str) -> None:
        super().__init__(f"Order {order_id} is {status}; only pending orders can be cancelled.")
