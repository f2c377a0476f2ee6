"""`gig search` looks words up in an index: pg_trgm on PostgreSQL, FTS5 on SQLite; and common words still page fast."""

import uuid
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite

from bot.app import App
from bot.core.words import document
from bot.services.gigs import COUNT_LIMIT, GigFilter, open_gigs, search_gigs
from bot.store.db import make_engine, migrate, session_factory
from tests.conftest import POSTGRES_URL, START, Harness, postgres_engine

MANY = ("INSERT INTO gig (community_id, poster_id, title, title_key, description, budget_min, budget_max, currency,"
        " hourly, remote, location, apply_by, source, status, created_at, search_text)"
        " SELECT community_id, poster_id, 'Gig number ' || g, 'gig number ' || g, 'A small job, number ' || g,"
        " budget_min, budget_max, currency, hourly, remote, location, apply_by, source, status, created_at,"
        " ' gig number ' || g || ' a small job '"
        " FROM gig, {series} WHERE gig.id = 1")


@pytest.fixture
def backend() -> str:
    return "postgresql"


async def test_postgresql_looks_words_up_in_the_trigram_index_and_walks_the_newest_for_common_ones(
        bot: Harness, app: App) -> None:
    await bot.ok("admin", '/gig post title="Fix my WordPress form" budget=100 description="A contact form" tags=php')
    async with app.sessions() as session:
        indexes = set((await session.execute(text(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'gig'"
            " AND indexdef LIKE '%gin_trgm_ops%'"))).scalars())
        assert indexes == {"ix_gig_search_trgm"}  # the substring indexes of titles and descriptions are gone
        assert document("Gig number 7", "A small job, number 7") == " gig number 7 a small job "  # as MANY writes
        await session.execute(text(MANY.format(series="generate_series(1, 30000) g")))  # the planner then prefers
        await session.execute(text(  # an index to reading them all; and a word on many gigs:
            f"UPDATE gig SET search_text = search_text || 'php ' WHERE id BETWEEN 2 AND {COUNT_LIMIT + 10}"))
        await session.execute(text("ANALYZE"))
        query = open_gigs(1, app.clock.now().date(), GigFilter(text="wordpress 24242"))
        sql = query.limit(5).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        plan = "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())
        assert "Bitmap Index Scan on ix_gig_search_trgm" in plan, plan
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="number 24242"), 1, 5)
        assert total == 1 and [g.title for g in gigs] == ["Gig number 24242"]
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="PHP"), 1, 5)
        assert total == COUNT_LIMIT + 1 and len(gigs) == 5  # the common word: counted up to the limit, a full page
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="wordpress php"), 1, 5)
        assert total == 1 and gigs[0].id == 1


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_sqlite_looks_words_up_in_fts5_which_the_triggers_keep(bot: Harness, app: App) -> None:
    await bot.ok("admin", '/gig post title="Fix my WordPress form" budget=100 description="Un café" tags=php')
    async with app.sessions() as session:
        await session.execute(text(MANY.format(
            series="(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 3000) SELECT g FROM s)")))
        await session.commit()
        query = open_gigs(1, app.clock.now().date(), GigFilter(text="cafe"), fts=True)
        sql = query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True})
        plan = " ".join(str(row[-1]) for row in await session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
        assert "VIRTUAL TABLE INDEX" in plan, plan
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="number 2999"), 1, 5)
        assert total == 1 and [g.title for g in gigs] == ["Gig number 2999"]
        await session.execute(text("UPDATE gig SET search_text = ' renamed ' WHERE id = 1"))  # the update trigger
        await session.execute(text("DELETE FROM gig WHERE id = 3000"))  # and the delete trigger
        await session.commit()
        assert (await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="cafe"), 1, 5))[1] == 0
        assert (await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="renamed"), 1, 5))[1] == 1
        assert (await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="2999"), 1, 5))[1] == 0
        await session.execute(text("INSERT INTO gig_fts (gig_fts) VALUES ('integrity-check')"))  # raises if they differ


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_the_migration_gives_existing_gigs_their_search_words(backend: str, tmp_path: Path) -> None:
    schema = f"gigbot_test_{uuid.uuid4().hex[:10]}"
    if backend == "sqlite":
        engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'old.db'}")
    else:
        admin = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"), timeout=5)
        await admin.execute(f'CREATE SCHEMA "{schema}"')
        engine = postgres_engine(schema)
    try:
        await migrate(engine, "0007")
        async with engine.begin() as connection:
            await connection.execute(text(
                "INSERT INTO community (id, name, default_locale, timezone, default_channels, settings, created_at)"
                " VALUES (1, 'c', 'en', 'UTC', '{}', '{}', '2026-11-23 09:00:00')"))
            await connection.execute(text(
                "INSERT INTO member (id, community_id, platform, platform_user_id, display_name, is_poster,"
                " nudges_enabled, dm_undeliverable, created_at) VALUES (1, 1, 'test', 'u', 'U', true, true, false,"
                " '2026-11-23 09:00:00')"))
            await connection.execute(text(
                "INSERT INTO gig (id, community_id, poster_id, title, title_key, description, budget_min, budget_max,"
                " currency, hourly, remote, location, apply_by, source, status, created_at) VALUES (1, 1, 1,"
                " 'Café website', 'cafe website', 'Menu en ligne', 100, 100, 'EUR', false, true, '', '2026-12-31',"
                " '', 'open', '2026-11-23 09:00:00')"))
            await connection.execute(text("INSERT INTO gig_tag (gig_id, tag, position) VALUES (1, 'go', 0)"))
        await migrate(engine)
        async with engine.connect() as connection:
            stored = (await connection.execute(text("SELECT search_text FROM gig"))).scalar_one()
        assert stored == document("Café website", "Menu en ligne", "go")
        async with session_factory(engine)() as session:
            for typed in ("cafe", "golang", "MENU"):
                _, total = await search_gigs(session, 1, START.date(), GigFilter(text=typed), 1, 5)
                assert total == 1, typed
    finally:
        await engine.dispose()
        if backend == "postgresql":
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await admin.close()
