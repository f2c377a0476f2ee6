"""The delivery service: the three outcomes, per-channel order, edits waiting for their posting, pauses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.core.delivery import (
    ChannelRefused,
    NotAuthorized,
    OutboxState,
    Outgoing,
    PayloadRejected,
    PlatformFailing,
    RecipientRefused,
    RetryPolicy,
    Sent,
)
from bot.services import delivery, outbox
from bot.store.models import DeliveryPause, Member, OutboxMessage
from tests.conftest import PLATFORM, Harness

POST = '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress'


def text_of(row: OutboxMessage) -> str:
    """The plain text of a stored outbox message."""
    return str(outbox.from_payload(row.payload).text)


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=f"{PLATFORM}:admin,slack:UADMIN", database_url="sqlite+aiosqlite:///:memory:",
                    _env_file=None)


class Platform:
    """A sender whose answer per destination a test decides; it records what it was asked to send."""

    def __init__(self) -> None:
        self.attempts: list[Outgoing] = []
        self.fail: dict[str, Callable[[], Exception]] = {}

    async def __call__(self, message: Outgoing) -> Sent:
        self.attempts.append(message)
        make = self.fail.get(message.destination) or self.fail.get("*")
        if make is not None:
            raise make()
        return Sent(f"{message.destination}:M{message.id}", dm_channel="D" + message.destination)

    def sent_to(self, destination: str) -> list[int]:
        return [m.id for m in self.attempts if m.destination == destination]


async def deliver(bot: Harness, platform: Platform) -> int:
    return await delivery.deliver_due(bot.app.sessions, PLATFORM, platform, bot.app.clock,
                                      admins=bot.app.settings.admin_ids)


async def rows(bot: Harness) -> list[OutboxMessage]:
    async with bot.app.sessions() as session:
        return list((await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all())


async def member(bot: Harness, name: str) -> Member:
    async with bot.app.sessions() as session:
        return (await session.execute(select(Member).where(Member.platform_user_id == name))).scalar_one()


def test_the_policy_backs_off_with_jitter_up_to_its_cap_and_honours_retry_after() -> None:
    policy = RetryPolicy(base=1, factor=2, jitter=0.25, cap=20)
    assert [policy.wait(n, rand=lambda: 0.0) for n in (1, 2, 3, 5, 6, 50)] == [1, 2, 4, 16, 20, 20]
    assert policy.wait(6, rand=lambda: 1.0) == 15  # jitter only shortens: the cap holds
    assert policy.wait(1, retry_after=42, rand=lambda: 0.0) == 42  # the platform's word, even past the cap
    now = datetime(2026, 1, 1)
    assert not policy.gave_up(now, now + timedelta(hours=23, minutes=59))
    assert policy.gave_up(now, now + timedelta(hours=24))


async def test_a_failing_platform_is_retried_for_a_day_and_never_touches_the_member(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("admin", "/gig close 1")
    platform = Platform()
    platform.fail["*"] = lambda: PlatformFailing("503 service unavailable")
    attempts = 0
    for _ in range(25 * 60 // 5):  # five-minute steps for a day: waits never exceed the cap, so it keeps trying
        await deliver(bot, platform)
        bot.app.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        attempts = len(platform.attempts)
    states = {row.kind: row.state for row in await rows(bot)}
    assert states["dm"] == OutboxState.DEAD and attempts > 280
    assert not (await member(bot, "alice")).dm_undeliverable
    listed = await bot.ok("admin", "/gig admin outbox list")
    assert "dead (gave up)" in listed and "503 service unavailable" in listed
    platform.fail.clear()
    dm = next(row for row in await rows(bot) if row.kind == "dm")
    assert f"Message #{dm.id} will be sent again now." in await bot.ok("admin", f"/gig admin outbox retry {dm.id}")
    await deliver(bot, platform)
    assert next(row for row in await rows(bot) if row.id == dm.id).state == OutboxState.SENT


async def test_retry_after_is_honoured_and_delivery_resumes_within_the_cap(bot: Harness) -> None:
    await bot.ok("admin", POST)
    platform = Platform()
    platform.fail["gigs"] = lambda: PlatformFailing("429", retry_after=90)
    await deliver(bot, platform)
    [row] = await rows(bot)
    assert row.next_attempt_at - bot.app.clock.now() >= timedelta(seconds=90)
    platform.fail["gigs"] = lambda: PlatformFailing("timeout")
    for _ in range(60):  # ten minutes of outage in ten-second steps
        bot.app.clock.advance(timedelta(seconds=10))  # type: ignore[attr-defined]
        await deliver(bot, platform)
    platform.fail.clear()
    recovered = bot.app.clock.now()
    while not await deliver(bot, platform):
        bot.app.clock.advance(timedelta(seconds=1))  # type: ignore[attr-defined]
    assert bot.app.clock.now() - recovered <= timedelta(seconds=30)


async def test_the_outbox_list_gives_the_next_attempt_on_the_admins_clock_and_in_their_language(bot: Harness) -> None:
    await bot.ok("admin", "/gig settings tz=Europe/Paris lang=fr")
    await bot.ok("admin", POST)  # posted on Monday 23 November 2026 at 09:00 UTC
    platform = Platform()
    platform.fail["gigs"] = lambda: PlatformFailing("429", retry_after=3600)
    await deliver(bot, platform)
    listed = await bot.ok("admin", "/gig admin outbox list")
    assert "lun. 23 nov. 2026 11:00 (Europe/Paris)" in listed and "UTC" not in listed


async def test_a_refused_dm_marks_the_member_and_a_refused_channel_tells_the_admins(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    await bot.ok("admin", "/gig close 1")
    platform = Platform()
    platform.fail["alice"] = lambda: RecipientRefused("cannot_dm_bot")
    platform.fail["gigs"] = lambda: ChannelRefused("channel_not_found")
    await deliver(bot, platform)
    await deliver(bot, platform)
    assert len(platform.sent_to("alice")) == 1 and len(platform.sent_to("gigs")) == 1  # never retried
    assert (await member(bot, "alice")).dm_undeliverable
    assert not (await member(bot, "admin")).dm_undeliverable
    notices = [row for row in await rows(bot) if row.destination in ("admin", "UADMIN")]
    assert {(n.platform, n.destination) for n in notices} == {(PLATFORM, "admin"), ("slack", "UADMIN")}
    assert all("channel_not_found" in text_of(n) for n in notices)


async def test_a_rejected_payload_fails_its_row_and_the_admins_hear_once_an_hour(bot: Harness) -> None:
    for n in range(3):
        await bot.ok("admin", f'/gig post title="Gig {n}" budget=10')
    platform = Platform()
    platform.fail["gigs"] = lambda: PayloadRejected("invalid_blocks")
    await deliver(bot, platform)
    states = [row.state for row in await rows(bot) if row.destination == "gigs"]
    assert states == [OutboxState.FAILED] * 3
    notices = [row for row in await rows(bot) if row.destination == "UADMIN"]
    assert len(notices) == 1 and "invalid_blocks" in text_of(notices[0])


async def test_a_revoked_token_pauses_the_platform_holds_its_rows_and_tells_admins_elsewhere(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    platform = Platform()
    platform.fail["*"] = lambda: NotAuthorized("invalid_auth")
    await deliver(bot, platform)
    assert len(platform.attempts) == 1
    bot.app.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    await deliver(bot, platform)
    assert len(platform.attempts) == 1  # paused: nothing tried until the probe
    held = [row for row in await rows(bot) if row.platform == PLATFORM]
    assert {row.state for row in held} == {OutboxState.PENDING}
    notices = [row for row in await rows(bot) if row.platform == "slack"]
    assert [n.destination for n in notices] == ["UADMIN"] and "invalid_auth" in text_of(notices[0])
    assert "is paused" in await bot.ok("admin", "/gig admin outbox list")
    platform.fail.clear()
    bot.app.clock.advance(timedelta(minutes=6))  # type: ignore[attr-defined]
    assert await deliver(bot, platform) == 2  # the probe works: the pause ends, the held rows go
    async with bot.app.sessions() as session:
        assert (await session.get(DeliveryPause, PLATFORM)) is None


async def test_one_channel_failing_holds_only_itself_and_keeps_its_order(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #python tags=python")
    await bot.ok("admin", '/gig post title="First" budget=10 tags=python')
    await bot.ok("admin", '/gig post title="Second" budget=10 tags=python')
    platform = Platform()
    platform.fail["python"] = lambda: PlatformFailing("503")
    await deliver(bot, platform)
    assert len(platform.sent_to("gigs")) == 2  # the other channel went on
    assert len(platform.sent_to("python")) == 1  # the second waits behind the first
    platform.fail.clear()
    bot.app.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    await deliver(bot, platform)
    python = [m for m in platform.attempts if m.destination == "python"]
    assert [m.message.cards[0].title for m in python] == ["#1 · First", "#1 · First", "#2 · Second"]


async def test_an_edit_waits_for_the_posting_it_edits(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")  # the applicant count: an edit of the posting not delivered yet
    platform = Platform()
    platform.fail["gigs"] = lambda: PlatformFailing("503")
    await deliver(bot, platform)
    assert [m.kind for m in platform.attempts if m.destination == "gigs"] == ["post"]
    platform.fail.clear()
    bot.app.clock.advance(timedelta(minutes=1))  # type: ignore[attr-defined]
    await deliver(bot, platform)
    kinds = [(m.kind, m.message_ref) for m in platform.attempts if m.destination == "gigs"]
    assert kinds[1][0] == "post" and kinds[2][0] == "edit" and kinds[2][1] is not None
    assert {row.state for row in await rows(bot)} == {OutboxState.SENT}


async def test_an_unknown_outcome_is_checked_for_once_the_nonce_is_forgotten(bot: Harness) -> None:
    await bot.ok("admin", POST)
    platform = Platform()
    platform.fail["gigs"] = lambda: PlatformFailing("read timeout", unknown_outcome=True)
    await deliver(bot, platform)
    bot.app.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]
    await deliver(bot, platform)
    bot.app.clock.advance(timedelta(minutes=3))  # type: ignore[attr-defined]
    platform.fail.clear()
    await deliver(bot, platform)
    assert [m.check_first for m in platform.attempts] == [False, False, True]


async def test_an_uninstalled_workspace_drops_its_pending_rows(bot: Harness) -> None:
    await bot.ok("admin", POST)
    await bot.ok("alice", "/gig apply 1")
    async with bot.app.sessions() as session:
        community_id = (await session.execute(select(OutboxMessage.community_id))).scalars().first()
        assert await delivery.drop_pending(session, PLATFORM, [community_id], destinations=["gigs"]) == 2
        await session.commit()
    assert {row.state for row in await rows(bot)} == {OutboxState.DROPPED}
    assert await deliver(bot, Platform()) == 0
