"""NUL and other control characters in typed text, forms and Slack commands: refused alike on both databases."""

from __future__ import annotations

import pytest

from bot.core.types import Actor, Place
from tests.conftest import PLATFORM, Harness

CONTROLS = ["\x00", "\x1b", "\x7f", "\x85", "\ud800"]


@pytest.mark.parametrize("char", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
async def test_a_control_character_in_a_field_is_refused_and_nothing_is_stored(bot: Harness, char: str) -> None:
    answer = await bot.fails("admin", f'/gig post title="Fix my{char} form" budget=150 tags=php')
    assert "`title`" in answer and f"U+{ord(char):04X}" in answer and "control character" in answer
    assert "There is no gig #1" in await bot.fails("admin", "/gig show 1")
    assert not await bot.deliver()


async def test_line_breaks_and_tabs_stay_in_multi_line_text(bot: Harness) -> None:
    await bot.ok("admin", '/gig post title="Fix my form" budget=150 description="Line one\n\tLine two\r\nend"')
    shown = await bot.ok("admin", "/gig show 1")
    assert "Line one\n  \tLine two" in shown
    await bot.fails("bob", '/gig apply 1 pitch="I can\x00 do it"')
    await bot.ok("bob", '/gig apply 1 pitch="I can do it.\nToday."')  # the refused apply stored nothing
    assert "I can do it.\n" in await bot.ok("admin", "/gig applicants 1")


async def test_a_control_character_in_a_form_is_shown_under_its_field(bot: Harness) -> None:
    actor, place = Actor(PLATFORM, "admin", "Admin"), Place(PLATFORM, "T1", "general", "general", forms=True)
    reply = await bot.app.dispatcher.submit("post", {"title": "Fix", "budget": "150", "location": "Par\x00is"},
                                            actor, place)
    assert not reply.ok and list(reply.field_errors) == ["location"]
    assert "U+0000" in reply.field_errors["location"]
    assert "There is no gig #1" in await bot.fails("admin", "/gig show 1")
