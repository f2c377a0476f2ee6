"""Linking places: `gig admin link` on one place, `gig admin join` on another, one board; `gig admin unlink` again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import App
from bot.config import Settings
from bot.services import link_codes
from bot.store.models import Community, Member
from tests.commands.places_harness import ADMINS, CODE, DISCORD, DISCORD2, DISCORD3, DISCORD_DM, SLACK, Places

SLACK_GIG = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php'
DISCORD_GIG = '/gig post title="Landing page in React" budget=300 tags=react'


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=ADMINS, database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


@pytest.fixture
async def places(app: App) -> Places:
    """A Slack workspace with a default channel and a route, and a Discord server with its default channel."""
    harness = Places(app)
    await harness.ok(SLACK, "UADMIN", "/gig route default #CGIGS")
    await harness.ok(SLACK, "UADMIN", "/gig route add #CPYTHON tags=python")
    await harness.ok(DISCORD, "dana", "/gig route default 111", admin=True)
    return harness


async def test_link_and_join_share_one_board(places: Places) -> None:
    await places.ok(SLACK, "UADMIN", "/gig admin settings tz=Europe/Paris")
    await places.ok(SLACK, "UADMIN", SLACK_GIG)
    await places.ok(DISCORD, "dana", DISCORD_GIG, admin=True)
    await places.ok(DISCORD, "dora", "/gig apply 2")
    reply = await places.ok(SLACK, "UADMIN", "/gig admin link")
    found = CODE.search(reply)
    assert found is not None
    code = found.group(1)
    assert "15 minutes" in reply and f"/gig admin join {code}" in reply and f"/gig-admin join {code}" in reply
    assert "There is no gig #1" in await places.fails(DISCORD, "dora", "/gig show 1")

    joined = await places.ok(DISCORD, "dana", f"/gig admin join {code}", admin=True)
    assert "Linked: Discord Students now shares one board with Slack acme." in joined
    assert "1 gig and 2 members came over" in joined and "timezone Europe/Paris" in joined

    assert "Fix my WordPress form" in await places.ok(DISCORD, "dora", "/gig show 1")
    assert "Landing page in React" in await places.ok(SLACK, "USAM", "/gig show 2")
    listed = await places.ok(DISCORD, "dora", "/gig list")
    assert "#1" in listed and "#2" in listed
    assert "Landing page in React" in await places.ok(DISCORD, "dora", "/gig mine")
    assert "timezone Europe/Paris" in await places.ok(DISCORD, "dana", "/gig admin settings", admin=True)
    async with places.app.sessions() as session:
        assert len((await session.execute(select(Community))).scalars().all()) == 1

    await places.ok(DISCORD, "dana", '/gig post title="Python scraper" budget=200 tags=python', admin=True)
    posted = await places.rows(
        "SELECT o.platform, o.destination FROM outbox_message o JOIN posting p ON p.id = o.posting_id"
        " WHERE p.gig_id = 3 ORDER BY o.id")
    assert sorted(posted) == [("discord", "111"), ("slack", "CGIGS"), ("slack", "CPYTHON")]
    assert await places.rows("SELECT workspace_id FROM gig WHERE id = 3") == await places.rows(
        "SELECT id FROM workspace WHERE external_id = 'G1'")

    listing = await places.ok(DISCORD, "dana", "/gig admin places", admin=True)
    assert listing.splitlines()[1:3] == [
        "1. Slack acme · default channel #CGIGS · 1 route",
        "2. Discord Students (here) · default channel #111 · 0 routes",
    ]
    assert "/gig admin unlink <number> gives a place its own community again." in listing


async def test_the_same_discord_member_of_two_servers_becomes_one_member_with_both_applications(
        places: Places) -> None:
    await places.ok(DISCORD, "dana", DISCORD_GIG, admin=True)
    await places.ok(DISCORD2, "jo", '/gig post title="Logo for a bakery" budget=80', admin=True)
    await places.ok(DISCORD, "dora", "/gig apply 1")
    await places.ok(DISCORD2, "dora", '/gig apply 2 pitch="I draw"')
    await places.ok(DISCORD2, "dora", "/gig status 2 interviewing")
    code = await places.code(DISCORD, "dana", admin=True)
    joined = await places.ok(DISCORD2, "jo", f"/gig admin join {code}", admin=True)
    assert "1 of them was already known there and is now one member" in joined
    mine = await places.ok(DISCORD, "dora", "/gig mine")
    assert "Landing page in React" in mine and "Logo for a bakery" in mine
    assert await places.rows("SELECT count(*) FROM member WHERE platform_user_id = 'dora'") == [(1,)]
    assert await places.rows(
        "SELECT a.gig_id, a.status, count(e.id) FROM application a JOIN member m ON m.id = a.member_id"
        " JOIN application_event e ON e.application_id = a.id WHERE m.platform_user_id = 'dora'"
        " GROUP BY a.gig_id, a.status ORDER BY a.gig_id") == [(1, "applied", 1), (2, "interviewing", 2)]
    assert "Logo for a bakery" in await places.ok(DISCORD, "dora", "/gig show 2")


async def test_refused_codes_change_nothing(places: Places, app: App) -> None:
    await places.ok(DISCORD2, "jo", '/gig post title="Logo for a bakery" budget=80', admin=True)
    await places.ok(DISCORD2, "dora", "/gig apply 1")

    async def refused(place, who, line, admin, expected):  # type: ignore[no-untyped-def]
        await places.ok(place, who, "/gig help", admin)  # meeting a place or member first is not the command's doing
        before = await places.snapshot()
        assert expected in await places.fails(place, who, line, admin)
        assert await places.snapshot() == before

    expired = await places.code(SLACK, "UADMIN")
    app.clock.advance(timedelta(minutes=16))  # type: ignore[attr-defined]
    await refused(DISCORD2, "jo", f"/gig admin join {expired}", True, "has expired")
    await refused(DISCORD2, "jo", "/gig admin join WXYZ-2345", True, "There is no link code WXYZ-2345")
    code = await places.code(SLACK, "UADMIN")
    await refused(DISCORD2, "dora", f"/gig admin join {code}", False, "Only admins can run `/gig admin join`.")
    await refused(SLACK, "UADMIN", f"/gig admin join {code}", False, "already part of")
    await refused(DISCORD_DM, "jo", f"/gig admin join {code}", True, "not in a direct message")
    async with app.sessions() as session:
        person = link_codes.make(session, link_codes.PERSON, 1, 1, app.clock.now())
        await session.commit()
    await refused(DISCORD2, "jo", f"/gig admin join {person.code}", True, "/gig link")
    await places.ok(DISCORD2, "jo", f"/gig admin join {code.lower()}", admin=True)  # the refusals kept it usable
    await refused(DISCORD3, "kim", f"/gig admin join {code}", True, "already used")
    other = await places.code(SLACK, "UADMIN")
    await refused(DISCORD2, "jo", f"/gig admin join {other}", True, "already part of")
    assert "not in a direct message" in await places.fails(DISCORD_DM, "jo", "/gig admin link", admin=True)


async def test_unlink_gives_a_place_its_own_community_with_its_gigs(places: Places) -> None:
    await places.ok(SLACK, "UADMIN", SLACK_GIG)
    code = await places.code(SLACK, "UADMIN")
    await places.ok(DISCORD, "dana", f"/gig admin join {code}", admin=True)
    await places.ok(DISCORD, "dana", DISCORD_GIG, admin=True)
    await places.ok(DISCORD, "dora", "/gig apply 1")  # a Discord member's application to a Slack gig
    await places.ok(SLACK, "USAM", "/gig apply 2")

    unlinked = await places.ok(DISCORD, "dana", "/gig admin unlink", admin=True)
    assert "Unlinked: Discord Students has its own community again (Students)" in unlinked
    assert "(1 gig)" in unlinked and "(2 members)" in unlinked
    assert "There is no gig #1" in await places.fails(DISCORD, "dora", "/gig show 1")
    assert "There is no gig #2" in await places.fails(SLACK, "USAM", "/gig show 2")
    assert "Landing page in React" in await places.ok(DISCORD, "dora", "/gig show 2")
    assert "Fix my WordPress form" in await places.ok(SLACK, "USAM", "/gig show 1")
    assert "Fix my WordPress form" in await places.ok(DISCORD, "dora", "/gig mine")  # applications stay
    assert "Only this place so far" in await places.ok(SLACK, "UADMIN", "/gig admin places")
    assert "nothing to unlink" in await places.fails(SLACK, "UADMIN", "/gig admin unlink")
    assert "There is no place 3" in await places.fails(SLACK, "UADMIN", "/gig admin unlink 3")
    new_post = await places.ok(DISCORD, "dana", '/gig post title="Python scraper" budget=200 tags=python', admin=True)
    assert "#111" in new_post and "CGIGS" not in new_post and "CPYTHON" not in new_post


async def test_unlink_by_number_keeps_a_moved_gig_with_a_poster_of_its_side(places: Places) -> None:
    code = await places.code(SLACK, "UADMIN")
    await places.ok(DISCORD, "dana", f"/gig admin join {code}", admin=True)
    code = await places.code(SLACK, "UADMIN")
    await places.ok(DISCORD2, "jo", f"/gig admin join {code}", admin=True)
    await places.ok(DISCORD, "dana", "/gig help", admin=True)  # dana is first seen in Students
    await places.ok(DISCORD2, "dana", DISCORD_GIG, admin=True)  # and posts from Juniors
    listing = await places.ok(SLACK, "UADMIN", "/gig admin places")
    assert "3. Discord Juniors · default channel none · 0 routes" in listing
    unlinked = await places.ok(SLACK, "UADMIN", "/gig admin unlink 3")
    assert "(1 gig)" in unlinked and "(1 member)" in unlinked  # jo; dana stays with Students
    assert "Landing page in React" in await places.ok(DISCORD2, "jo", "/gig show 1")
    assert "closed" in (await places.ok(DISCORD2, "dana", "/gig close 1")).lower()  # still the poster there
    async with places.app.sessions() as session:
        danas = (await session.execute(select(Member.community_id).where(Member.platform_user_id == "dana")
                                       .order_by(Member.community_id))).scalars().all()
    assert len(danas) == 2 and danas[0] != danas[1]


async def test_place_commands_are_for_admins_and_listed_in_their_help(places: Places) -> None:
    assert "Only admins can run `/gig admin link`." in await places.fails(SLACK, "USAM", "/gig admin link")
    assert "Only admins" in await places.fails(DISCORD, "dora", "/gig admin places")
    assert "Only admins" in await places.fails(DISCORD, "dora", "/gig admin unlink")
    admin_help = await places.ok(SLACK, "UADMIN", "/gig help")
    for name in ("admin link", "admin join", "admin places", "admin unlink"):
        assert f"/gig {name} —" in admin_help
    assert "/gig admin link" not in await places.ok(SLACK, "USAM", "/gig help")
    assert "Example: /gig admin join ABCD-EFGH" in await places.ok(SLACK, "UADMIN", "/gig help admin join")
