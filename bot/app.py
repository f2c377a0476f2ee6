"""Wiring: settings -> engine, sessions, clock and dispatcher, shared by every adapter."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.commands import registry
from bot.config import Settings
from bot.core.clock import Clock
from bot.dispatch.dispatcher import Dispatcher
from bot.store.db import alembic_config, make_engine, migrate, session_factory

log = logging.getLogger(__name__)


class SchemaOutOfDate(Exception):
    """The database holds an older schema; `gigbot migrate` brings it up to date."""


@dataclass
class App:
    """Everything an adapter needs from the core."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    dispatcher: Dispatcher

    async def prepare_database(self) -> None:
        """Migrate an empty database; refuse to run on an older schema until `gigbot migrate` is run."""
        async with self.engine.connect() as connection:
            current, empty = await connection.run_sync(_schema_state)
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        if current == head:
            return
        if current is None and empty:
            log.info("empty database: creating the schema")
            await migrate(self.engine)
            return
        raise SchemaOutOfDate(f"the database schema is at {current or 'an unknown version'}, this gigbot needs "
                              f"{head}: run `gigbot migrate` first")

    async def close(self) -> None:
        """Release database connections."""
        await self.engine.dispose()


def _schema_state(connection: Connection) -> tuple[str | None, bool]:
    current = MigrationContext.configure(connection).get_current_revision()
    return current, not inspect(connection).get_table_names()


def settle_heap() -> None:
    """Take what start-up made out of the garbage collector's way, so a full collection walks only newer objects.

    Otherwise a full (generation 2) collection walks every object the imports made (SQLAlchemy, discord.py, bolt)
    in whatever loop step triggers it: 60-70 ms of CPU on the bench machine (bench/README.md, loop steps).
    """
    gc.collect()
    gc.freeze()


def build_app(settings: Settings, clock: Clock, database_url: str | None = None,
              engine: AsyncEngine | None = None) -> App:
    """Create the engine (unless given) and the dispatcher for these settings."""
    engine = engine or make_engine(database_url or settings.database_url, settings.db_connect_timeout)
    sessions = session_factory(engine)
    return App(settings, engine, sessions, clock, Dispatcher(sessions, clock, settings, registry))
