"""Bulk seeding of due nudges for tests and benchmarks: a community, members, gigs, applications, nudges."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.models import Application, Community, Gig, Member, Nudge

MEMBERS = 50
CHUNK = 5000


def table(model: type) -> Table:
    return model.__table__  # type: ignore[attr-defined, no-any-return]


async def seed_due_nudges(sessions: async_sessionmaker[AsyncSession], count: int, now: datetime,
                          due: Callable[[int], datetime]) -> None:
    """`count` applied applications, each with one follow-up nudge due at due(i); quiet hours off."""
    gigs = -(-count // MEMBERS)
    async with sessions() as session:
        community_id = (await session.execute(insert(table(Community)).values(
            name="bench", default_locale="en", timezone="UTC", settings={"quiet": "off"},
            created_at=now).returning(table(Community).c.id))).scalar_one()
        await session.execute(insert(table(Member)), [
            {"community_id": community_id, "platform": "test", "platform_user_id": f"m{i}", "display_name": f"M{i}",
             "is_poster": i == 0, "nudges_enabled": True, "dm_undeliverable": False, "created_at": now}
            for i in range(MEMBERS + 1)])
        member_ids = list((await session.execute(select(Member.id).order_by(Member.id))).scalars())
        poster, applicants = member_ids[0], member_ids[1:]
        for start in range(0, gigs, CHUNK):
            await session.execute(insert(table(Gig)), [
                {"community_id": community_id, "poster_id": poster, "title": f"Gig {g}", "title_key": f"gig {g}",
                 "description": "", "budget_min": 10000, "budget_max": 10000, "currency": "EUR", "hourly": False,
                 "remote": True, "location": "", "apply_by": date(2099, 1, 1), "source": "", "status": "open",
                 "created_at": now} for g in range(start, min(gigs, start + CHUNK))])
        gig_ids = list((await session.execute(select(Gig.id).order_by(Gig.id))).scalars())
        pairs = [(gig_ids[i // MEMBERS], applicants[i % MEMBERS]) for i in range(count)]
        for start in range(0, count, CHUNK):
            await session.execute(insert(table(Application)), [
                {"gig_id": g, "member_id": m, "status": "applied", "pitch": "", "reminders": True, "created_at": now,
                 "updated_at": now} for g, m in pairs[start:start + CHUNK]])
        app_rows = (await session.execute(select(Application.id, Application.member_id).order_by(Application.id))).all()
        for start in range(0, count, CHUNK):
            await session.execute(insert(table(Nudge)), [
                {"community_id": community_id, "member_id": member_id, "application_id": app_id, "gig_id": None,
                 "kind": "follow_up", "due_at": due(start + i), "state": "pending", "attempts": 0, "created_at": now}
                for i, (app_id, member_id) in enumerate(app_rows[start:start + CHUNK])])
        await session.commit()
