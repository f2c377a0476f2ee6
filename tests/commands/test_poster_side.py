"""The poster's side of a gig: control whatever their role, the outcome they record, re-applying, duplicates."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.core.registry import CommandSpec, Kind, Param, Registry
from bot.core.types import Reply, Role
from bot.store.models import Application, ApplicationEvent, Gig, Member
from tests.conftest import Harness, as_text


async def posted(bot: Harness, post_line: str, *applicants: str) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    for name in applicants:
        await bot.ok(name, "/gig apply 1")


async def test_a_poster_whose_role_is_removed_keeps_control_of_their_gigs(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice")
    await bot.ok("admin", "/gig role remove @poppy poster")
    assert "Only posters and admins" in await bot.fails("poppy", '/gig post title="Another one" budget=100')
    assert "@Alice: applied" in await bot.ok("poppy", "/gig applicants 1")
    review = [m for m in await bot.later(days=7) if m.destination == "poppy"]
    [card] = review[0].message.cards
    assert [b.id for b in card.buttons] == ["gig:applicants:1", "gig:close:1"]
    pressed = await bot.press("poppy", "gig:applicants:1")
    assert pressed.ok and "@Alice: applied" in as_text(pressed)
    assert (await bot.press("poppy", "gig:close:1")).ok
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "closed"


async def test_only_a_gigs_own_poster_gets_past_the_role(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice")
    await bot.ok("admin", "/gig role remove @poppy poster")
    for line in ("/gig close 1", "/gig applicants 1", "/gig close 99", "/gig close"):
        assert "Only posters and admins" in await bot.fails("alice", line)
    assert "Only posters and admins" in await bot.fails("poppy", "/gig close 99")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "open"


async def test_a_member_who_withdrew_may_apply_again_while_the_gig_is_open(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice")
    await bot.ok("alice", "/gig withdraw 1")
    bot.app.clock.advance(timedelta(days=1))  # type: ignore[attr-defined]
    assert "You applied to #1" in await bot.ok("alice", '/gig apply 1 pitch="Free again, I can start Monday"')
    assert "You already applied to #1 on Nov 24, 2026 (status: applied)" in await bot.fails("alice", "/gig apply 1")
    async with bot.app.sessions() as session:
        [application] = (await session.execute(select(Application))).scalars().all()
        steps = (await session.execute(select(ApplicationEvent.from_status, ApplicationEvent.to_status)
                                       .order_by(ApplicationEvent.id))).all()
    assert (application.status, application.pitch) == ("applied", "Free again, I can start Monday")
    assert steps == [(None, "applied"), ("applied", "withdrawn"), ("withdrawn", "applied")]
    assert "@Alice: applied (applied Nov 24, 2026)" in await bot.ok("poppy", "/gig applicants 1")
    follow_ups = [m for m in await bot.later(days=2, hours=1) if m.destination == "alice"]
    assert len(follow_ups) == 1 and follow_ups[0].message.cards  # the nudges start again for the new application


async def test_applying_again_waits_for_an_open_gig(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice", "bob")
    await bot.ok("alice", "/gig withdraw 1")
    await bot.ok("poppy", "/gig close 1")
    assert "Gig #1 is closed" in await bot.fails("alice", "/gig apply 1")
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Application.status).join(Member, Member.id == Application.member_id).where(
            Member.platform_user_id == "alice"))).scalar_one() == "withdrawn"


async def test_duplicates_are_open_gigs_and_gigs_closed_within_the_window(bot: Harness) -> None:
    job = 'apply_url="https://acme.io/jobs/7?utm_source=x"'
    await bot.ok("admin", f'/gig post title="Weekly newsletter" budget=100 {job} apply_by=2027-03-01')
    await bot.later(days=40)  # still open 40 days after it was posted: still a duplicate
    assert "already posted as #1" in await bot.fails("admin", f'/gig post title="Weekly newsletter" budget=100 {job}')
    assert "already posted as #1" in await bot.fails("admin", '/gig post title="Weekly newsletter" budget=100')
    await bot.ok("admin", "/gig close 1")
    await bot.later(days=29)
    assert "already posted as #1" in await bot.fails("admin", f'/gig post title="Another title" budget=100 {job}')
    await bot.later(days=2)  # closed 31 days ago: the recurring gig, its title and its link, may come back
    await bot.ok("admin", f'/gig post title="Weekly newsletter" budget=100 {job}')
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.id).order_by(Gig.id))).scalars().all() == [1, 2]


async def test_a_gig_that_expired_counts_for_the_window_after_its_apply_by_date(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Logo design" budget=80 apply_url="https://acme.io/logo" '
                          'apply_by=2026-11-30')
    await bot.later(days=30)  # expired on 2026-12-01, 22 days ago
    assert "already posted as #1" in await bot.fails("admin", '/gig post title="Logo" budget=80 '
                                                               'apply_url="https://www.acme.io/logo/"')
    await bot.later(days=9)
    await bot.ok("admin", '/gig post title="Logo" budget=80 apply_url="https://www.acme.io/logo/"')


async def statuses(bot: Harness) -> dict[str, str]:
    async with bot.app.sessions() as session:
        rows = await session.execute(select(Member.platform_user_id, Application.status).join(
            Application, Application.member_id == Member.id))
        return {name: status for name, status in rows}


async def test_the_posters_record_of_the_hire_wins_over_the_members_own(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "carol", "bob")
    await bot.ok("carol", "/gig status 1 rejected")
    await bot.deliver()
    text = await bot.ok("poppy", "/gig close 1 filled_by=@carol")
    assert text.splitlines()[1] == ('@Carol had recorded "rejected" for this gig; as its poster, your record wins: '
                                    "the application is now marked hired.")
    assert await statuses(bot) == {"carol": "hired", "bob": "applied"}
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
        carol = (await session.execute(select(Member).where(Member.platform_user_id == "carol"))).scalar_one()
        poppy = (await session.execute(select(Member).where(Member.platform_user_id == "poppy"))).scalar_one()
        last = (await session.execute(select(ApplicationEvent).order_by(ApplicationEvent.id.desc()))).scalars().first()
    assert gig.filled_by_id == carol.id
    assert last is not None and (last.from_status, last.to_status, last.actor_id) == ("rejected", "hired", poppy.id)
    dms = {m.destination: m.message.text for m in await bot.deliver() if m.kind == "dm"}
    assert dms["carol"] is not None and str(dms["carol"]).startswith("Congratulations! You got gig #1")


async def test_a_self_reported_hire_tells_the_poster_who_can_close_with_a_button(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice", "bob")
    await bot.deliver()
    bot.locales["poppy"] = "fr"
    await bot.ok("poppy", "/gig mine")
    text = await bot.ok("alice", "/gig status 1 hired")
    assert text.splitlines()[1] == "I told the poster of #1, who can now close the gig."
    [told] = [m for m in await bot.deliver() if m.destination == "poppy"]
    [card] = told.message.cards
    assert str(card.title) == "@Alice dit avoir été retenu pour #1 · Fix my WordPress form"
    assert [b.id for b in card.buttons] == ["gig:close:1", "gig:applicants:1"]
    assert (await bot.press("poppy", "gig:close:1")).ok
    dms = [m.destination for m in await bot.deliver() if m.kind == "dm"]
    assert dms == ["bob"]  # alice knows already; bob hears the gig closed
    assert await statuses(bot) == {"alice": "hired", "bob": "applied"}


async def test_a_hire_reported_after_the_gig_closed_tells_nobody(bot: Harness, post_line: str) -> None:
    await posted(bot, post_line, "alice")
    await bot.ok("poppy", "/gig close 1")
    await bot.deliver()
    assert "I told the poster" not in await bot.ok("alice", "/gig status 1 hired")
    assert [m for m in await bot.deliver() if m.destination == "poppy"] == []


def test_a_command_left_to_its_gigs_poster_must_name_the_gig() -> None:
    async def handler(ctx: object, id: int) -> Reply:
        return Reply()

    with pytest.raises(ValueError, match="gig_owner needs a gig `id`"):
        Registry().add(CommandSpec("review all", handler, (Param("id", Kind.INT, required=True),), Role.POSTER,
                                   gig_owner=True))
