"""Migration 0009 on a database of today (0008) with data in it: nothing is lost, and the bot works on it after."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import build_app
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.types import Actor, Place
from bot.store.db import alembic_config, make_engine, migrate
from tests.conftest import POSTGRES_URL, START, as_text, postgres_engine

AT = "'2026-11-20 09:00:00'"
SEED = [  # two communities of today, one place each, with everything a community holds
    "INSERT INTO community (id, name, default_locale, timezone, default_channels, settings, created_at) VALUES"
    f" (1, 'acme', 'en', 'Europe/Paris', '{{\"slack\": \"CGIGS\"}}', '{{\"quiet\": \"22-8\"}}', {AT}),"
    f" (2, 'Students', 'fr', 'UTC', '{{\"discord\": \"111\"}}', '{{}}', {AT})",
    "INSERT INTO workspace (id, community_id, platform, external_id) VALUES (1, 1, 'slack', 'T1'),"
    " (2, 2, 'discord', 'G1')",
    "INSERT INTO member (id, community_id, platform, platform_user_id, display_name, is_poster, nudges_enabled,"
    f" dm_undeliverable, created_at) VALUES (1, 1, 'slack', 'UADMIN', 'Admin', true, true, false, {AT}),"
    f" (2, 1, 'slack', 'USAM', 'Sam', false, true, false, {AT}),"
    f" (3, 2, 'discord', 'dora', 'Dora', false, true, false, {AT}),"
    f" (4, 2, 'discord', 'dana', 'Dana', true, true, false, {AT})",
    "INSERT INTO gig (id, community_id, poster_id, title, title_key, description, budget_min, budget_max, currency,"
    " hourly, remote, location, apply_by, source, status, created_at, search_text) VALUES"
    f" (1, 1, 1, 'Fix my WordPress form', 'fix my wordpress form', '', 15000, 15000, 'EUR', false, true, '',"
    f" '2026-12-31', '', 'open', {AT}, ' fix my wordpress form php wordpress '),"
    f" (2, 2, 4, 'Landing page in React', 'landing page in react', '', 30000, 30000, 'EUR', false, true, '',"
    f" '2026-12-31', '', 'open', {AT}, ' landing page in react react ')",
    "INSERT INTO gig_tag (gig_id, tag, position) VALUES (1, 'wordpress', 0), (1, 'php', 1), (2, 'react', 0)",
    f"INSERT INTO posting (id, gig_id, platform, channel, message_ref, created_at) VALUES (1, 1, 'slack', 'CGIGS',"
    f" '1.2', {AT}), (2, 2, 'discord', '111', '555', {AT})",
    "INSERT INTO application (id, gig_id, member_id, status, pitch, reminders, created_at, updated_at) VALUES"
    f" (1, 1, 2, 'interviewing', 'I did ten', true, {AT}, {AT}), (2, 2, 3, 'applied', '', true, {AT}, {AT})",
    "INSERT INTO application_event (id, application_id, from_status, to_status, actor_id, at) VALUES"
    f" (1, 1, NULL, 'applied', 2, {AT}), (2, 1, 'applied', 'interviewing', 2, {AT}),"
    f" (3, 2, NULL, 'applied', 3, {AT})",
    "INSERT INTO nudge (id, community_id, member_id, application_id, gig_id, kind, due_at, state, attempts,"
    f" created_at) VALUES (1, 1, 2, 1, 1, 'news_check', '2026-12-04 09:00:00', 'pending', 0, {AT}),"
    f" (2, 2, 3, 2, 2, 'follow_up', '2026-11-22 09:00:00', 'sent', 1, {AT})",
    "INSERT INTO route (id, community_id, platform, channel, tags, remote, location, created_by_id, created_at)"
    f" VALUES (1, 1, 'slack', 'CPYTHON', '[\"python\"]', NULL, '', 1, {AT}),"
    f" (2, 2, 'discord', '222', '[]', true, '', 4, {AT})",
    "INSERT INTO outbox_message (id, community_id, platform, kind, destination, posting_id, member_id, payload,"
    f" state, attempts, next_attempt_at, created_at) VALUES (1, 1, 'slack', 'post', 'CGIGS', 1, NULL, '{{}}',"
    f" 'sent', 1, {AT}, {AT}), (2, 2, 'discord', 'dm', 'dora', NULL, 3, '{{}}', 'pending', 0, {AT}, {AT})",
    "INSERT INTO audit_entry (id, community_id, actor_id, action, subject, details, at) VALUES"
    f" (1, 1, 1, 'gig.post', '1', '{{}}', {AT}), (2, 2, 4, 'gig.post', '2', '{{}}', {AT})",
]
TABLES = ("community", "workspace", "member", "gig", "gig_tag", "posting", "application", "application_event",
          "nudge", "route", "outbox_message", "audit_entry")


@pytest.fixture(params=["sqlite", "postgresql"])
async def old_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A fresh database migrated to 0008 and seeded with data of today."""
    schema = f"gigbot_test_{uuid.uuid4().hex[:10]}"
    admin = None
    if request.param == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    else:
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"), timeout=5)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        engine = postgres_engine(schema)
    try:
        await migrate(engine, "0008")
        async with engine.begin() as connection:
            for statement in SEED:
                await connection.execute(text(statement))
            if request.param == "postgresql":  # rows written by the bot would have moved the id sequences on
                for table in TABLES:
                    if table != "gig_tag":
                        await connection.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
        yield engine
    finally:
        await engine.dispose()
        if admin is not None:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()


async def rows(engine: AsyncEngine, sql: str) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(sql))]


async def counts(engine: AsyncEngine) -> dict[str, int]:
    return {table: (await rows(engine, f'SELECT count(*) FROM "{table}"'))[0][0] for table in TABLES}


async def test_every_row_survives_and_each_gets_its_place(old_engine: AsyncEngine) -> None:
    before = await counts(old_engine)
    await migrate(old_engine)
    assert await counts(old_engine) == before
    assert await rows(old_engine, "SELECT id, community_id, name, default_channel FROM workspace ORDER BY id") == [
        (1, 1, "T1", "CGIGS"), (2, 2, "G1", "111")]
    assert await rows(old_engine, "SELECT id, workspace_id FROM member ORDER BY id") == [(1, 1), (2, 1), (3, 2), (4, 2)]
    assert await rows(old_engine, "SELECT id, workspace_id FROM gig ORDER BY id") == [(1, 1), (2, 2)]
    assert await rows(old_engine, "SELECT id, workspace_id FROM route ORDER BY id") == [(1, 1), (2, 2)]
    assert await rows(old_engine, "SELECT id, applied_as_id FROM application ORDER BY id") == [(1, 2), (2, 3)]
    assert await rows(old_engine, "SELECT linked_to_id, dm_platform FROM member WHERE linked_to_id IS NOT NULL"
                      " OR dm_platform IS NOT NULL") == []
    assert await rows(old_engine, "SELECT id, status FROM application ORDER BY id") == [
        (1, "interviewing"), (2, "applied")]
    assert await rows(old_engine, "SELECT id, timezone, default_locale FROM community ORDER BY id") == [
        (1, "Europe/Paris", "en"), (2, "UTC", "fr")]

    async with old_engine.connect() as connection:
        columns = await connection.run_sync(lambda c: [col["name"] for col in inspect(c).get_columns("community")])
    assert "default_channels" not in columns


async def test_the_bot_works_on_the_migrated_database_and_links_its_two_places(old_engine: AsyncEngine) -> None:
    await migrate(old_engine)
    settings = Settings(admins="slack:UADMIN", database_url="sqlite+aiosqlite:///:memory:", _env_file=None)
    app = build_app(settings, FrozenClock(START), engine=old_engine)
    slack = Place("slack", "T1", "CGENERAL", "general", workspace_name="acme")
    discord = Place("discord", "G1", "100", "general", workspace_name="Students")
    sam, admin = Actor("slack", "USAM", "Sam"), Actor("slack", "UADMIN", "Admin")
    dana, dora = Actor("discord", "dana", "Dana", platform_admin=True), Actor("discord", "dora", "Dora")

    async def run(line: str, actor: Actor, place: Place) -> str:
        reply = await app.dispatcher.run_text(line, actor, place)
        assert reply.ok, as_text(reply)
        return as_text(reply)

    assert "interviewing" in await run("/gig mine", sam, slack)
    assert "Landing page in React" in await run("/gig list", dora, discord)
    posted = await run('/gig post title="Python scraper" budget=200 tags=python', admin, slack)
    assert "#CGIGS" in posted and "#CPYTHON" in posted
    found = re.search(r"`([A-Z0-9]{4}-[A-Z0-9]{4})`", await run("/gig admin link", admin, slack))
    assert found is not None
    assert "C’est lié" in await run(f"/gig admin join {found.group(1)}", dana, discord)  # Dana reads French
    assert "Fix my WordPress form" in await run("/gig show 1", dora, discord)
    assert "Landing page in React" in await run("/gig show 2", sam, slack)
    assert await rows(old_engine, "SELECT DISTINCT community_id FROM gig") == [(1,)]
    assert await rows(old_engine, "SELECT platform, default_channel FROM workspace ORDER BY id") == [
        ("slack", "CGIGS"), ("discord", "111")]


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


async def test_the_downgrade_gives_back_the_defaults_of_each_community(old_engine: AsyncEngine) -> None:
    before = await counts(old_engine)
    await migrate(old_engine)
    async with old_engine.begin() as connection:
        if connection.dialect.name == "sqlite":  # batch mode drops and rebuilds tables other rows point at
            await connection.execute(text("PRAGMA foreign_keys=OFF"))
        await connection.run_sync(_downgrade, "0008")
    assert await counts(old_engine) == before
    channels = await rows(old_engine, "SELECT id, default_channels FROM community ORDER BY id")
    assert [(id, value if isinstance(value, dict) else json.loads(value)) for id, value in channels] == [
        (1, {"slack": "CGIGS"}), (2, {"discord": "111"})]
    await migrate(old_engine)  # and up again
    assert await counts(old_engine) == before
    if old_engine.dialect.name == "sqlite":  # the gig_fts triggers came back with the rebuilt gig table
        async with old_engine.begin() as connection:
            await connection.execute(text("UPDATE gig SET search_text = ' renamed ' WHERE id = 1"))
            await connection.execute(text("INSERT INTO gig_fts (gig_fts) VALUES ('integrity-check')"))
            found = await connection.execute(text("SELECT rowid FROM gig_fts WHERE gig_fts MATCH 'renamed'"))
            assert found.scalars().all() == [1]
