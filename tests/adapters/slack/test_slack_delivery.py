"""Slack's answers classified by the real sender against the fake: who is to blame decides what happens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.core.delivery import OutboxState
from bot.store.models import DeliveryPause, Member, OutboxMessage
from tests.adapters.slack.conftest import SlackRig, texts

POST = 'post title="Fix my WordPress form" budget="150 EUR" tags=wordpress'


async def states(slack: SlackRig) -> dict[str, str]:
    async with slack.core.sessions() as session:
        rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    return {f"{row.kind}:{row.destination}": row.state for row in rows}


async def undeliverable(slack: SlackRig) -> set[str]:
    async with slack.core.sessions() as session:
        return set((await session.execute(select(Member.platform_user_id).where(Member.dm_undeliverable))).scalars())


async def applied_and_closed(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    await slack.deliver()
    await slack.command("U1", "apply 1")
    await slack.deliver()
    await slack.command("UADMIN", "close 1")


async def test_a_503_or_a_reset_connection_is_retried_and_never_blames_the_member(slack: SlackRig) -> None:
    await applied_and_closed(slack)
    clock = slack.core.clock
    slack.fake.outage(clock.now() + timedelta(minutes=10), clock.now)
    for _ in range(60):
        await slack.deliver()
        clock.advance(timedelta(seconds=10))  # type: ignore[attr-defined]
    assert slack.fake.refused >= 60 and await undeliverable(slack) == set()
    assert set((await states(slack)).values()) == {OutboxState.SENT, OutboxState.PENDING}
    clock.advance(timedelta(seconds=20))  # type: ignore[attr-defined]
    await slack.deliver()
    assert set((await states(slack)).values()) == {OutboxState.SENT}
    closing = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DU1"]
    assert len(closing) == 1 and "is now closed" in closing[0].args["text"]


async def test_a_deactivated_user_is_marked_but_a_revoked_token_pauses_delivery(slack: SlackRig) -> None:
    await applied_and_closed(slack)
    slack.fake.fail("chat.update", "invalid_auth")
    await slack.deliver()
    assert await undeliverable(slack) == set()
    async with slack.core.sessions() as session:
        pause = await session.get(DeliveryPause, "slack")
    assert pause is not None and "invalid_auth" in pause.reason
    assert (await states(slack))["dm:U1"] == OutboxState.PENDING  # held, not failed
    slack.core.clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
    slack.fake.fail("chat.postMessage", "account_inactive")  # for a DM: the member's account is deactivated
    await slack.deliver()
    assert await undeliverable(slack) == {"U1"}


async def test_a_rejected_payload_fails_its_row_and_tells_the_admin(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    slack.fake.fail("chat.postMessage", "invalid_blocks")
    await slack.deliver()
    found = await states(slack)
    assert found["post:C0GIGS"] == OutboxState.FAILED and found["dm:UADMIN"] == OutboxState.SENT
    [notice] = [c for c in slack.fake.made("chat.postMessage") if c.args["channel"] == "DUADMIN"]
    assert "invalid_blocks" in notice.args["text"] and await undeliverable(slack) == set()
    listed = await slack.command("UADMIN", "admin outbox list")
    assert "invalid_blocks" in texts(listed)
    assert "will be sent again" in texts(await slack.command("UADMIN", "admin outbox retry 1"))
    await slack.deliver()
    assert (await states(slack))["post:C0GIGS"] == OutboxState.SENT


async def test_uninstalling_the_app_drops_what_waits_for_the_workspace(slack: SlackRig) -> None:
    await slack.command("UADMIN", "route default <#C0GIGS|gigs>")
    await slack.command("UADMIN", POST)
    body = {"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback", "event_id": "Ev1",
            "event_time": 1700000000, "event": {"type": "app_uninstalled"}}
    assert (await slack.event(body))[0] == 200
    assert await states(slack) == {}  # its only place gone, the board's gigs and their messages went too
    assert await slack.deliver() == 0
