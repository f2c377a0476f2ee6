"""The poster's side of a gig: control whatever their role, the outcome they record, re-applying, duplicates."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Gig
from tests.conftest import Harness, as_text


async def posted(bot: Harness, post_line: str, *applicants: str) -> None:
    await bot.ok("admin", "/gig role add @poppy poster")
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
