"""What every replica must see alike: requests already taken (dedupe keys) and forms kept for a refill."""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.types import Form, FormInput
from bot.store.replicas import FormRefill, SeenKey

SEEN_FOR = timedelta(hours=1)  # Slack retries within minutes; Discord interactions live 15 minutes
REFILL_FOR = timedelta(hours=1)


async def first_time(sessions: async_sessionmaker[AsyncSession], key: str, now: datetime,
                     keep: timedelta = SEEN_FOR) -> bool:
    """Record `key` for every replica; False if some replica recorded it already and it has not expired.

    The insert fails on a duplicate key, so of two processes receiving the same request at once exactly one wins.
    """
    async with sessions() as session:
        try:
            session.add(SeenKey(key=key[:128], expires_at=now + keep))
            await session.commit()
            return True
        except IntegrityError:
            await session.rollback()
        renewed = await session.execute(update(SeenKey).where(SeenKey.key == key[:128], SeenKey.expires_at <= now)
                                        .values(expires_at=now + keep))  # an expired key counts as new
        await session.commit()
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


async def keep_refill(sessions: async_sessionmaker[AsyncSession], form: Form, values: dict[str, str],
                      now: datetime) -> str:
    """Keep a form and what was typed into it; return the token its refill button carries."""
    token = secrets.token_hex(8)
    shape = {"command": form.command, "title": form.title, "inputs": [asdict(i) for i in form.inputs],
             "submit": form.submit, "args": list(form.args)}
    async with sessions() as session:
        session.add(FormRefill(token=token, form=shape, form_values=dict(values), expires_at=now + REFILL_FOR))
        await session.commit()
    return token


async def refill(sessions: async_sessionmaker[AsyncSession], token: str,
                 now: datetime) -> tuple[Form, dict[str, str]] | None:
    """The form and values kept under `token`, unless they expired."""
    async with sessions() as session:
        kept = await session.get(FormRefill, token)
    if kept is None or kept.expires_at <= now:
        return None
    shape = kept.form
    form = Form(shape["command"], shape["title"], tuple(FormInput(**i) for i in shape["inputs"]), shape["submit"],
                tuple(shape["args"]))
    return form, dict(kept.form_values)


async def prune(session: AsyncSession, now: datetime) -> int:
    """Forget expired keys and refills; return how many rows went."""
    gone = 0
    for table in (SeenKey, FormRefill):
        result = await session.execute(delete(table).where(table.expires_at <= now))
        gone += result.rowcount  # type: ignore[attr-defined]
    return gone
