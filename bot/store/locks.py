"""Row locks for read-then-write commands, so two presses at once run one after the other."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession


async def lock(session: AsyncSession, row: Any) -> None:
    """Hold `row` until commit and re-read it (PostgreSQL: FOR UPDATE; SQLite: take its write lock)."""
    mapper = inspect(type(row))
    [key] = mapper.primary_key
    value = getattr(row, key.key)
    model = type(row)
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(select(key).where(key == value).with_for_update())
    else:  # SQLite has no row locks: a no-op write takes the database's write lock, which serialises writers
        await session.execute(update(model).where(key == value).values({key.key: key})
                              .execution_options(synchronize_session=False))
    await session.refresh(row)


async def lock_ids(session: AsyncSession, model: Any, ids: set[int]) -> list[int]:
    """Hold the rows of these ids until commit, in id order (two commands locking the same rows cannot deadlock).

    Returns the ids still there: a row another command deleted meanwhile is not.
    """
    [key] = inspect(model).primary_key
    ordered = sorted(ids)
    if (await session.connection()).dialect.name == "postgresql":
        found = await session.execute(select(key).where(key.in_(ordered)).order_by(key).with_for_update())
        return list(found.scalars())
    await session.execute(update(model).where(key.in_(ordered)).values({key.key: key})
                          .execution_options(synchronize_session=False))
    return list((await session.execute(select(key).where(key.in_(ordered)).order_by(key))).scalars())
