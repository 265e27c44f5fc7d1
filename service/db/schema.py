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
    # `delivered`: the relay handed it on (the webhook worker queued its deliveries, which keep
    # their own status); `failed`: it could not (no payload describes it), see last_error.
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
    # The delivery worker's queue: pending events by when they may next be tried.
    sa.Index(
        "ix_outbox_events_pending",
        "available_at",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

# Webhooks (service.webhooks): endpoints per customer, one delivery per (event, endpoint), and
# every attempt. A delivery's id is the `webhook-id` its receiver sees on every attempt.
WEBHOOK_DELIVERY_STATUSES = ("pending", "delivering", "succeeded", "failed")

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("customer_id", sa.String(64), nullable=False),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("event_types", Json, nullable=False),
    sa.Column("description", sa.String(200), nullable=True),
    # The Standard Webhooks signing secret, sealed (service.webhooks.secrets); after a rotation
    # the one before it, still signing beside it until it expires.
    sa.Column("secret", sa.Text(), nullable=False),
    sa.Column("previous_secret", sa.Text(), nullable=True),
    sa.Column("previous_secret_expires_at", Timestamp, nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    # Serves the keyset list and the worker's lookup of a customer's subscribers.
    sa.Index("ix_webhook_endpoints_customer_created", "customer_id", "created_at", "id"),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column(
        "endpoint_id",
        Id,
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_id", Id, nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    # The exact bytes every attempt sends (and signs), rendered once from the outbox event.
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    # When the next attempt is due; while `delivering`, when the worker's lease runs out.
    sa.Column("next_attempt_at", Timestamp, nullable=True),
    # The claim's fencing token: only the worker holding it may settle the delivery.
    sa.Column("lease_id", Id, nullable=True),
    sa.Column("last_status_code", sa.SmallInteger(), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
    sa.Column("completed_at", Timestamp, nullable=True),
    sa.CheckConstraint(f"status IN {WEBHOOK_DELIVERY_STATUSES!r}", name="status_known"),
    # Fan-out twice (a retried dispatch) cannot queue an event twice for one endpoint.
    sa.UniqueConstraint("event_id", "endpoint_id"),
    sa.Index("ix_webhook_deliveries_endpoint_created", "endpoint_id", "created_at", "id"),
    # The worker's queue: what is due, or whose lease has run out.
    sa.Index(
        "ix_webhook_deliveries_due",
        "next_attempt_at",
        postgresql_where=sa.text("status IN ('pending', 'delivering')"),
        sqlite_where=sa.text("status IN ('pending', 'delivering')"),
    ),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column(
        "delivery_id",
        Id,
        sa.ForeignKey("webhook_deliveries.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("started_at", Timestamp, nullable=False),
    sa.Column("duration_ms", sa.Integer(), nullable=False),
    sa.Column("status_code", sa.SmallInteger(), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.Index("ix_webhook_attempts_delivery_number", "delivery_id", "number"),
)

# The API version each customer is pinned to (service.versions): a request without a
# Harbor-Version header is answered in it. One row per customer, moved only on request.
api_version_pins = sa.Table(
    "api_version_pins",
    metadata,
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("version", sa.String(32), nullable=False),
    sa.Column("pinned_at", Timestamp, nullable=False),
    sa.Column("updated_at", Timestamp, nullable=False),
)

# Calls of deprecated operations (service.versions.usage): one row per operation, customer,
# version answered in and UTC day, added to by each worker's once-a-minute flush. The gate
# (scripts/harbor_pipeline/breaking) reads its export to refuse retiring an operation someone still calls.
Day = sa.Date().with_variant(sa.String(10), "sqlite")

api_usage = sa.Table(
    "api_usage",
    metadata,
    sa.Column("operation_id", sa.String(128), primary_key=True),
    sa.Column("customer_id", sa.String(64), primary_key=True),
    sa.Column("api_version", sa.String(32), primary_key=True),
    sa.Column("day", Day, primary_key=True),
    sa.Column("calls", sa.BigInteger(), nullable=False),
    sa.Column("last_called_at", Timestamp, nullable=False),
    # The export's scan: the last N days of every operation.
    sa.Index("ix_api_usage_day", "day"),
)

# Shared rate limits (kit/shared_ratelimit.py, HARBOR_RATE_LIMIT_STORE=database): one token
# bucket per key; `updated_at` is the database clock's epoch seconds, `taken` whether the last
# take got a token (what the upsert reports back). UNLOGGED on PostgreSQL (migration 0006).
rate_limit_buckets = sa.Table(
    "rate_limit_buckets",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("tokens", sa.Float(), nullable=False),
    sa.Column("updated_at", sa.Float(), nullable=False),
    sa.Column("taken", sa.Boolean(), nullable=False),
)
