"""The request and response models of the order API, written by hand from spec/openapi.yaml."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Header, Query
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints

KEY_PATTERN = r"^[A-Za-z0-9._~:-]+$"
IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=1, max_length=255, pattern=KEY_PATTERN)
]
CursorParam = Annotated[
    str | None, Query(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9_-]+$")
]
CustomerId = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Amount = Annotated[int, Field(ge=1, le=10_000_000)]
Note = Annotated[str, StringConstraints(max_length=500)]
Metadata = Annotated[
    dict[Annotated[str, StringConstraints(min_length=1, max_length=40)], Note],
    Field(max_length=20),
]


class Card(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["card"]
    token: Annotated[str, StringConstraints(pattern=r"^tok_[A-Za-z0-9]{4,64}$")]


class BankTransfer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["bank_transfer"]
    iban: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")]


PaymentMethod = Annotated[Card | BankTransfer, Field(discriminator="type")]


class OrderCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: CustomerId
    amount_cents: Amount
    currency: Currency
    statement_descriptor: Note | None = None
    metadata: Metadata | None = None
    payment_method: PaymentMethod | None = None


class Order(BaseModel):
    """An order as the API shows it; reads ORM rows too (their `metadata_` attribute)."""

    model_config = ConfigDict(from_attributes=True)
    id: UUID
    customer_id: CustomerId
    amount_cents: Amount
    currency: Currency
    status: Literal["pending", "paid", "cancelled", "refunded"]
    statement_descriptor: Note | None = Field(
        validation_alias=AliasChoices("description", "statement_descriptor")
    )
    metadata: Metadata = Field(validation_alias=AliasChoices("metadata_", "metadata"))
    payment_method: PaymentMethod | None
    created_at: datetime
    updated_at: datetime


class OrderPage(BaseModel):
    data: list[Order]
    next_cursor: str | None
