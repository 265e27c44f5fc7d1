"""`python -m service.db.migrate [upgrade|downgrade|current] [REVISION]`: Alembic on either database."""

# SQLite migrates online through the standard library's driver. PostgreSQL has no synchronous
# driver installed (and SQLAlchemy's asyncpg bridge needs greenlet, which is not installed), so
# Alembic renders the pending revisions as SQL and asyncpg applies it in one transaction, under
# an advisory lock so that several deploys migrating at once take turns.

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from pathlib import Path

import asyncpg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from service.kit.settings import settings_for_cli
from service.kit.urls import DatabaseUrl, Dialect

_INI = Path(__file__).resolve().parent.parent / "migrations" / "alembic.ini"
_MIGRATION_LOCK = 7303964361716938082


def _config(**attributes: object) -> Config:
    buffer = io.StringIO()
    cfg = Config(str(_INI), output_buffer=buffer)
    cfg.attributes.update(attributes)
    return cfg


def head() -> str:
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def _sqlite(url: DatabaseUrl, action: str, target: str) -> str | None:
    url.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(f"sqlite:///{url.target}", poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as connection:
            cfg = _config(connection=connection)
            if action == "upgrade":
                command.upgrade(cfg, target)
            elif action == "downgrade":
                command.downgrade(cfg, target)
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


async def _pg_current(conn: asyncpg.Connection) -> str | None:
    try:
        value = await conn.fetchval("SELECT version_num FROM alembic_version")
    except asyncpg.UndefinedTableError:
        return None
    return str(value) if value is not None else None


async def _postgres(url: DatabaseUrl, action: str, target: str) -> str | None:
    conn = await asyncpg.connect(url.target)
    try:
        await conn.execute(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
        current = await _pg_current(conn)
        if action != "current":
            script_dir = ScriptDirectory.from_config(_config())
            wanted = script_dir.get_revision(target)
            wanted_id = wanted.revision if wanted is not None else None
            if wanted_id != current:
                cfg = _config(dialect_name="postgresql")
                span = f"{current or 'base'}:{target}"
                if current is None:
                    # Rendered SQL from base creates the version table; a downgrade to base
                    # leaves it behind, empty.
                    await conn.execute("DROP TABLE IF EXISTS alembic_version")
                if action == "upgrade":
                    command.upgrade(cfg, span, sql=True)
                else:
                    command.downgrade(cfg, span, sql=True)
                assert isinstance(cfg.output_buffer, io.StringIO)
                await conn.execute(cfg.output_buffer.getvalue())
                current = await _pg_current(conn)
        return current
    finally:
        await conn.close()


def run(url: DatabaseUrl, action: str = "upgrade", target: str = "head") -> str | None:
    """Apply `action` up or down to `target`; the revision the database is at afterwards."""
    if url.dialect is Dialect.SQLITE:
        return _sqlite(url, action, target)
    return asyncio.run(_postgres(url, action, target))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "action", nargs="?", default="upgrade", choices=("upgrade", "downgrade", "current")
    )
    parser.add_argument("revision", nargs="?", default="head")
    args = parser.parse_args(argv)
    url = settings_for_cli("migrate").database
    if args.action == "downgrade" and args.revision == "head":
        sys.stderr.write("migrate: downgrade needs a revision, e.g. `downgrade base`\n")
        return 2
    try:
        revision = run(url, args.action, args.revision)
    except (OSError, asyncpg.PostgresError, sa.exc.OperationalError) as exc:
        sys.stderr.write(f"migrate: {url.dialect} database: {exc}; is it running?\n")
        return 2
    sys.stderr.write(f"migrate: {url.dialect} database at revision {revision or 'base'}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
