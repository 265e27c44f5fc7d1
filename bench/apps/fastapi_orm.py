"""2a: the order API the way the FastAPI docs and most teams write it: SQLAlchemy 2's async ORM
with a session per request from `Depends`, and Pydantic response models. The create sends
Harbor's one statement through SQLAlchemy (`text()`), so the POST compares the framework, not
the SQL."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Depends, FastAPI, Path, Query, Response
from sqlalchemy import (
    BigInteger,
    DateTime,
    SmallInteger,
    String,
    Text,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench.apps import store
from bench.apps.common import (
    JSON,
    TELEMETRY_OFF,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    Toolkit,
    Unprocessable,
    caller_dependency,
    fingerprint,
    install_problem_handlers,
    risk_score,
)
from bench.apps.schemas import (
    CursorParam,
    CustomerId,
    IdempotencyKey,
    Order,
    OrderCreate,
    OrderPage,
)
from service.idempotency.repository import lock_id
from service.kit.clock import Uuid7Generator
from service.kit.pagination import InvalidCursor, Keyset


class Base(DeclarativeBase):
    pass


class OrderRow(Base):
    __tablename__ = "orders"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(500))
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSONB)
    payment_method: Mapped[dict[str, str] | None] = mapped_column(JSONB)
    risk_score: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IdempotencyKeyRow(Base):
    __tablename__ = "idempotency_keys"
    customer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(SmallInteger)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


tools = Toolkit.from_env()
engine = create_async_engine(
    tools.settings.database.sqlalchemy_url,
    pool_size=tools.settings.db_pool_max,
    max_overflow=0,
    connect_args={"server_settings": {"application_name": "bench", "TimeZone": "UTC"}},
)
SessionLocal = async_sessionmaker(engine, expire_on_commit=False)
new_id = Uuid7Generator().new_id
# The store's statement with SQLAlchemy's named parameters: `$3::bigint` as CAST(:p3 AS bigint)
# (text() would read `:p3::bigint` as a parameter `p3` followed by junk).
CREATE_AT_ONCE = text(
    re.sub(
        r"\$(\d+)", r":p\1", re.sub(r"\$(\d+)::(\w+)", r"CAST(:p\1 AS \2)", store.CREATE_AT_ONCE)
    )
)


async def get_session() -> AsyncIterator[AsyncSession]:
    async with SessionLocal() as session:
        yield session


Session = Annotated[AsyncSession, Depends(get_session)]
Caller = Annotated[str, Depends(caller_dependency(tools))]


@contextlib.asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    yield
    await engine.dispose()


app = FastAPI(
    lifespan=lifespan,
    openapi_url=None,
    docs_url=None,
    redoc_url=None,
    telemetry=TELEMETRY_OFF,
)


install_problem_handlers(app)


@app.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/orders", status_code=201, response_model=Order)
async def create_order(
    order: OrderCreate,
    caller: Caller,
    session: Session,
    response: Response,
    key: IdempotencyKey,
) -> Any:
    if order.customer_id != caller:
        raise Forbidden(f"The token's customer may not create orders for {order.customer_id}.")
    submitted = order.model_dump(mode="json")
    digest = fingerprint(submitted)
    now = datetime.now(UTC)
    row = OrderRow(
        id=new_id(),
        customer_id=caller,
        amount_cents=order.amount_cents,
        currency=order.currency,
        status="pending",
        description=order.statement_descriptor,
        metadata_=order.metadata or {},
        payment_method=submitted["payment_method"],
        risk_score=risk_score(submitted),
        created_at=now,
        updated_at=now,
    )
    public = Order.model_validate(row)
    body = public.model_dump_json()
    # Harbor's one statement (bench/apps/store.py CREATE_AT_ONCE) through SQLAlchemy, on a
    # connection in autocommit as the statement needs no transaction around it.
    values = {
        "p1": row.id, "p2": caller, "p3": row.amount_cents, "p4": row.currency,
        "p5": row.description, "p6": orjson.dumps(row.metadata_).decode(),
        "p7": None if row.payment_method is None else orjson.dumps(row.payment_method).decode(),
        "p8": row.risk_score, "p9": now, "p10": lock_id(caller, key), "p11": key, "p12": digest,
        "p13": body, "p14": now + tools.idempotency_ttl, "p15": new_id(),
    }  # fmt: skip
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        done = (await conn.execute(CREATE_AT_ONCE, values)).one()
    if not done.locked:
        raise Conflict("A request with this idempotency key is in flight.")
    if not done.claimed:
        stored = await session.get(IdempotencyKeyRow, (caller, key))
        if stored is None or stored.expires_at <= now:
            raise Conflict("The idempotency key's response expired meanwhile; retry.")
        if stored.fingerprint != digest:
            raise Unprocessable("The idempotency key was used with another body.")
        return Response(stored.response_body, 200, media_type=JSON)
    response.headers["Location"] = f"/v1/orders/{row.id}"
    return public


@app.get("/v1/orders/{order_id}", response_model=Order)
async def get_order(order_id: UUID, caller: Caller, session: Session) -> Any:
    order = await session.scalar(
        select(OrderRow).where(OrderRow.id == order_id, OrderRow.customer_id == caller)
    )
    if order is None:
        raise NotFound(f"Order {order_id} was not found.")
    return order


@app.get("/v1/customers/{customer_id}/orders", response_model=OrderPage)
async def list_orders(
    customer_id: Annotated[CustomerId, Path()],
    caller: Caller,
    session: Session,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: CursorParam = None,
) -> Any:
    if customer_id != caller:
        raise NotFound(f"Customer {customer_id} was not found.")
    query = select(OrderRow).where(OrderRow.customer_id == customer_id)
    if cursor is not None:
        try:
            after = tools.cursors.decode(cursor, scope=customer_id)
        except InvalidCursor as exc:
            raise BadRequest(exc.detail) from None
        query = query.where(tuple_(OrderRow.created_at, OrderRow.id) < (after.created_at, after.id))
    query = query.order_by(OrderRow.created_at.desc(), OrderRow.id.desc()).limit(limit + 1)
    rows = list(await session.scalars(query))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = tools.cursors.encode(Keyset(last.created_at, last.id), scope=customer_id)
    return {"data": rows[:limit], "next_cursor": next_cursor}


def create_app() -> FastAPI:
    return app
