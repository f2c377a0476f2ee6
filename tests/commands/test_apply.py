from dataclasses import replace

from sqlalchemy import select

from bot.store.models import Application, ApplicationEvent
from tests.conftest import Harness, as_text


async def test_apply_records_the_application_and_its_history(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    text = await bot.ok("alice", '/gig apply 1 pitch="I did ten of these"')
    assert 'You applied to #1 "Fix my WordPress form". Good luck!' in text
    async with bot.app.sessions() as session:
        application = (await session.execute(select(Application))).scalar_one()
        events = (await session.execute(select(ApplicationEvent))).scalars().all()
    assert (application.status, application.pitch, application.member.display_name) == (
        "applied", "I did ten of these", "Alice")
    assert [(e.from_status, e.to_status) for e in events] == [(None, "applied")]


async def test_the_apply_button_takes_the_same_path(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    reply = await bot.press("bob", "gig:apply:1")
    assert reply.ok and "You applied to #1" in reply.text
    again = await bot.press("bob", "gig:apply:1")
    assert not again.ok and "You already applied to #1 on Nov 23, 2026 (status: applied)." == again.text
    text = await bot.fails("bob", "/gig apply 1")
    assert "You already applied to #1" in text
    async with bot.app.sessions() as session:
        assert len((await session.execute(select(Application))).scalars().all()) == 1


async def test_apply_to_an_external_gig_points_to_its_link(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="External" budget=90 apply_url=https://jobs.example/42')
    assert "The poster takes applications at https://jobs.example/42" in await bot.ok("alice", "/gig apply 1")


async def test_apply_refusals(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    assert "There is no gig #5" in await bot.fails("alice", "/gig apply 5")
    assert "You posted gig #1, so you can't apply to it." == await bot.fails("admin", "/gig apply 1")
    assert "Missing: id" in await bot.fails("alice", "/gig apply")
    assert "`pitch` is too long" in await bot.fails("alice", f"/gig apply 1 pitch={'x' * 1001}")
    assert "has no option `budget=`" in await bot.fails("alice", "/gig apply 1 budget=3")
    await bot.ok("admin", "/gig close 1")
    assert "Gig #1 is closed and takes no more applications." == await bot.fails("alice", "/gig apply 1")
    assert "That button (gig:nope:1) doesn't work any more" in as_text(await bot.press("alice", "gig:nope:1"))
    assert "doesn't work any more" in as_text(await bot.press("alice", "gig:route_add:1"))


async def test_withdraw(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    assert "You haven't applied to gig #1" in await bot.fails("alice", "/gig withdraw 1")
    await bot.ok("alice", "/gig apply 1")
    assert 'You withdrew your application to #1 "Fix my WordPress form".' == await bot.ok("alice", "/gig withdraw 1")
    assert "Your application is already at \"withdrawn\"." == await bot.fails("alice", "/gig withdraw 1")
    assert "Applicants: 0" in await bot.ok("alice", "/gig show 1")


async def test_odd_digits_in_a_gig_id_are_a_clear_error(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    for raw in ("²", "#²", "٣", "9" * 5000):
        assert "is not a gig number" in await bot.fails("alice", f"/gig apply {raw}")


async def test_postings_show_the_applicant_count_with_one_edit_per_burst(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", "/gig route add #php tags=php")
    await bot.ok("admin", post_line)
    posts = await bot.deliver()
    await bot.ok("alice", "/gig apply 1")
    edits = await bot.deliver()
    assert [(m.kind, m.destination, m.message_ref) for m in edits] == [
        ("edit", "gigs", f"M{posts[0].id}"), ("edit", "php", f"M{posts[1].id}")]
    assert "Applicants: 1" in as_text(edits[0].message)
    for who in ("bob", "carol", "dave"):  # three applications before the sender runs: only the last edit goes out
        await bot.ok(who, "/gig apply 1")
    await bot.ok("bob", "/gig withdraw 1")
    edits = await bot.deliver()
    assert [m.destination for m in edits] == ["gigs", "php"]
    assert all("Applicants: 3" in as_text(m.message) for m in edits)


async def test_where_forms_exist_the_apply_button_opens_the_pitch_form(bot: Harness, post_line: str) -> None:
    await bot.ok("admin", post_line)
    place = replace(bot.place(), forms=True)
    reply = await bot.app.dispatcher.press("gig:apply:1", bot.actor("alice"), place)
    assert reply.ok and reply.form is not None
    assert (reply.form.command, reply.form.args, [i.name for i in reply.form.inputs]) == ("apply", ("1",), ["pitch"])
    assert reply.form.cards[0].title == "#1 · Fix my WordPress form" and not reply.form.cards[0].buttons
    async with bot.app.sessions() as session:
        assert (await session.execute(select(Application))).first() is None  # nothing until the form is sent
    done = await bot.app.dispatcher.submit("apply", {"pitch": "Ten of these"}, bot.actor("alice"), place, ("1",))
    assert done.ok and "You applied to #1" in done.text
    again = await bot.app.dispatcher.press("gig:apply:1", bot.actor("alice"), place)
    assert not again.ok and again.form is None and "You already applied" in again.text
    typed = await bot.app.dispatcher.run_text("/gig apply 1", bot.actor("bob"), place)
    assert typed.ok and typed.form is None  # typing the command applies at once
