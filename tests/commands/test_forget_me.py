"""`gig forget-me`: after a full life on Slack and Discord, no table keeps the member's ids, DM channels or names."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.config import Settings
from bot.core.states import NudgeState
from bot.core.text import MemberRef, Rich, UserText
from bot.core.types import Message
from bot.scheduler import Scheduler
from bot.services import audit, outbox
from bot.store.models import (
    Application,
    ApplicationEvent,
    Base,
    Gig,
    GigReport,
    GigRevision,
    LinkCode,
    Member,
    Nudge,
    OutboxMessage,
)
from bot.store.replicas import InboxRequest
from tests.commands.people import ADMINS, People
from tests.conftest import START

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress apply_by=2027-06-30'
ANA_POST = '/gig post title="Logo for a bakery" budget="300 EUR" tags=design apply_by=2027-06-30'
SECRETS = ("UANA", "DUANA", "1001", "D1001", "Ana", "ana.d")  # Ana's ids, DM channels and names on both platforms


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


@pytest.fixture
async def two(app: App) -> People:
    people = People(app)
    await people.setup()
    return people


def found_in(value: Any) -> list[str]:
    """The secrets a stored value holds, as whole words (names without case)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return [secret for secret in SECRETS
            if re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", text, re.IGNORECASE)]


async def scan(app: App) -> list[str]:
    """Every column of every row of every table that holds one of Ana's secrets."""
    hits: list[str] = []
    async with app.sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    if value is not None and found_in(value):
                        hits.append(f"{table.name}.{column}={value!r}")
    return hits


async def a_full_life(two: People) -> None:
    """Ana (Slack, linked to Discord) posts, applies with a pitch, moves statuses, gets DMs, reports, links."""
    app = two.app
    await two.ok("admin", "/gig role add <@UANA> poster")
    await two.ok("admin", "/gig admin trust <@UANA> yes")
    await two.ok("admin", POST)
    await two.ok("ana", ANA_POST)
    code = await two.code("ana")
    await two.ok("ana_d", f"/gig link {code}")
    await two.ok("ana_d", '/gig apply 1 pitch="I am Ana and I fix forms, ask ana.d"')
    await two.ok("bob", '/gig apply 2 pitch="Bob here, happy to help"')
    await two.ok("ana", "/gig status 1 interviewing")
    await two.ok("ana", "/gig settings tz=Europe/Paris quiet=21-9 lang=fr")
    await two.deliver()  # DMs delivered: DM channels known (D<user id>)
    app.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    await Scheduler(app, worker="test").run_now()
    await two.deliver()
    await two.code("ana_d")  # a link code left unused
    async with app.sessions() as session:
        ana = (await session.execute(select(Member).where(Member.platform_user_id == "UANA"))).scalar_one()
        bob = (await session.execute(select(Member).where(Member.platform_user_id == "UBOB"))).scalar_one()
        session.add(GigReport(gig_id=1, member_id=ana.id, reason="Looks odd", created_at=START))
        session.add(GigRevision(gig_id=2, editor_id=ana.id, changes={"budget": ["250 EUR", "300 EUR"]},
                                at=START))
        audit.write(session, ana.community_id, None, START, "gig.report", 1, reporter="Ana", user="UANA")
        mention = Rich.of(UserText("Ana"), " (", MemberRef("slack", "UANA", "Ana"), ") wrote: ",
                          UserText("ask ana.d on Discord"))
        await outbox.enqueue_dm(session, ana, Message("A pending note for you"), app.clock)
        await outbox.enqueue_dm(session, bob, Message(mention), app.clock)
        session.add(InboxRequest(platform="slack", kind="command", key="k1", payload={
            "user_id": "UANA", "user_name": "ana", "text": "mine", "channel_id": "DUANA"}, received_at=START))
        await session.commit()


async def test_forget_me_leaves_no_trace_of_the_member_in_any_table(two: People) -> None:
    await a_full_life(two)
    assert await scan(two.app)  # the scan finds what it looks for
    async with two.app.sessions() as session:
        applications_before = (await session.execute(select(Application.status).order_by(Application.id))).all()
        events_before = (await session.execute(select(func.count()).select_from(ApplicationEvent))).scalar_one()
    warning = await two.ok("ana", "/gig forget-me")
    assert "irréversible" in warning and "[Effacer mes données](gig:forget_me:confirm)" in warning
    assert await scan(two.app) != []  # the warning deleted nothing
    reply = await two.press("ana", "gig:forget_me:confirm")
    assert reply.ok and reply.gone
    assert await scan(two.app) == []
    async with two.app.sessions() as session:
        assert (await session.execute(select(Application.status).order_by(Application.id))).all() == \
            applications_before  # the counts stay, under an anonymous member
        assert (await session.execute(select(func.count()).select_from(ApplicationEvent))).scalar_one() == \
            events_before
        assert (await session.execute(select(Application.pitch).order_by(Application.id))).scalars().all() == [
            "", "Bob here, happy to help"]  # hers emptied, his kept
        assert (await session.execute(select(GigReport.member_id))).scalars().all() == [None]
        assert (await session.execute(select(func.count()).select_from(LinkCode).where(
            LinkCode.used_at.is_(None)))).scalar_one() == 0
        gig = await session.get(Gig, 2)
        assert gig is not None and gig.status == "closed"
        nudges = (await session.execute(select(Nudge.state).join(Member, Member.id == Nudge.member_id).where(
            Member.platform_user_id.startswith("forgotten-")))).scalars().all()
        assert NudgeState.PENDING not in nudges
        members = (await session.execute(select(Member).where(Member.platform_user_id.startswith("forgotten-"))))
        for member in members.scalars():
            assert member.display_name.startswith("forgotten-") and member.dm_channel is None
            assert (member.locale, member.timezone, member.quiet_hours) == (None, None, None)
        waiting = (await session.execute(select(OutboxMessage.state).where(
            OutboxMessage.destination.startswith("forgotten-")))).scalars().all()
        assert "pending" not in waiting
    text = str(reply.text)
    assert "2 comptes rendus anonymes" in text and "1 mission fermée" in text  # she reads French now
    closing = [d for d in await two.deliver() if d.kind == "dm"]
    assert any("Logo for a bakery" in str(d.message.text) and d.destination == "UBOB" for d in closing)


async def test_a_forgotten_member_who_comes_back_starts_afresh(two: People) -> None:
    await two.ok("ana", '/gig settings tz=Europe/Paris')
    await two.ok("ana", "/gig forget-me confirm")
    assert "/gig settings" in await two.ok("ana", "/gig settings")
    async with two.app.sessions() as session:
        again = (await session.execute(select(Member).where(Member.platform_user_id == "UANA"))).scalar_one()
        assert again.timezone is None


async def test_forget_me_without_confirm_changes_nothing_and_a_wrong_word_is_refused(two: People) -> None:
    assert "confirm" in await two.fails("ana", "/gig forget-me maybe")
    async with two.app.sessions() as session:
        assert (await session.execute(select(Member).where(Member.platform_user_id == "UANA"))).scalar_one()


async def test_a_slack_uninstall_keeps_the_board_of_a_community_still_on_discord(two: People) -> None:
    from bot.services import forgetting
    from bot.store.models import Workspace

    await two.ok("admin", POST)
    code = await two.code("ana")
    await two.ok("ana_d", f"/gig link {code}")
    await two.ok("ana_d", '/gig apply 1 pitch="from Discord"')
    await two.ok("bob", '/gig apply 1 pitch="from Slack"')
    await two.ok("cid_d", '/gig apply 1 pitch="Cid on Discord"')
    removed = await forgetting.workspace_removed(two.app.sessions, two.app.clock, "slack", "T1")
    assert removed is not None and removed.gigs_deleted == 0
    assert await forgetting.workspace_removed(two.app.sessions, two.app.clock, "slack", "T1") is None  # a retry
    async with two.app.sessions() as session:
        assert [w.platform for w in (await session.execute(select(Workspace))).scalars()] == ["discord"]
        users = set((await session.execute(select(Member.platform_user_id))).scalars())
        assert {"1001", "1003", "1000"} <= users and not users & {"UANA", "UBOB", "UADMIN"}
        gig = await session.get(Gig, 1)
        assert gig is not None and gig.status == "closed"  # the Slack admin's gig closed, with the usual notices
        pitches = (await session.execute(select(Application.pitch).order_by(Application.id))).scalars().all()
        assert pitches == ["from Discord", "", "Cid on Discord"]  # Ana lives on, on Discord; Bob is forgotten
        left = (await session.execute(select(OutboxMessage.platform, OutboxMessage.state))).all()
    assert all(state != "pending" for platform, state in left if platform == "slack")
    assert any(d.platform == "discord" and "is now closed" in str(d.message.text) for d in await two.deliver())
