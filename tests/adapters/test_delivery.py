import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.adapters.delivery import DeliveryLoop
from bot.adapters.runner import finish
from bot.services import delivery_batch, outbox
from bot.services.pacing import HEADROOM, Limits, Pacer
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


async def test_one_upsert_paces_many_channels_and_the_budget_as_consecutive_reservations_would(bot: Harness) -> None:
    pacer = Pacer(bot.app.sessions, bot.app.clock)
    async with bot.app.sessions() as session:
        first = await pacer.reserve_many("slack", {"C1": 1.0, "C2": 1.0, "*": 0.5}, session)
        second = await pacer.reserve_many("slack", {"C1": 1.0, "C3": 1.0, "*": 0.25}, session)
        await session.commit()
    assert first == {"C1": 0.0, "C2": 0.0, "*": 0.0}
    assert second == {"C1": 1.0, "C3": 0.0, "*": 0.5}  # C1 and the budget are taken until then; C3 is new
    assert await pacer.reserve("slack", "*", 0.25) == 0.75  # the one-by-one reservation sees the same row


async def test_a_batch_claims_channel_heads_only_and_spreads_them_over_the_budget(bot: Harness) -> None:
    await bot.ok("admin", "/gig route add #other tags=python")
    for n in range(2):
        await bot.ok("admin", f'/gig post title="Gig {n}" budget=10 tags=python')
    delivery = DeliveryLoop(bot.app, PLATFORM, lambda m: None, limits=Limits(per_request=0.1)).delivery  # type: ignore[arg-type,return-value]
    claimed = await delivery_batch.claim(delivery, 10)
    assert [(c.outgoing.destination, c.outgoing.message.cards[0].title) for c in claimed] == [
        ("gigs", "#1 · Gig 0"), ("other", "#1 · Gig 0")]  # each channel's second gig waits for its first
    assert [round(c.wait * HEADROOM, 6) for c in claimed] == [0.0, 0.1]
    assert await delivery_batch.claim(delivery, 10) == []  # the heads are being sent: nothing else is claimable
    await delivery_batch.settle(delivery, [delivery_batch.Delivered(c, outbox.Sent(ref="r"), bot.app.clock.now())
                                           for c in claimed[:1]])
    again = await delivery_batch.claim(delivery, 10)
    assert [(c.outgoing.destination, c.outgoing.message.cards[0].title) for c in again] == [("gigs", "#2 · Gig 1")]
