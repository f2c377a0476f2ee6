"""`gig help <group>` lists a group's commands; `gig help <three words>` explains one; a member asking about an admin
group learns what is in it and that admins run it."""

import pytest

import bot.commands.help as help_module
from tests.conftest import Harness
from tests.threewords import with_three_words


async def test_help_for_a_group_and_a_three_word_command(bot: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    deep = with_three_words()
    monkeypatch.setattr(help_module, "registry", deep)
    bot.app.dispatcher.registry = deep
    group = await bot.ok("admin", "/gig help admin  Queue")
    assert group.splitlines() == ["• /gig admin queue list — help.admin_queue_list",
                                  "• /gig admin queue retry <gig id> — help.admin_queue_retry"]
    routes = await bot.ok("admin", "/gig help route")
    assert "• /gig route add <" in routes and "/gig role add" not in routes
    detail = await bot.ok("admin", "/gig help admin queue retry")
    assert detail.splitlines()[0] == "/gig admin queue retry <gig id>"
    queue = await bot.ok("alice", "/gig help admin queue")
    assert "/gig admin queue retry <gig id>" in queue and "Only admins can run `/gig admin queue`." in queue
    assert "I don't know" in await bot.fails("alice", "/gig help admin nothing")
