"""Dedupe keys and open forms every replica sees: first one wins, and both expire."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.core.types import Form, FormInput, InputKind
from bot.services import replicas
from bot.store.replicas import FormRefill, SeenKey

FORM = Form("post", "Post a gig", (FormInput("title", "Title", required=True), FormInput("budget", "Budget"),
                                   FormInput("remote", "Remote", kind=InputKind.CHOICE, choices=(("yes", "Yes"),))),
            "Post", args=("7",))


async def test_a_key_is_taken_once_even_by_two_at_once_until_it_expires(app: App) -> None:
    now = app.clock.now()
    first = await asyncio.gather(*(replicas.first_time(app.sessions, "discord:123", now) for _ in range(2)))
    assert sorted(first) == [False, True]
    assert not await replicas.first_time(app.sessions, "discord:123", now + replicas.SEEN_FOR - timedelta(seconds=1))
    assert await replicas.first_time(app.sessions, "discord:124", now)
    assert await replicas.first_time(app.sessions, "discord:123", now + replicas.SEEN_FOR)  # expired: new again
    assert not await replicas.first_time(app.sessions, "discord:123", now + replicas.SEEN_FOR)


async def test_a_form_kept_by_one_replica_opens_on_another_until_it_expires(app: App) -> None:
    now = app.clock.now()
    kept = replicas.KeptForm(FORM, {"title": "Fix <my> form", "budget": ""}, user="42", step=1)
    token = await replicas.keep_form(app.sessions, kept, now)
    assert await replicas.kept_form(app.sessions, token, now + timedelta(minutes=5)) == kept
    later = replicas.KeptForm(FORM, {"title": "Fixed"}, user="42")
    assert await replicas.keep_form(app.sessions, later, now + timedelta(hours=1), token) == token  # replaced
    assert await replicas.kept_form(app.sessions, token, now + replicas.FORM_FOR) == later  # and kept longer
    assert await replicas.kept_form(app.sessions, "0" * 16, now) is None
    assert await replicas.kept_form(app.sessions, token, now + timedelta(hours=1) + replicas.FORM_FOR) is None


async def test_expired_keys_and_refills_are_pruned(app: App) -> None:
    now = app.clock.now()
    await replicas.first_time(app.sessions, "slack:old", now - replicas.SEEN_FOR)
    await replicas.first_time(app.sessions, "slack:new", now)
    await replicas.keep_form(app.sessions, replicas.KeptForm(FORM), now - replicas.FORM_FOR)
    async with app.sessions() as session:
        assert await replicas.prune(session, now) == 2
        await session.commit()
        keys = list((await session.execute(select(SeenKey.key))).scalars())
        refills = (await session.execute(select(func.count()).select_from(FormRefill))).scalar_one()
    assert keys == ["slack:new"] and refills == 0
