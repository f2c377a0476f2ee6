"""Review channels per place: a Slack workspace and two Discord servers of one community, each with its own."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.config import Settings
from tests.commands.places_harness import ADMINS, DISCORD, DISCORD2, DISCORD_DM, SLACK, Places
from tests.commands.queue_helpers import hold_gig


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


@pytest.fixture
async def places(app: App) -> Places:
    """Slack (default #CGIGS), Discord Students (default 111) and Discord Juniors, linked into one community."""
    harness = Places(app)
    await harness.ok(SLACK, "UADMIN", "/gig route default #CGIGS")
    await harness.ok(DISCORD, "dana", "/gig route default 111", admin=True)
    await harness.ok(DISCORD2, "jo", "/gig mine", admin=True)
    for place, admin in ((DISCORD, "dana"), (DISCORD2, "jo")):
        code = await harness.code(SLACK, "UADMIN")
        await harness.ok(place, admin, f"/gig admin join {code}", admin=True)
    return harness


async def outbox(places: Places) -> list[tuple[str, str, str]]:
    return [tuple(row) for row in await places.rows(  # type: ignore[misc]
        "SELECT platform, kind, destination FROM outbox_message WHERE kind != 'dm' ORDER BY id")]


async def test_each_place_has_its_own_review_channel_and_each_shows_the_card(places: Places) -> None:
    await places.ok(SLACK, "UADMIN", "/gig admin review-channel #CREVIEW")
    await places.ok(DISCORD, "dana", "/gig admin review-channel 555", admin=True)
    assert "111 reposts gigs to members" in await places.fails(DISCORD, "dana", "/gig admin review-channel 111",
                                                               admin=True)
    assert "CGIGS reposts gigs to members" in await places.fails(SLACK, "UADMIN", "/gig admin review-channel #CGIGS")
    await places.ok(DISCORD2, "jo", "/gig route default 222", admin=True)
    assert "from a channel of the Slack workspace or Discord server" in await places.fails(
        DISCORD_DM, "dana", "/gig admin review-channel 555", admin=True)
    listing = await places.ok(SLACK, "UADMIN", "/gig admin places")
    assert "1. Slack acme (here) · default channel #CGIGS · review channel #CREVIEW · 0 routes" in listing
    assert "2. Discord Students · default channel #111 · review channel #555 · 0 routes" in listing
    assert "3. Discord Juniors · default channel #222 · 0 routes" in listing

    await places.ok(SLACK, "USAM", "/gig mine")
    before = len(await outbox(places))
    gig_id = await hold_gig(places.app.sessions, places.app.clock, ("slack", "USAM"), ("slack", "T1"))
    assert (await outbox(places))[before:] == [("slack", "post", "CREVIEW"), ("discord", "post", "555")]
    assert "Approved" in await places.ok(DISCORD, "dana", f"/gig approve {gig_id}", admin=True)
    assert sorted((await outbox(places))[before + 2:]) == [
        ("discord", "edit", "555"), ("discord", "post", "111"), ("discord", "post", "222"),
        ("slack", "edit", "CREVIEW"), ("slack", "post", "CGIGS")]


async def test_a_route_on_another_place_may_use_a_channel_id_only_that_place_reviews_in(places: Places) -> None:
    await places.ok(DISCORD, "dana", "/gig admin review-channel 555", admin=True)
    assert "555 is this place's review channel" in await places.fails(DISCORD, "dana", "/gig route add 555 tags=go",
                                                                       admin=True)
    assert "555 is this place's review channel" in await places.fails(DISCORD_DM, "dana",
                                                                       "/gig route add 555 tags=go", admin=True)
    assert "Route 1 added" in await places.ok(SLACK, "UADMIN", "/gig route add #C555 tags=go")
