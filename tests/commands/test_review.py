from sqlalchemy import select

from bot.store.models import Application, Gig, Member
from tests.conftest import Harness


async def applied(bot: Harness, post_line: str) -> None:
    await bot.poster("poppy")
    await bot.ok("poppy", post_line)
    await bot.ok("alice", '/gig apply 1 pitch="I know <@U1> and @everyone"')
    await bot.ok("bob", "/gig apply 1")
    await bot.ok("carol", "/gig apply 1")
    await bot.ok("carol", "/gig status 1 rejected")


async def test_applicants_shows_statuses_and_pitches_to_the_poster_and_admins(bot: Harness, post_line: str) -> None:
    await applied(bot, post_line)
    text = await bot.ok("poppy", "/gig applicants 1")
    lines = text.splitlines()
    assert lines[0] == 'Applicants to #1 "Fix my WordPress form" (3):'
    assert lines[1] == "• @Alice: applied (applied Nov 23, 2026)"
    assert lines[2] == "    “I know <@U1> and @everyone”"  # as typed: the renderers escape it
    assert lines[3:] == ["• @Bob: applied (applied Nov 23, 2026)", "• @Carol: rejected (applied Nov 23, 2026)"]
    assert text == await bot.ok("admin", "/gig applicants 1")
    assert "Only posters and admins" in await bot.fails("alice", "/gig applicants 1")
    await bot.poster("other")
    assert "Gig #1 isn't yours" in await bot.fails("other", "/gig applicants 1")
    await bot.ok("poppy", '/gig post title="Nobody yet" budget=50')
    assert "Nobody has applied to #2 yet." == await bot.ok("poppy", "/gig applicants 2")


async def test_close_updates_every_posting_and_tells_pending_applicants(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    await applied(bot, post_line)
    posts = [m for m in await bot.deliver() if m.kind == "post"]
    assert [m.destination for m in posts] == ["gigs", "php"]
    text = await bot.ok("poppy", "/gig close 1 filled_by=@alice")
    assert text == 'Closed #1 "Fix my WordPress form": 2 postings updated, 1 pending applicant told.'
    sent = await bot.deliver()
    edits = [m for m in sent if m.kind == "edit"]
    assert [(m.destination, m.message_ref) for m in edits] == [("gigs", f"M{posts[0].id}"), ("php", f"M{posts[1].id}")]
    assert all(m.message.cards[0].title.startswith("[Closed] #1") and not m.message.cards[0].buttons for m in edits)
    dms = {m.destination: m.message.text for m in sent if m.kind == "dm"}
    assert set(dms) == {"bob", "alice"}  # carol had already been rejected
    assert dms["bob"].startswith('Gig #1 "Fix my WordPress form" is now closed.')
    assert dms["alice"].startswith("Congratulations! You got gig #1")
    async with bot.app.sessions() as session:
        gig = (await session.execute(select(Gig))).scalar_one()
        alice = (await session.execute(select(Member).where(Member.platform_user_id == "alice"))).scalar_one()
        rows = await session.execute(select(Member.platform_user_id, Application.status).join(
            Application, Application.member_id == Member.id))
        statuses = {name: status for name, status in rows}
    assert (gig.status, gig.filled_by_id, gig.closed_at) == ("closed", alice.id, bot.app.clock.now())
    assert statuses == {"alice": "hired", "bob": "applied", "carol": "rejected"}
    assert "Gig #1 is already closed." == await bot.fails("poppy", "/gig close 1")
    assert "Gig #1 is closed" in await bot.fails("dave", "/gig apply 1")


async def test_close_refusals_change_nothing(bot: Harness, post_line: str) -> None:
    await applied(bot, post_line)
    await bot.deliver()
    assert "Only posters and admins" in await bot.fails("alice", "/gig close 1")
    await bot.poster("other")
    assert "Gig #1 isn't yours" in await bot.fails("other", "/gig close 1")
    assert "zed didn't apply to #1" in await bot.fails("poppy", "/gig close 1 filled_by=@zed")
    assert '"<>" is not a member' in await bot.fails("poppy", "/gig close 1 filled_by=<>")
    assert await bot.deliver() == []
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Gig.status))).scalar_one() == "open"
    assert "Closed #1" in await bot.ok("admin", "/gig close 1")  # an admin may close anyone's gig


async def test_a_member_with_closed_dms_is_not_messaged(bot: Harness, post_line: str) -> None:
    await applied(bot, post_line)
    async with bot.app.sessions() as session:
        bob = (await session.execute(select(Member).where(Member.platform_user_id == "bob"))).scalar_one()
        bob.dm_undeliverable = True
        await session.commit()
    await bot.deliver()
    await bot.ok("poppy", "/gig close 1")
    assert [m.destination for m in await bot.deliver() if m.kind == "dm"] == ["alice"]
