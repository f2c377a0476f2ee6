"""`gig edit` on a board shared by a Slack workspace and a Discord server: every copy on both platforms follows."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.config import Settings
from tests.commands.places_harness import ADMINS, DISCORD, SLACK, Places


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


async def test_an_edit_on_discord_updates_the_postings_on_slack_and_discord(app: App) -> None:
    places = Places(app)
    await places.ok(SLACK, "UADMIN", "/gig route default #CGIGS")
    await places.ok(SLACK, "UADMIN", "/gig route add #CPHP tags=php")
    await places.ok(DISCORD, "dana", "/gig route default 111", admin=True)
    code = await places.code(SLACK, "UADMIN")
    await places.ok(DISCORD, "dana", f"/gig admin join {code}", admin=True)
    await places.ok(SLACK, "UADMIN", '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php')
    await places.ok(DISCORD, "dora", "/gig apply 1")
    reply = await places.ok(DISCORD, "dana", '/gig edit 1 title="Fix my PHP form" budget=100', admin=True)
    assert reply == 'Edited #1 "Fix my PHP form" (title, budget): 3 postings updated, 1 applicant told.'
    edits = await places.rows(
        "SELECT o.platform, o.destination, p.platform, p.channel FROM outbox_message o"
        " JOIN posting p ON p.id = CAST(o.payload->>'edits' AS INTEGER) WHERE o.kind = 'edit' ORDER BY o.id"
        if app.engine.dialect.name == "postgresql" else
        "SELECT o.platform, o.destination, p.platform, p.channel FROM outbox_message o"
        " JOIN posting p ON p.id = json_extract(o.payload, '$.edits') WHERE o.kind = 'edit' ORDER BY o.id")
    last = edits[-3:]  # the apply's count edits came first
    assert sorted((platform, destination) for platform, destination, _, _ in last) == [
        ("discord", "111"), ("slack", "CGIGS"), ("slack", "CPHP")]
    assert all(row[0] == row[2] and row[1] == row[3] for row in last)
    dms = await places.rows("SELECT platform, destination FROM outbox_message WHERE kind = 'dm'")
    assert dms == [("discord", "dora")]
    assert "Fix my PHP form" in await places.ok(SLACK, "USAM", "/gig show 1")
