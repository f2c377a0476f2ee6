import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.app import App
from bot.scheduler import EXPIRY, MAX_SLEEP, TICK, Scheduler
from bot.services.nudge_tick import TickResult
from bot.store.events import OUTBOX
from bot.store.models import Nudge
from tests.conftest import Harness
from tests.seed import seed_due_nudges


async def test_start_runs_an_immediate_tick_that_sends_what_fell_due_while_down(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 3, now, lambda i: now - timedelta(days=3))
    delivered = asyncio.Event()
    app.dispatcher.listen(OUTBOX, delivered.set)
    scheduler = Scheduler(app, worker="w")
    scheduler.start()
    try:
        assert {job.id for job in scheduler.aps.get_jobs()} >= {TICK, EXPIRY}
        await asyncio.wait_for(delivered.wait(), timeout=30)
    finally:
        await scheduler.stop()


async def test_the_tick_sleeps_until_the_next_due_nudge_and_wakes_on_new_ones(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 2, now, lambda i: now + timedelta(seconds=90 * (i + 1)))
    scheduler = Scheduler(app, worker="w")
    scheduler.aps.start(paused=True)
    try:
        before = datetime.now(UTC)
        assert (await scheduler.tick()).claimed == 0
        run_at = scheduler.aps.get_job(TICK).next_run_time
        assert before + timedelta(seconds=89) <= run_at <= datetime.now(UTC) + timedelta(seconds=90)
        app.clock.advance(timedelta(seconds=90))  # type: ignore[attr-defined]
        assert (await scheduler.tick()).sent == 1
        run_at = scheduler.aps.get_job(TICK).next_run_time
        assert run_at <= datetime.now(UTC) + timedelta(seconds=90)
        app.clock.advance(timedelta(seconds=90))  # type: ignore[attr-defined]
        assert (await scheduler.tick()).sent == 1
        idle_until = scheduler.aps.get_job(TICK).next_run_time  # nothing left: look again after MAX_SLEEP
        assert idle_until >= datetime.now(UTC) + MAX_SLEEP - timedelta(seconds=5)
        scheduler.wake()
        assert scheduler.aps.get_job(TICK).next_run_time <= datetime.now(UTC)
    finally:
        await scheduler.stop()


async def test_a_command_that_writes_nudges_wakes_the_tick(bot: Harness) -> None:
    scheduler = Scheduler(bot.app, worker="w")
    scheduler.aps.start(paused=True)
    bot.app.dispatcher.listen("nudges", scheduler.wake)
    try:
        await scheduler.tick()
        assert scheduler.aps.get_job(TICK).next_run_time > datetime.now(UTC) + timedelta(minutes=4)
        await bot.ok("admin", '/gig post title="A gig" budget=10')
        await bot.ok("alice", "/gig apply 1")
        assert scheduler.aps.get_job(TICK).next_run_time <= datetime.now(UTC)
    finally:
        await scheduler.stop()


async def test_the_tick_keeps_going_when_a_nudge_falls_due_during_a_pass(app: App) -> None:
    """Regression: a tick that re-adds itself while finishing must not be refused by APScheduler and lost."""
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 3, now, lambda i: now - timedelta(minutes=1))
    from sqlalchemy import update

    from bot.store.models import Nudge

    async with app.sessions() as session:  # only the first is due; the others fall due during the first pass
        await session.execute(update(Nudge).where(Nudge.id > 1).values(due_at=now + timedelta(days=1)))
        await session.commit()
    scheduler = Scheduler(app, worker="w")
    passes: list[int] = []
    sent_three = asyncio.Event()
    original = scheduler.send_due

    async def send_due():  # type: ignore[no-untyped-def]
        result = await original()
        passes.append(result.sent)
        if len(passes) == 1:
            async with app.sessions() as session:
                await session.execute(update(Nudge).where(Nudge.id == 2).values(due_at=now))
                await session.commit()
        elif len(passes) == 2:
            async with app.sessions() as session:
                await session.execute(update(Nudge).where(Nudge.id == 3).values(due_at=now))
                await session.commit()
        if sum(passes) == 3:
            sent_three.set()
        return result

    scheduler.send_due = send_due  # type: ignore[method-assign]
    scheduler.start()
    try:
        await asyncio.wait_for(sent_three.wait(), timeout=30)
    finally:
        await scheduler.stop()
    assert passes[:3] == [1, 1, 1]


async def test_stop_lets_the_running_batch_finish_then_schedules_nothing_more(app: App) -> None:
    now = app.clock.now()
    await seed_due_nudges(app.sessions, 3, now, lambda i: now - timedelta(days=1))
    scheduler = Scheduler(app, worker="w", batch=1)
    scheduler.aps.start(paused=True)
    stopping: list[asyncio.Task[None]] = []

    def after_batch(_result: TickResult) -> None:  # stop is asked for while the tick is under way
        if not stopping:
            stopping.append(asyncio.ensure_future(scheduler.stop()))

    scheduler._sent = after_batch  # type: ignore[method-assign]
    result = await scheduler.tick()
    await stopping[0]
    # the batches under way (one per pipeline: two on PostgreSQL) were sent whole; no other batch began
    assert 1 <= result.sent == result.claimed <= scheduler.pipelines
    assert not scheduler.aps.running and scheduler.aps.get_job(TICK) is None
    async with app.sessions() as session:
        states = dict((await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))).all())
    assert states == {"sent": result.sent, "pending": 3 - result.sent}  # the rest go out at the next start
