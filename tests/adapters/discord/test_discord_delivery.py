"""Discord's answers classified by the real sender against the fake: rate limits, 5xx, 401, invalid bodies."""

from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import select

from bot.adapters.discord.sender import DiscordSender
from bot.core.delivery import OutboxState, Outgoing
from bot.core.types import Card, Reply
from bot.store.models import DeliveryPause, Member, OutboxMessage
from tests.adapters.discord.conftest import DiscordRig
from tests.adapters.discord.fake_discord import ALICE_ID, CAROL_ID, GIGS_ID, GUILD_ID
from tests.adapters.discord.test_discord_adapter import POST, posted, run


async def states(rig: DiscordRig) -> list[tuple[str, str, str]]:
    async with rig.core.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    return [(row.kind, row.destination, row.state) for row in rows]


async def undeliverable(rig: DiscordRig) -> list[str]:
    async with rig.core.sessions() as session:
        return list((await session.execute(select(Member.platform_user_id).where(Member.dm_undeliverable))).scalars())


async def test_a_429_storm_that_outlasts_discord_py_is_retried_later_not_dropped(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    rig.fake.rate_limit_next("PATCH", "/channels/*/messages/*", retry_after=0.01, times=6)  # 1 + 5 retries
    assert await rig.deliver() == 0
    assert [s for s in await states(rig) if s[0] == "edit"] == [("edit", str(GIGS_ID), OutboxState.PENDING)]
    rig.core.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    assert await rig.deliver() == 1
    statuses = [c.status for c in rig.fake.find("PATCH", f"/channels/{GIGS_ID}/messages/*")]
    assert statuses == [429] * 6 + [200]


async def test_a_503_on_dms_keeps_the_member_reachable(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await posted(rig)
    await run(rig, "gig apply", {"id": 1}, user=ALICE_ID)
    await rig.deliver()
    await run(rig, "gig close", {"id": 1}, user=CAROL_ID)
    clock = rig.core.clock
    rig.fake.outage(clock.now() + timedelta(seconds=45), clock.now, paths=("/channels/**", "/users/@me/channels"))
    for _ in range(9):
        await rig.deliver()
        clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    clock.advance(timedelta(seconds=25))  # type: ignore[attr-defined]
    await rig.deliver()
    assert rig.fake.refused >= 9 and await undeliverable(rig) == []
    assert {s[2] for s in await states(rig)} == {OutboxState.SENT}


async def test_a_revoked_token_pauses_and_an_invalid_body_fails_one_row(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    rig.fake.fail_next("POST", f"/channels/{GIGS_ID}/messages", 400, 50035, "Invalid Form Body")
    await rig.deliver()
    assert ("post", str(GIGS_ID), OutboxState.FAILED) in await states(rig)
    [notice] = rig.fake.dm_messages(CAROL_ID)
    assert "50035" in notice["content"] and await undeliverable(rig) == []
    await run(rig, "gig post", POST | {"title": "Another WordPress form"}, user=CAROL_ID)
    rig.fake.fail_next("POST", f"/channels/{GIGS_ID}/messages", 401, 0, "401: Unauthorized")
    await rig.deliver()
    async with rig.core.sessions() as session:
        assert (await session.get(DeliveryPause, "discord")) is not None
    assert (await states(rig))[-1] == ("post", str(GIGS_ID), OutboxState.PENDING)


async def test_removing_the_bot_from_a_server_drops_what_waits_for_its_channels(discord_rig: DiscordRig) -> None:
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    await rig.fake.dispatch("GUILD_DELETE", {"id": str(GUILD_ID)})
    await rig.fake.wait_until(lambda: rig.adapter and rig.adapter.client.get_guild(GUILD_ID) is None)
    for _ in range(50):
        if (await states(rig))[0][2] == OutboxState.DROPPED:
            break
        await rig.fake.wait_until(lambda: True, timeout=0.1)
    assert await states(rig) == [("post", str(GIGS_ID), OutboxState.DROPPED)]


async def test_after_the_nonce_window_an_earlier_attempt_is_found_before_sending_again(discord_rig: DiscordRig) -> None:
    assert discord_rig.adapter is not None
    sender = DiscordSender(discord_rig.adapter.client)
    message = Reply(cards=(Card("#7 · A gig"),))
    first = await sender(Outgoing(7, "post", str(GIGS_ID), message))
    again = await sender(Outgoing(7, "post", str(GIGS_ID), message, check_first=True))
    assert again.ref == first.ref and len(discord_rig.fake.channel_messages(GIGS_ID)) == 1
    other = await sender(Outgoing(8, "post", str(GIGS_ID), Reply(cards=(Card("#8 · Other"),)), check_first=True))
    assert other.ref != first.ref and len(discord_rig.fake.channel_messages(GIGS_ID)) == 2


async def test_a_502_is_retried_by_discord_py_itself_in_real_time(discord_rig: DiscordRig) -> None:
    """discord.py sleeps 1 s and retries a 502 (then 3, 5, 7, 9 s): one short real-time case."""
    rig = discord_rig
    await run(rig, "gig-admin route default", {"channel": str(GIGS_ID)}, user=CAROL_ID)
    await run(rig, "gig post", POST, user=CAROL_ID)
    rig.fake.fail_next("POST", f"/channels/{GIGS_ID}/messages", 502, 0, "502: Bad Gateway")
    started = time.monotonic()
    assert await rig.deliver() == 1
    assert time.monotonic() - started >= 0.9
    assert [c.status for c in rig.fake.find("POST", f"/channels/{GIGS_ID}/messages")] == [502, 200]
    assert len(rig.fake.channel_messages(GIGS_ID)) == 1
