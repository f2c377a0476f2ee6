"""What every replica must see alike: requests already taken (dedupe keys) and the forms open on Discord."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.types import Form, FormInput, InputKind
from bot.store.replicas import FormRefill, SeenKey

SEEN_FOR = timedelta(hours=1)  # Slack retries within minutes; Discord interactions live 15 minutes
FORM_FOR = timedelta(days=1)  # a Discord modal stays open as long as the member likes


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


@dataclass(frozen=True)
class KeptForm:
    """An open form as every replica sees it: the form, what was typed so far, whose it is, the step shown next."""

    form: Form
    values: dict[str, str] = field(default_factory=dict)
    user: str = ""  # the platform user id of the member the form was opened for
    step: int = 0  # forms split over several modals (Discord's five inputs): the step the next modal shows


async def keep_form(sessions: async_sessionmaker[AsyncSession], kept: KeptForm, now: datetime,
                    token: str | None = None) -> str:
    """Keep an open form (under a new token, or replacing `token`) for FORM_FOR; return its token."""
    form = kept.form
    shape = {"command": form.command, "title": form.title, "inputs": [asdict(i) for i in form.inputs],
             "submit": form.submit, "args": list(form.args), "user": kept.user, "step": kept.step}
    token = token or secrets.token_hex(8)
    async with sessions() as session:
        await session.merge(FormRefill(token=token, form=shape, form_values=dict(kept.values),
                                       expires_at=now + FORM_FOR))
        await session.commit()
    return token


async def kept_form(sessions: async_sessionmaker[AsyncSession], token: str, now: datetime) -> KeptForm | None:
    """The form kept under `token`, unless it expired."""
    async with sessions() as session:
        kept = await session.get(FormRefill, token)
    if kept is None or kept.expires_at <= now:
        return None
    shape = kept.form
    form = Form(shape["command"], shape["title"], tuple(_input(i) for i in shape["inputs"]), shape["submit"],
                tuple(shape["args"]))
    return KeptForm(form, dict(kept.form_values), shape.get("user", ""), shape.get("step", 0))


async def forget_form(sessions: async_sessionmaker[AsyncSession], token: str) -> None:
    """Drop a form that was sent."""
    async with sessions() as session:
        await session.execute(delete(FormRefill).where(FormRefill.token == token))
        await session.commit()


def _input(shape: dict[str, Any]) -> FormInput:
    """An input read back from JSON (its choices come back as lists)."""
    return replace(FormInput(**shape), kind=InputKind(shape["kind"]),
                   choices=tuple((value, label) for value, label in shape["choices"]))


async def prune(session: AsyncSession, now: datetime) -> int:
    """Forget expired keys and forms; return how many rows went."""
    gone = 0
    for table in (SeenKey, FormRefill):
        result = await session.execute(delete(table).where(table.expires_at <= now))
        gone += result.rowcount  # type: ignore[attr-defined]
    return gone
