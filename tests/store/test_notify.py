"""PostgreSQL LISTEN/NOTIFY between processes: a write in one wakes the listeners of another, across reconnects."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from bot.adapters.runner import listen_between_processes
from bot.app import App
from bot.store.events import NUDGES, OUTBOX
from bot.store.notify import Notifier
from tests.conftest import POSTGRES_URL, Harness

DSN = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")


class Woken:
    """What a process's listeners heard, in order."""

    def __init__(self) -> None:
        self.heard: asyncio.Queue[set[str]] = asyncio.Queue()

    def __call__(self, topics: set[str]) -> None:
        self.heard.put_nowait(set(topics))

    async def next(self) -> set[str]:
        return await asyncio.wait_for(self.heard.get(), timeout=15)


@pytest.fixture
async def pair(postgres_schema: str) -> AsyncIterator[tuple[Notifier, Woken, Notifier, Woken]]:
    run = uuid.uuid4().hex[:6]  # channels are per database: other test runs may notify too, under other names
    a_woken, b_woken = Woken(), Woken()
    a, b = Notifier(DSN, a_woken, f"a-{run}"), Notifier(DSN, b_woken, f"b-{run}")
    a.start()
    b.start()
    await asyncio.wait_for(asyncio.gather(a.connected.wait(), b.connected.wait()), 15)
    assert await a_woken.next() == {OUTBOX, NUDGES} and await b_woken.next() == {OUTBOX, NUDGES}  # on connecting
    yield a, a_woken, b, b_woken
    await a.stop()
    await b.stop()


async def test_a_notify_wakes_the_other_process_and_not_the_sender(pair: tuple[Notifier, Woken, Notifier, Woken]
                                                                   ) -> None:
    a, a_woken, b, b_woken = pair
    a.send({OUTBOX})
    assert await b_woken.next() == {OUTBOX}
    b.send({NUDGES, "not-a-topic"})
    assert await a_woken.next() == {NUDGES}
    assert a_woken.heard.empty() and b_woken.heard.empty()  # nobody hears their own


async def test_the_listener_reconnects_after_its_connection_is_killed(pair: tuple[Notifier, Woken, Notifier, Woken]
                                                                      ) -> None:
    a, _, b, b_woken = pair
    assert b.connection is not None
    pid = b.connection.get_server_pid()
    admin = await asyncpg.connect(DSN, timeout=5)
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await admin.close()
    assert await b_woken.next() == {OUTBOX, NUDGES}  # reconnected: it looks at everything once
    assert b.connections == 2
    a.send({OUTBOX})
    assert await b_woken.next() == {OUTBOX}


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_command_that_writes_outbox_rows_wakes_the_other_process(app: App, bot: Harness) -> None:
    mine = listen_between_processes(app)
    assert mine is not None
    other_woken = Woken()
    other = Notifier(DSN, other_woken, f"other-{uuid.uuid4().hex[:6]}")
    other.start()
    try:
        await asyncio.wait_for(asyncio.gather(mine.connected.wait(), other.connected.wait()), 15)
        assert await other_woken.next() == {OUTBOX, NUDGES}
        await bot.ok("admin", '/gig post title="Fix my form" budget=90')  # a posting for #gigs: an outbox row
        assert OUTBOX in await other_woken.next()
    finally:
        await mine.stop()
        await other.stop()
