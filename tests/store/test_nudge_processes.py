"""Two real bot processes on one PostgreSQL database: every due nudge reaches the outbox exactly once."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import func, select

from bot.services.nudge_tick import LEASE
from bot.store.db import make_engine, session_factory
from bot.store.models import Nudge, OutboxMessage
from tests.conftest import IN_CI, POSTGRES_URL
from tests.seed import seed_due_nudges

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COUNT = 2000


@pytest.fixture
def database() -> Iterator[str]:
    """A database of its own (the processes take a URL, so no schema trick), migrated and seeded."""
    name = f"gigbot_procs_{uuid.uuid4().hex[:8]}"
    admin = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"

    async def run(sql: str) -> None:
        connection = await asyncpg.connect(admin, timeout=5)
        await connection.execute(sql)
        await connection.close()

    try:
        asyncio.run(run(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")
    assert gigbot("migrate", env={"GIGBOT_DATABASE_URL": url}).returncode == 0
    asyncio.run(seed(url))
    yield url
    asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def seed(url: str) -> None:
    engine = make_engine(url)
    await seed_due_nudges(session_factory(engine), COUNT, NOW, lambda i: NOW - timedelta(seconds=i % 600))
    await engine.dispose()


async def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        states = dict((await session.execute(select(Nudge.state, func.count()).group_by(Nudge.state))).all())
        messages = (await session.execute(select(func.count()).select_from(OutboxMessage))).scalar_one()
    await engine.dispose()
    return {"messages": messages, **states}


def gigbot(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env=os.environ | (env or {}), timeout=300)


def tick(url: str, worker: str, now: datetime, batch: int) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot", "tick", "--db", url, "--worker", worker,
                             "--now", now.isoformat(), "--batch", str(batch)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def claimed_by(output: str) -> int:
    return sum(int(line.split()[2]) for line in output.splitlines() if line.startswith("batch:"))


def test_two_processes_deliver_each_of_2000_due_nudges_exactly_once(database: str) -> None:
    first, second = tick(database, "a", NOW, 50), tick(database, "b", NOW, 50)
    out_a, err_a = first.communicate(timeout=300)
    out_b, err_b = second.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err_a + err_b
    assert claimed_by(out_a) > 0 and claimed_by(out_b) > 0  # both took part
    assert all(int(line.split()[2]) <= 50 for line in (out_a + out_b).splitlines() if line.startswith("batch:"))
    assert claimed_by(out_a) + claimed_by(out_b) == COUNT
    assert asyncio.run(counts(database)) == {"messages": COUNT, "sent": COUNT}


def test_a_process_killed_half_way_loses_nothing_and_doubles_nothing(database: str) -> None:
    victim, survivor = tick(database, "victim", NOW, 20), tick(database, "survivor", NOW, 20)
    assert victim.stdout is not None
    batches = 0
    while batches < 10:  # let the victim get well into its work, then kill it without warning
        line = victim.stdout.readline()
        assert line, victim.stderr.read() if victim.stderr else "the victim stopped early"
        batches += line.startswith("batch:")
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=60)
    survivor.communicate(timeout=300)
    assert survivor.returncode == 0
    # Whatever the victim had claimed but not sent is taken over once its lease has run out.
    later = gigbot("tick", "--db", database, "--worker", "later", "--now", (NOW + LEASE + timedelta(seconds=1))
                   .isoformat(), "--batch", "100")
    assert later.returncode == 0, later.stderr
    assert asyncio.run(counts(database)) == {"messages": COUNT, "sent": COUNT}
