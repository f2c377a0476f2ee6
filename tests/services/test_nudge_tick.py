import asyncio
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.services.nudge_tick import LEASE, claim, next_due, run_due, send_claimed
from bot.store.models import Nudge, OutboxMessage
from tests.seed import seed_due_nudges


async def outbox_per_nudge(app: App) -> dict[str, int]:
    async with app.sessions() as session:
        sent = (await session.execute(select(func.count()).where(Nudge.state == "sent"))).scalar_one()
        messages = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
        destinations = (await session.execute(select(func.count(func.distinct(OutboxMessage.destination))))).scalar()
    return {"sent": sent, "messages": messages, "destinations": destinations}


async def test_a_claim_held_by_a_dead_worker_is_taken_over_after_its_lease(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 10, now, lambda i: now)
    async with app.sessions() as session:
        ids = await claim(session, now, "dead", batch=10)
        await session.commit()
    assert len(ids) == 10
    async with app.sessions() as session:
        assert await next_due(session) == now + LEASE
    app.clock.advance(LEASE - timedelta(seconds=1))  # type: ignore[attr-defined]
    assert (await run_due(app.sessions, app.clock, "alive")).claimed == 0
    app.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    result = await run_due(app.sessions, app.clock, "alive")
    assert (result.claimed, result.sent) == (10, 10)
    async with app.sessions() as session:  # the dead worker comes back: it holds nothing any more
        late = await send_claimed(session, ids, now, "dead")
        await session.commit()
    assert late.sent == 0
    assert await outbox_per_nudge(app) == {"sent": 10, "messages": 10, "destinations": 10}


async def test_concurrent_workers_send_each_nudge_once(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 600, now, lambda i: now - timedelta(seconds=i))
    batches: list[int] = []
    results = await asyncio.gather(*(run_due(app.sessions, app.clock, f"w{n}", batch=40, pipelines=2,
                                             on_batch=lambda r: batches.append(r.claimed)) for n in range(3)))
    assert sum(r.sent for r in results) == 600
    assert max(batches) <= 40 and sum(batches) == 600
    assert await outbox_per_nudge(app) == {"sent": 600, "messages": 600, "destinations": 50}
    async with app.sessions() as session:
        assert await next_due(session) is None


async def test_nudges_not_yet_due_wait_and_the_tick_knows_when(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 5, now, lambda i: now + timedelta(hours=i))
    assert (await run_due(app.sessions, app.clock, "w")).sent == 1
    async with app.sessions() as session:
        assert await next_due(session) == now + timedelta(hours=1)
    app.clock.advance(timedelta(hours=3))  # type: ignore[attr-defined]
    assert (await run_due(app.sessions, app.clock, "w")).sent == 3
