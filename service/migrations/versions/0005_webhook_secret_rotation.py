"""Webhook secrets sealed at rest (a Fernet token outgrows 128 characters) and rotatable."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copy of service.db.schema's type: a migration must not change when the schema does.
Timestamp = sa.DateTime(timezone=True).with_variant(sa.BigInteger(), "sqlite")


def upgrade() -> None:
    # Rows keep their plain secrets until `python -m service.webhooks rekey` seals them: the
    # key lives in the service's settings, and PostgreSQL migrates as rendered SQL.
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.alter_column(
            "secret", existing_type=sa.String(length=128), type_=sa.Text(), existing_nullable=False
        )
        batch.add_column(sa.Column("previous_secret", sa.Text(), nullable=True))
        batch.add_column(sa.Column("previous_secret_expires_at", Timestamp, nullable=True))


def downgrade() -> None:
    # Code before 0005 reads `secret` as the plain secret: unseal first (`rekey --unseal`), or
    # PostgreSQL refuses the sealed values as too long for the old column, losing nothing.
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("previous_secret_expires_at")
        batch.drop_column("previous_secret")
        batch.alter_column(
            "secret", existing_type=sa.Text(), type_=sa.String(length=128), existing_nullable=False
        )
