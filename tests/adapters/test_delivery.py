import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.adapters.delivery import DeliveryLoop
from bot.adapters.runner import finish
from bot.services import outbox
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
