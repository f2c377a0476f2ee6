"""`gigbot run` with platform tokens: the adapters, their outbox delivery loops and the scheduler in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import timedelta

from bot.adapters.delivery import DeliveryLoop
from bot.app import App
from bot.config import Settings
from bot.scheduler import STOP_GRACE, Scheduler, worker_name
from bot.store.events import OUTBOX
from bot.store.notify import Notifier, dsn_of

log = logging.getLogger(__name__)

Cleanup = Callable[[], Awaitable[None]]


async def start_slack(app: App, settings: Settings, loops: list[DeliveryLoop]) -> Cleanup:
    """Slack, and a delivery loop for its outbox messages."""
    from bot.adapters.slack.adapter import SlackAdapter, make_outbox_client
    from bot.adapters.slack.sender import SlackSender

    slack = SlackAdapter(app, settings)
    loops.append(DeliveryLoop(app, "slack", SlackSender(make_outbox_client(settings))))
    return await slack.start(settings)


async def start_discord(app: App, settings: Settings, loops: list[DeliveryLoop]) -> Cleanup:
    """Discord, and a delivery loop for its outbox messages."""
    from bot.adapters.discord.adapter import DiscordAdapter
    from bot.adapters.discord.sender import DiscordSender

    discord_adapter = DiscordAdapter(app, settings)
    stop = await discord_adapter.start()
    loops.append(DeliveryLoop(app, "discord", DiscordSender(discord_adapter.client)))
    return stop


async def serve(app: App, settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Run every configured platform until SIGINT or SIGTERM (or `stop`)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    loops: list[DeliveryLoop] = []
    cleanups: list[Cleanup] = []
    if settings.slack_enabled:
        cleanups.append(await start_slack(app, settings, loops))
    if settings.discord_enabled:
        cleanups.append(await start_discord(app, settings, loops))
    for delivery in loops:
        app.dispatcher.listen(OUTBOX, delivery.poke)
    tasks = [asyncio.create_task(delivery.run(), name=f"{delivery.platform} delivery") for delivery in loops]
    scheduler = Scheduler(app)
    scheduler.start()
    notifier = listen_between_processes(app)
    try:
        await stop.wait()
    finally:
        # Stop taking work first, then let running work end its batch: a task cancelled mid-transaction can
        # leave a database connection open, and an open aiosqlite connection keeps the process from exiting.
        for delivery in loops:
            delivery.stop()
        await asyncio.gather(scheduler.stop(STOP_GRACE), finish(tasks, STOP_GRACE))
        if notifier is not None:
            await notifier.stop()
        for cleanup in cleanups:
            await cleanup()


def listen_between_processes(app: App) -> Notifier | None:
    """On PostgreSQL, wake the other processes after our writes and be woken by theirs (LISTEN/NOTIFY)."""
    if app.engine.dialect.name != "postgresql":
        return None
    notifier = Notifier(dsn_of(app.engine.url), app.dispatcher.wake_here, worker_name())
    app.dispatcher.broadcast = notifier.send
    notifier.start()
    return notifier


async def finish(tasks: list[asyncio.Task[None]], grace: timedelta) -> None:
    """Wait up to `grace` for tasks told to stop, then cancel what is left."""
    if not tasks:
        return
    _, late = await asyncio.wait(tasks, timeout=grace.total_seconds())
    for task in late:
        log.warning("%s did not stop within %ss: cancelling it", task.get_name(), grace.total_seconds())
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
