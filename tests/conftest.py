"""Fixtures: a migrated database per test (SQLite, and PostgreSQL on 127.0.0.1:5432), an injected clock, and a
test adapter that runs commands as named members and records what the outbox delivers."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import select, text, update

from bot.adapters.console import render
from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.types import Actor, Place, Reply
from bot.scheduler import Scheduler
from bot.services import delivery, outbox
from bot.store.db import make_engine, migrate
from bot.store.models import Base, Community, Member

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday
PLATFORM = "test"
POSTGRES_URL = os.environ.get("GIGBOT_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "gigbot.db"

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await migrate(engine)
        await engine.dispose()

    asyncio.run(build())
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A fresh schema in the `test` database, migrated once, dropped at the end."""
    schema = f"gigbot_test_{uuid.uuid4().hex[:10]}"
    dsn = POSTGRES_URL.replace("postgresql+asyncpg", "postgresql")

    async def create() -> None:
        connection = await asyncpg.connect(dsn, timeout=5)
        await connection.execute(f'CREATE SCHEMA "{schema}"')
        await connection.close()
        engine = postgres_engine(schema)
        await migrate(engine)
        await engine.dispose()

    async def drop() -> None:
        connection = await asyncpg.connect(dsn, timeout=5)
        await connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        await connection.close()

    try:
        asyncio.run(create())
    except (OSError, asyncpg.PostgresError) as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is required in CI: {error}")
        pytest.skip(f"PostgreSQL unreachable at {POSTGRES_URL}: {error}")
    yield schema
    asyncio.run(drop())


def postgres_engine(schema: str):  # type: ignore[no-untyped-def]
    return make_engine(POSTGRES_URL, connect_args={"server_settings": {"search_path": schema}})


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(admins=f"{PLATFORM}:admin", database_url="sqlite+aiosqlite:///:memory:", _env_file=None)


@pytest.fixture
def database(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A migrated database on the test's backend: a SQLite file path, or a PostgreSQL schema name."""
    if backend == "sqlite":
        path = tmp_path / "gigbot.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return str(path)
    return str(request.getfixturevalue("postgres_schema"))


@pytest.fixture
async def app(backend: str, database: str, settings: Settings, clock: FrozenClock) -> AsyncIterator[App]:
    """A migrated, empty database on the test's backend, wired to the injected clock."""
    if backend == "sqlite":
        built = build_app(settings, clock, f"sqlite+aiosqlite:///{database}")
    else:
        built = build_app(settings, clock, engine=postgres_engine(database))
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        async with built.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield built
    await built.close()


class Harness:
    """A test adapter: runs commands as named members in one workspace and delivers the outbox to a list."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.sent: list[outbox.Outgoing] = []
        self.locales: dict[str, str | None] = {}

    def actor(self, name: str) -> Actor:
        return Actor(PLATFORM, name, name.capitalize(), locale=self.locales.get(name))

    def place(self, channel: str = "general") -> Place:
        return Place(PLATFORM, "T1", channel, channel)

    async def run(self, who: str, line: str) -> Reply:
        return await self.app.dispatcher.run_text(line, self.actor(who), self.place())

    async def say(self, who: str, line: str) -> str:
        """Run a command and return its reply as the console would print it (without prefixes)."""
        return as_text(await self.run(who, line))

    async def ok(self, who: str, line: str) -> str:
        reply = await self.run(who, line)
        assert reply.ok, as_text(reply)
        return as_text(reply)

    async def fails(self, who: str, line: str) -> str:
        reply = await self.run(who, line)
        assert not reply.ok, as_text(reply)
        return as_text(reply)

    async def press(self, who: str, button: str) -> Reply:
        return await self.app.dispatcher.press(button, self.actor(who), self.place())

    async def poster(self, name: str, trusted: bool = True) -> None:
        """Make `name` a poster, as an admin does; trusted, their gigs are held only for what they say."""
        await self.ok("admin", f"/gig role add @{name} poster")
        if trusted:
            async with self.app.sessions() as session:
                await session.execute(update(Member).where(Member.platform == PLATFORM,
                                                           Member.platform_user_id == name).values(trusted=True))
                await session.commit()

    async def screening(self, **values: object) -> None:
        """Change the community's screening settings (e.g. `off=["mentions"]` where a test posts pings on purpose)."""
        async with self.app.sessions() as session:
            for community in (await session.execute(select(Community))).scalars():
                community.settings = {**community.settings,
                                      "screening": {**community.settings.get("screening", {}), **values}}
            await session.commit()

    async def later(self, **delta: float) -> list[outbox.Outgoing]:
        """Move the clock, run expiry and the nudge tick as the scheduler would, and deliver."""
        self.app.clock.advance(timedelta(**delta))  # type: ignore[attr-defined]
        await Scheduler(self.app, worker="test").run_now()
        return await self.deliver()

    async def deliver(self) -> list[outbox.Outgoing]:
        """Deliver what is due and return what was sent by this call."""
        before = len(self.sent)

        async def send(message: outbox.Outgoing) -> outbox.Sent:
            self.sent.append(message)
            return outbox.Sent(f"M{message.id}")

        while await delivery.deliver_due(self.app.sessions, PLATFORM, send, self.app.clock):
            pass
        return self.sent[before:]


def as_text(reply: Reply) -> str:
    return "\n".join(line.removeprefix("[x] ") for line in render("x", reply))


@pytest.fixture
async def bot(app: App) -> Harness:
    """The harness, with #gigs as the test platform's default channel."""
    harness = Harness(app)
    await harness.ok("admin", "/gig route default #gigs")
    return harness


@pytest.fixture
def post_line() -> str:
    return '/gig post title="Fix my WordPress form" budget="150 EUR" tags=wordpress,php remote=yes'
