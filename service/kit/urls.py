"""Parsing DATABASE_URL into the two dialects the service speaks: PostgreSQL and SQLite."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


class Dialect(StrEnum):
    POSTGRESQL = "postgresql"
    SQLITE = "sqlite"


_SCHEMES = {
    "postgresql": Dialect.POSTGRESQL,
    "postgres": Dialect.POSTGRESQL,
    "postgresql+asyncpg": Dialect.POSTGRESQL,
    "sqlite": Dialect.SQLITE,
    "sqlite+aiosqlite": Dialect.SQLITE,
}


@dataclass(frozen=True, slots=True)
class DatabaseUrl:
    """A validated database URL with the spellings each client library wants."""

    dialect: Dialect
    # postgresql: a libpq DSN for asyncpg; sqlite: the database file's path.
    target: str

    @classmethod
    def parse(cls, url: str) -> DatabaseUrl:
        parts = urlsplit(url)
        dialect = _SCHEMES.get(parts.scheme)
        if dialect is None:
            raise ValueError(
                f"DATABASE_URL scheme {parts.scheme!r} is not supported; "
                "use postgresql://... or sqlite:///path/to/file.db"
            )
        if dialect is Dialect.POSTGRESQL:
            return cls(dialect, urlunsplit(parts._replace(scheme="postgresql")))
        # sqlite:///relative.db and sqlite:////absolute.db, as SQLAlchemy spells them.
        path = url.split(":///", 1)[1] if ":///" in url else ""
        if not path or path == ":memory:" or parts.query:
            raise ValueError(
                "a SQLite DATABASE_URL must name a file (sqlite:///var/harbor.db): "
                "several connections share it, so :memory: cannot work"
            )
        return cls(dialect, path)

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL, for Alembic."""
        if self.dialect is Dialect.POSTGRESQL:
            return "postgresql+asyncpg" + self.target[len("postgresql") :]
        return f"sqlite+aiosqlite:///{self.target}"

    @property
    def sqlite_path(self) -> Path:
        if self.dialect is not Dialect.SQLITE:
            raise ValueError("not a SQLite URL")
        return Path(self.target)
