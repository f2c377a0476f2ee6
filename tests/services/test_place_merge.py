"""Merging members and communities: two applications to one gig become one, person links survive a join and an
unlink, two joins at once run one after the other."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.app import App
from bot.config import Settings
from bot.services import member_merge
from bot.store.models import Application, ApplicationEvent, Community, Member, Nudge
from tests.commands.places_harness import ADMINS, CODE, DISCORD, DISCORD2, SLACK, Places
from tests.conftest import Harness, as_text


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=f"{ADMINS},test:admin", database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


async def test_absorb_keeps_one_application_per_gig_with_the_whole_history(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    await bot.ok("alice", "/gig apply 1")
    bot.app.clock.advance(timedelta(hours=1))  # type: ignore[attr-defined]
    await bot.ok("bob", '/gig apply 1 pitch="Bob here"')
    await bot.ok("bob", "/gig status 1 interviewing")
    async with bot.app.sessions() as session:
        alice, bob = [(await session.execute(select(Member).where(Member.platform_user_id == name))).scalar_one()
                      for name in ("alice", "bob")]
        first = (await session.execute(select(Application).where(Application.member_id == alice.id))).scalar_one()
        before = (await session.execute(select(Nudge.id).where(Nudge.application_id == first.id,
                                                               Nudge.state == "pending"))).scalars().all()
        later_plans = (await session.execute(select(Nudge.id).join(Application).where(
            Application.member_id == bob.id))).scalars().all()
        await member_merge.absorb(session, bob, alice)
        await session.commit()
        [kept] = (await session.execute(select(Application).execution_options(populate_existing=True))).scalars()
        events = (await session.execute(select(ApplicationEvent.to_status).where(
            ApplicationEvent.application_id == kept.id).order_by(ApplicationEvent.id))).scalars().all()
        pending = (await session.execute(select(Nudge.id).where(
            Nudge.state == "pending", Nudge.application_id == kept.id))).scalars().all()
        assert (kept.id, kept.member_id, kept.status, kept.pitch) == (first.id, alice.id, "interviewing", "Bob here")
        assert kept.created_at == first.created_at  # `applied` keeps its first date
        assert events == ["applied", "applied", "interviewing"]
        assert pending == before  # the later application's plans were cancelled: alice's alone are left
        states = (await session.execute(select(Nudge.state).where(Nudge.id.in_(later_plans)))).scalars().all()
        assert states and set(states) == {"cancelled"}
        assert (await session.execute(select(Member).where(Member.platform_user_id == "bob"))).first() is None


async def _link(places: Places, identity: str, person: str, community: int) -> None:
    """Link two identities as `gig link` does: the identity points at the person, who holds its applications."""
    ids = dict(await places.rows("SELECT platform_user_id, id FROM member WHERE community_id = :c", c=community))
    async with places.app.sessions() as session:
        await session.execute(text("UPDATE member SET linked_to_id = :p WHERE id = :i"),
                              {"p": ids[person], "i": ids[identity]})
        await session.execute(text("UPDATE application SET applied_as_id = member_id WHERE member_id = :i"),
                              {"i": ids[identity]})
        await member_merge.transfer(session, ids[identity], ids[person])
        await session.commit()


async def test_a_person_link_of_the_joining_community_survives_the_join(app: App) -> None:
    places = Places(app)
    await places.ok(DISCORD, "dana", '/gig post title="Landing page" budget=300', admin=True)  # 1, community 1
    await places.ok(DISCORD, "dora", "/gig apply 1")  # dora is known there, unlinked
    await places.ok(DISCORD2, "jo", '/gig post title="Logo" budget=80', admin=True)  # 2, community 2
    await places.ok(DISCORD2, "dora", "/gig apply 2")
    await places.ok(SLACK, "USAM", "/gig help")  # community 3: Slack, then linked with Juniors
    code = CODE.search(await places.ok(DISCORD2, "jo", "/gig admin link", admin=True))
    assert code is not None
    await places.ok(SLACK, "UADMIN", f"/gig admin join {code.group(1)}")
    await _link(places, "dora", "USAM", 2)  # in Juniors + Slack, dora's Discord account is Sam's
    code = CODE.search(await places.ok(DISCORD, "dana", "/gig admin link", admin=True))
    assert code is not None
    await places.ok(DISCORD2, "jo", f"/gig admin join {code.group(1)}", admin=True)

    people = dict(await places.rows("SELECT platform_user_id, id FROM member"))
    assert await places.rows("SELECT linked_to_id FROM member WHERE platform_user_id = 'dora'") == [
        (people["USAM"],)]
    assert await places.rows("SELECT gig_id, member_id, applied_as_id FROM application ORDER BY gig_id") == [
        (1, people["USAM"], people["dora"]), (2, people["USAM"], people["dora"])]
    async with app.sessions() as session:
        assert len((await session.execute(select(Community))).scalars().all()) == 1


async def test_unlink_splits_a_person_link_that_crosses_it(app: App) -> None:
    places = Places(app)
    await places.ok(SLACK, "UADMIN", '/gig post title="WordPress form" budget=150')
    code = CODE.search(await places.ok(SLACK, "UADMIN", "/gig admin link"))
    assert code is not None
    await places.ok(DISCORD, "dana", f"/gig admin join {code.group(1)}", admin=True)
    await places.ok(SLACK, "USAM", "/gig help")
    await places.ok(DISCORD, "dora", "/gig apply 1")
    await _link(places, "dora", "USAM", 1)
    assert "1 linked account was unlinked" in await places.ok(DISCORD, "dana", "/gig admin unlink", admin=True)
    people = dict(await places.rows("SELECT platform_user_id, id FROM member"))
    assert await places.rows("SELECT linked_to_id, community_id FROM member WHERE platform_user_id = 'dora'") == (
        await places.rows("SELECT NULL, community_id FROM workspace WHERE external_id = 'G1'"))
    assert await places.rows("SELECT member_id FROM application") == [(people["dora"],)]  # hers again
    assert "WordPress form" in await places.ok(DISCORD, "dora", "/gig mine")


async def test_two_joins_at_once_run_one_after_the_other(app: App) -> None:
    places = Places(app)
    await places.ok(SLACK, "UADMIN", '/gig post title="WordPress form" budget=150')
    await places.ok(DISCORD, "dana", '/gig post title="Landing page" budget=300', admin=True)
    slack_code = CODE.search(await places.ok(SLACK, "UADMIN", "/gig admin link"))
    discord_code = CODE.search(await places.ok(DISCORD, "dana", "/gig admin link", admin=True))
    assert slack_code is not None and discord_code is not None
    replies = await asyncio.gather(
        places.run(DISCORD, "dana", f"/gig admin join {slack_code.group(1)}", admin=True),
        places.run(SLACK, "UADMIN", f"/gig admin join {discord_code.group(1)}"),
        places.run(DISCORD2, "jo", f"/gig admin join {slack_code.group(1)}", admin=True))
    assert sum(reply.ok for reply in replies) >= 1
    for reply in replies:  # a join that lost the race is refused clearly, never an internal error
        assert reply.ok or any(words in as_text(reply) for words in ("already part of", "at the same moment",
                                                                        "already used")), as_text(reply)
    assert await places.rows("SELECT count(DISTINCT community_id) FROM workspace WHERE external_id IN ('T1', 'G1')"
                             ) == [(1,)]
    assert await places.rows("SELECT count(DISTINCT community_id) FROM gig") == [(1,)]
    assert await places.rows("SELECT count(*) FROM community c WHERE NOT EXISTS"
                             " (SELECT 1 FROM workspace w WHERE w.community_id = c.id)") == [(0,)]
