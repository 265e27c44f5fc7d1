"""API version pins: the version each customer's requests are answered in by default."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of service.db.schema's type: a migration must not change when the schema does.
Timestamp = sa.DateTime(timezone=True).with_variant(sa.BigInteger(), "sqlite")

# Every customer that exists before versioning started on 1.1.0: pinning them here means the
# first release after it (2.0.0) cannot move them silently at their next request.
_EXISTING_VERSION = "1.1.0"
_CUSTOMERS = "SELECT customer_id FROM orders UNION SELECT customer_id FROM webhook_endpoints"
# The migration's moment in each dialect's timestamp representation (integer microseconds on
# SQLite, see service.db.schema).
_NOW = {
    "postgresql": "now()",
    "sqlite": "CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER)",
}


def upgrade() -> None:
    op.create_table(
        "api_version_pins",
        sa.Column("customer_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("pinned_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("customer_id", name=op.f("pk_api_version_pins")),
    )
    now = _NOW[op.get_context().dialect.name]
    op.execute(
        "INSERT INTO api_version_pins (customer_id, version, pinned_at, updated_at) "
        f"SELECT customer_id, '{_EXISTING_VERSION}', {now}, {now} FROM ({_CUSTOMERS}) AS existing"
    )


def downgrade() -> None:
    op.drop_table("api_version_pins")
