"""The database schema as SQLAlchemy metadata: the definition Alembic migrates both dialects to."""

# Only migrations use it; requests go through the repositories' SQL. SQLite variants store
# timestamps as integer microseconds since the epoch (they sort and compare exactly) and ids
# as canonical UUID text (which sorts like the 16 bytes PostgreSQL compares).

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Timestamp = sa.DateTime(timezone=True).with_variant(sa.BigInteger(), "sqlite")
Id = sa.Uuid(as_uuid=True).with_variant(sa.String(36), "sqlite")
Json = postgresql.JSONB().with_variant(sa.Text(), "sqlite")

ORDER_STATUSES = ("pending", "paid", "cancelled", "refunded")

orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("amount_cents", sa.BigInteger(), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("description", sa.String(500), nullable=True),
    sa.Column("metadata", Json, nullable=False),
    sa.Column("payment_method", Json, nullable=True),
    # Internal: stored for the risk team, never serialised.
    sa.Column("risk_score", sa.SmallInteger(), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.CheckConstraint("amount_cents >= 1", name="amount_positive"),
    sa.CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="status_known"),
    # Serves the keyset list (customer, newest first) in both directions.
    sa.Index("ix_orders_customer_created", "customer_id", "created_at", "id"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("idempotency_key", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("status_code", sa.SmallInteger(), nullable=False),
    sa.Column("response_body", sa.Text(), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("expires_at", Timestamp, nullable=False),
    sa.Index("ix_idempotency_keys_expires_at", "expires_at"),
)

outbox_events = sa.Table(
    "outbox_events",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("aggregate_id", Id, nullable=False),
    sa.Column("payload", Json, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("available_at", Timestamp, nullable=False),
    sa.Column("delivered_at", Timestamp, nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
    # The delivery worker's queue: pending events by when they may next be tried.
    sa.Index(
        "ix_outbox_events_pending",
        "available_at",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)
