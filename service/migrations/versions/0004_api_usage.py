"""API usage: calls of deprecated operations per customer, version and day."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of service.db.schema's types: a migration must not change when the schema does.
Timestamp = sa.DateTime(timezone=True).with_variant(sa.BigInteger(), "sqlite")
Day = sa.Date().with_variant(sa.String(10), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column("operation_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("api_version", sa.String(length=32), nullable=False),
        sa.Column("day", Day, nullable=False),
        sa.Column("calls", sa.BigInteger(), nullable=False),
        sa.Column("last_called_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint(
            "operation_id", "customer_id", "api_version", "day", name=op.f("pk_api_usage")
        ),
    )
    op.create_index("ix_api_usage_day", "api_usage", ["day"])


def downgrade() -> None:
    op.drop_index("ix_api_usage_day", table_name="api_usage")
    op.drop_table("api_usage")
