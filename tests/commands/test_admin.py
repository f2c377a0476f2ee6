from sqlalchemy import select

from bot.store.models import Member, Route
from tests.conftest import Harness


async def test_routes_add_list_remove(bot: Harness) -> None:
    assert "Route 1 added: test #python ← tags python, django." == await bot.ok(
        "admin", "/gig route add #python tags=Python,django")
    assert "Route 2 added: test #C0REMOTE ← remote gigs + location berlin." == await bot.ok(
        "admin", "/gig route add <#C0REMOTE|remote> remote=yes location=berlin")
    assert "Route 1 already does exactly that." == await bot.fails("admin", "/gig route add python tags=django,python")
    text = await bot.ok("admin", "/gig route list")
    assert text.splitlines() == [
        "Where gigs are reposted:",
        "• default on test: #gigs gets every gig",
        "1. test #python ← tags python, django",
        "2. test #C0REMOTE ← remote gigs + location berlin",
    ]
    assert "Route 1 removed" in await bot.ok("admin", "/gig route remove 1")
    assert "There is no route 1." in await bot.fails("admin", "/gig route remove 1")
    async with bot.app.sessions() as session:
        assert [r.channel for r in (await session.execute(select(Route))).scalars()] == ["C0REMOTE"]


async def test_a_route_without_criteria_takes_every_gig_and_defaults_can_be_turned_off(bot: Harness) -> None:
    assert "Route 1 added: test #all ← every gig." == await bot.ok("admin", "/gig route add #all")
    assert "No default channel on test any more." == await bot.ok("admin", "/gig route default off")
    await bot.ok("admin", '/gig post title="Anything" budget=10')
    assert [m.destination for m in await bot.deliver()] == ["all"]
    await bot.ok("admin", "/gig route remove 1")
    text = await bot.ok("admin", '/gig post title="Nowhere" budget=10')
    assert "no channel yet" in text
    assert "No routes and no default channel yet." in await bot.ok("admin", "/gig route list")


async def test_route_commands_are_for_admins_only_and_validate_input(bot: Harness) -> None:
    assert "Only admins can run `/gig route add`." == await bot.fails("alice", "/gig route add #x")
    assert "Only admins can run `/gig route list`." == await bot.fails("alice", "/gig route list")
    assert '"#bad channel!" is not a channel' in await bot.fails("admin", '/gig route add "#bad channel!"')
    assert "`remote` must be yes or no" in await bot.fails("admin", "/gig route add #x remote=sometimes")
    assert "Missing: channel" in await bot.fails("admin", "/gig route add tags=php")


async def test_roles_are_granted_by_admins_only(bot: Harness) -> None:
    assert "Only admins can run `/gig role add`." == await bot.fails("alice", "/gig role add @alice poster")
    assert "must be one of: poster" in await bot.fails("admin", "/gig role add @alice admin")
    assert "@U0SLACK can now post gigs." == await bot.ok("admin", "/gig role add <@U0SLACK|slackuser> poster")
    assert "Nothing to change" in await bot.ok("admin", "/gig role add <@U0SLACK> poster")
    async with bot.app.sessions() as session:
        member = (await session.execute(select(Member).where(Member.platform_user_id == "U0SLACK"))).scalar_one()
    assert member.is_poster


async def test_help_lists_what_the_member_may_run(bot: Harness) -> None:
    member = await bot.ok("alice", "/gig help")
    assert member.startswith("What you can run (member):")
    assert "• /gig apply — apply to a gig, with an optional pitch" in member
    assert "/gig post" not in member and "/gig route add" not in member
    await bot.ok("admin", "/gig role add @poppy poster")
    poster = await bot.ok("poppy", "/gig help")
    assert "/gig post" in poster and "/gig close" in poster and "/gig route add" not in poster
    admin = await bot.ok("admin", "/gig")
    assert "/gig route add" in admin and "/gig role add" in admin
    detail = await bot.ok("alice", "/gig help apply")
    assert detail.splitlines()[0] == "/gig apply <gig id> [pitch=<pitch>]"
    assert "Example: /gig apply 12" in detail
    assert "Only posters and admins can run `/gig post`." in await bot.ok("alice", "/gig help post")


async def test_mistakes_get_friendly_replies(bot: Harness) -> None:
    assert "I don't know `/gig aply`. Did you mean `/gig apply`?" in await bot.fails("alice", "/gig aply 1")
    assert "I don't know `/gig frobnicate`." in await bot.fails("alice", "/gig frobnicate")
    assert "I don't know `/gig route fly`." in await bot.fails("admin", "/gig route fly")
    assert "A quote is opened but never closed." in await bot.fails("admin", '/gig post title="Oops budget=5')
    assert "`title=` is given twice" in await bot.fails("admin", "/gig post title=a title=b")
    assert "I didn't expect \"extra words\" here" in await bot.fails("alice", "/gig show 1 extra words")
    assert "`id` is given twice" in await bot.fails("alice", "/gig show 1 id=2")


async def test_an_unexpected_failure_changes_nothing_and_shows_no_trace(bot: Harness, monkeypatch) -> None:
    from bot.services import applications

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database on fire")

    await bot.ok("admin", '/gig post title="A gig" budget=10')
    monkeypatch.setattr(applications, "apply", broken)
    text = await bot.fails("alice", "/gig apply 1")
    assert text == "Something went wrong on my side and nothing was changed. Please try again in a moment."


async def test_replies_say_whether_the_command_changed_anything(bot: Harness, post_line: str) -> None:
    assert not (await bot.run("newcomer", "/gig list")).changed  # meeting a new member is not a change
    assert (await bot.run("admin", post_line)).changed
    assert not (await bot.run("alice", "/gig show 1")).changed
    assert (await bot.run("alice", "/gig apply 1")).changed
    assert not (await bot.run("alice", "/gig apply 1")).changed  # refused
    assert (await bot.run("alice", "/gig snooze 1")).changed  # a Core UPDATE and an insert
