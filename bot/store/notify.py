"""Wake-ups between processes on PostgreSQL: NOTIFY after a commit that wrote outbox rows or nudges, LISTEN in each.

One raw asyncpg connection per process listens on a channel per topic (gigbot_outbox, gigbot_nudges) and calls the
process's own listeners; it reconnects with a growing pause if it drops, and wakes every listener after each
(re)connection, since notifications sent meanwhile are gone. The payload names the sending process, which skips
its own notifications (it woke its listeners already). SQLite has one process: it keeps the in-process wake-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from typing import Any

import asyncpg
from sqlalchemy.engine import URL

from bot.store.events import NUDGES, OUTBOX

log = logging.getLogger(__name__)

TOPICS = (OUTBOX, NUDGES)
PREFIX = "gigbot_"
CHECK_EVERY = 15.0  # seconds between health checks of the listening connection
MAX_PAUSE = 30.0


def dsn_of(url: URL) -> str:
    """The libpq DSN asyncpg takes, from SQLAlchemy's postgresql+asyncpg URL."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class Notifier:
    """LISTEN for the topics on one connection; NOTIFY them on the same connection."""

    def __init__(self, dsn: str, wake: Callable[[set[str]], None], name: str, topics: Iterable[str] = TOPICS) -> None:
        self.dsn = dsn
        self.wake = wake
        self.name = name
        self.topics = tuple(topics)
        self.connection: asyncpg.Connection | None = None
        self.connected = asyncio.Event()
        self.connections = 0  # how many times it (re)connected, for tests and logs
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        """Connect and listen in the background, reconnecting as needed."""
        self._task = asyncio.create_task(self._run(), name="pg listen")

    async def stop(self) -> None:
        """Stop listening and close the connection."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._sending:
            await asyncio.wait(self._sending, timeout=2)

    def send(self, topics: set[str]) -> None:
        """NOTIFY the other processes of these topics (in the background; a lost one is covered by their sweeps)."""
        wanted = [t for t in topics if t in self.topics]
        if wanted and self.connection is not None:
            task = asyncio.ensure_future(self._notify(wanted))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _notify(self, topics: list[str]) -> None:
        connection = self.connection
        if connection is None:
            return
        try:
            async with self._lock:
                for topic in topics:
                    await connection.execute("SELECT pg_notify($1, $2)", PREFIX + topic, self.name)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
            log.warning("could not NOTIFY %s: %s", topics, error)

    def _received(self, _connection: Any, _pid: int, channel: str, payload: str) -> None:
        if payload != self.name:
            self.wake({channel.removeprefix(PREFIX)})

    async def _run(self) -> None:
        pause = 0.5
        while True:
            lost = asyncio.Event()
            try:
                connection = await asyncpg.connect(self.dsn, timeout=10)
                connection.add_termination_listener(lambda _c, done=lost: done.set())
                for topic in self.topics:
                    await connection.add_listener(PREFIX + topic, self._received)
                self.connection, self.connections, pause = connection, self.connections + 1, 0.5
                self.connected.set()
                self.wake(set(self.topics))  # what was notified while not listening is lost: look now
                await self._watch(connection, lost)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as error:
                log.warning("PostgreSQL LISTEN connection lost (%s): reconnecting in %.1fs", error, pause)
            finally:
                self.connected.clear()
                gone, self.connection = self.connection, None
                if gone is not None and not gone.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(gone.close(), 2)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE)

    async def _watch(self, connection: asyncpg.Connection, lost: asyncio.Event) -> None:
        """Return when the connection drops; a silent drop shows in a periodic round trip."""
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), CHECK_EVERY)
            if not lost.is_set():
                async with self._lock:
                    await asyncio.wait_for(connection.execute("SELECT 1"), 10)
        raise OSError("connection terminated")
