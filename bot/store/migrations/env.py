"""Alembic environment: runs on the connection gigbot hands it, or on GIGBOT_DATABASE_URL."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

from bot.store.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def run_on_settings_url() -> None:
    from bot.config import Settings
    from bot.store.db import make_engine

    engine = make_engine(Settings().database_url)
    async with engine.begin() as connection:
        await connection.run_sync(run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `gigbot migrate`")
given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    asyncio.run(run_on_settings_url())
