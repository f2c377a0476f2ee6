"""The engine, sessions and migrations: SQLite by default, PostgreSQL through asyncpg."""

from __future__ import annotations

import logging
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite+aiosqlite:///./gigbot.db"
CONNECT_TIMEOUT = 5.0  # seconds for PostgreSQL to accept and answer a new connection (asyncpg's default is 60)


def make_engine(url: str, connect_timeout: float = CONNECT_TIMEOUT, **kwargs: Any) -> AsyncEngine:
    """Create an engine; SQLite gets foreign keys, a busy timeout and, in memory, one shared connection.

    PostgreSQL connections give up after `connect_timeout` seconds, so a server that accepts and never answers
    fails at start within seconds rather than a minute.
    """
    if url.startswith("sqlite"):
        if ":memory:" in url or url.rstrip("/").endswith("sqlite+aiosqlite:"):
            kwargs.setdefault("poolclass", StaticPool)
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    kwargs["connect_args"] = {"timeout": connect_timeout, **kwargs.get("connect_args", {})}
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit."""
    return async_sessionmaker(engine, expire_on_commit=False)


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", "bot.store:migrations")
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database schema up to `revision` (an empty database gets every table)."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision)


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    log.info("database schema is at %s", revision)
