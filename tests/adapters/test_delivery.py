import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.adapters.delivery import DeliveryLoop
from bot.adapters.runner import finish
from bot.services import outbox
from bot.services.pacing import Pacer
from bot.store.models import OutboxMessage
from tests.conftest import PLATFORM, Harness


async def test_stop_lets_the_message_being_sent_finish_and_leaves_the_rest_for_the_next_start(bot: Harness) -> None:
    for n in range(3):
        await bot.ok("admin", f'/gig post title="Gig number {n}" budget=10')
    sending, release = asyncio.Event(), asyncio.Event()
    sent: list[str] = []

    async def slow_sender(message: outbox.Outgoing) -> outbox.Sent:
        sending.set()
        await release.wait()
        sent.append(message.message.cards[0].title)
        return outbox.Sent(ref=f"ref-{message.id}")

    delivery = DeliveryLoop(bot.app, PLATFORM, slow_sender)
    running = asyncio.create_task(delivery.run())
    await asyncio.wait_for(sending.wait(), 10)
    delivery.stop()
    release.set()
    await asyncio.wait_for(running, 10)
    async with bot.app.sessions() as session:
        states = (await session.execute(select(OutboxMessage.state).order_by(OutboxMessage.id))).scalars().all()
    assert sent == ["#1 · Gig number 0"]
    assert states == [outbox.SENT, outbox.PENDING, outbox.PENDING]


async def test_finish_cancels_what_did_not_stop_within_the_grace() -> None:
    stuck = asyncio.create_task(asyncio.Event().wait(), name="stuck")
    done = asyncio.create_task(asyncio.sleep(0), name="done")
    await asyncio.sleep(0)
    await finish([stuck, done], timedelta(0))
    assert stuck.cancelled() and done.done() and not done.cancelled()


async def test_a_slow_channel_does_not_hold_the_others(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #slow tags=python")
    await bot.ok("admin", '/gig post title="Slow gig" budget=10 tags=python')
    await bot.ok("admin", '/gig post title="Other gig" budget=10')
    release, others_sent = asyncio.Event(), asyncio.Event()
    sent: list[str] = []

    async def sender(message: outbox.Outgoing) -> outbox.Sent:
        if message.destination == "slow":
            await release.wait()
        sent.append(f"{message.destination}:{message.message.cards[0].title}")
        if len(sent) == 2:
            others_sent.set()
        return outbox.Sent(ref=f"ref-{message.id}")

    delivery = DeliveryLoop(bot.app, PLATFORM, sender)
    running = asyncio.create_task(delivery.run())
    await asyncio.wait_for(others_sent.wait(), 10)
    assert sent == ["gigs:#1 · Slow gig", "gigs:#2 · Other gig"]  # #slow is still sending its first message
    release.set()
    delivery.stop()
    await asyncio.wait_for(running, 10)
    assert sent[2:] == ["slow:#1 · Slow gig"]


async def test_two_replicas_pacing_one_channel_get_consecutive_slots(bot: Harness) -> None:
    replicas = [Pacer(bot.app.sessions, bot.app.clock) for _ in range(2)]
    waits = await asyncio.gather(*(p.reserve("slack", "C1", 1.0) for p in replicas for _ in range(3)))
    assert sorted(waits) == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert await replicas[0].reserve("slack", "C2", 1.0) == 0.0  # another channel is free
    assert await replicas[1].try_take("notice", "x", 3600) and not await replicas[0].try_take("notice", "x", 3600)
