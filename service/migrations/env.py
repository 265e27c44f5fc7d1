"""Alembic's environment, driven by service.db.migrate: SQLite online, PostgreSQL as rendered SQL."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from service.db.schema import metadata

config = context.config


def _online(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _offline(dialect_name: str) -> None:
    context.configure(
        dialect_name=dialect_name,
        target_metadata=metadata,
        literal_binds=True,
        transactional_ddl=True,
        output_buffer=config.output_buffer,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    _offline(config.attributes.get("dialect_name", "postgresql"))
else:
    connection = config.attributes.get("connection")
    if connection is None:
        raise SystemExit(
            "run migrations with `make migrate` (python -m service.db.migrate), not bare alembic"
        )
    _online(connection)
