"""The database failing before a command runs: the member hears "try again in a minute", the log says why."""

from __future__ import annotations

import logging

import pytest

from bot.adapters.console import Console
from bot.app import App
from bot.scheduler import Scheduler
from tests.conftest import Harness
from tests.faults import CAUSE, TRY_AGAIN, Breakdown


async def test_a_failing_member_lookup_gets_try_again_and_a_log_line(bot: Harness,
                                                                     caplog: pytest.LogCaptureFixture) -> None:
    await bot.ok("admin", '/gig post title="Fix my form" budget=150')
    with Breakdown(bot.app.engine) as breakdown:
        breakdown.lookups()
        with caplog.at_level(logging.ERROR):
            assert await bot.fails("bob", "/gig apply 1") == TRY_AGAIN
        assert any(CAUSE in record.getMessage() for record in caplog.records), caplog.text
        bot.locales["claire"] = "fr"
        assert "Réessayez dans une minute" in await bot.fails("claire", "/gig list")
    assert "You applied to #1" in await bot.ok("bob", "/gig apply 1")  # nothing was half-written


async def test_the_console_answers_every_line_while_the_database_is_down(app: App) -> None:
    out: list[str] = []
    console = Console(app, out.append, Scheduler(app))
    await console.handle('/gig post title="Fix my form" budget=150')
    with Breakdown(app.engine) as breakdown:
        await breakdown.everything()
        for line in ("/gig list", "/press gig:apply:1", "/lang fr", "/as bob", "/clock +1d"):
            before = len(out)
            assert await console.handle(line)
            assert f"[reply] {TRY_AGAIN}" in out[before:], (line, out[before:])
    await console.handle("/gig list")
    assert "[reply] == #1 · Fix my form ==" in out
