"""Help about a command a member may not run says what it does and who may run it; the footer suggests what helps."""

import re

from tests.conftest import Harness

FOOTER_EXAMPLE = re.compile(r"(?:e\.g\.|par ex\.) (/gig help [a-z ]+)\.$")


async def test_the_footer_suggests_help_the_member_can_follow(bot: Harness) -> None:
    for who, locale in (("alice", None), ("bob", "fr"), ("admin", None)):
        bot.locales[who] = locale
        listing = await bot.ok(who, "/gig help")
        suggestion = FOOTER_EXAMPLE.search(listing.splitlines()[-1])
        assert suggestion, listing
        followed = await bot.ok(who, suggestion.group(1))  # it explains a command this member may run
        assert "Only" not in followed and "Seuls" not in followed, followed
    assert "/gig help post." not in await bot.ok("alice", "/gig help")


async def test_help_about_a_poster_command_for_a_member(bot: Harness) -> None:
    answer = await bot.ok("alice", "/gig help post")
    assert answer.startswith("/gig post title=<")
    assert "post a gig and repost it to the job channels" in answer
    assert "Only posters and admins can run `/gig post`. Ask an admin to give you the poster role." in answer
    assert "I don't know" not in answer
    bot.locales["bob"] = "fr"
    french = await bot.ok("bob", "/gig help post")
    assert "publier une mission" in french and "Seuls les publieurs et les admins peuvent lancer `/gig post`" in french


async def test_help_about_admin_commands_and_groups_for_a_member(bot: Harness) -> None:
    answer = await bot.ok("alice", "/gig help route add")
    assert answer.startswith("/gig route add <") and "Only admins can run `/gig route add`." in answer
    group = await bot.ok("alice", "/gig help route")
    assert "• /gig route add <" in group and "• /gig route list" in group
    assert group.splitlines()[-1] == "Only admins can run `/gig route`."
    assert "Only" not in await bot.ok("admin", "/gig help route add")
    assert "I don't know `/gig routes`" in await bot.fails("alice", "/gig help routes")


async def test_help_reads_a_command_as_any_platform_spells_it(bot: Harness) -> None:
    for typed in ("reminders", "/gig reminders", "rappels", "gig rappels"):  # Discord's French name is `rappels`
        assert (await bot.ok("alice", f"/gig help {typed}")).startswith("/gig reminders <"), typed
    for typed in ("admin outbox retry", "/gig-admin outbox retry", "gig-admin envois renvoyer"):
        assert (await bot.ok("admin", f"/gig help {typed}")).startswith("/gig admin outbox retry <"), typed
    assert (await bot.ok("admin", "/gig help gig-admin route ajouter")).startswith("/gig route add <")
