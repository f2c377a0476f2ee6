from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from bot.app import App
from bot.store.models import Application, Base, Community, Gig, Member


@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
async def test_the_migration_creates_exactly_the_models(app: App) -> None:
    def check(connection):  # type: ignore[no-untyped-def]
        tables = {name for name in inspect(connection).get_table_names() if not name.startswith("gig_fts")}
        tables.discard("alembic_version")
        # `gig search` (migration 0008): SQLite's FTS5 tables, which the models do not describe, and PostgreSQL's
        # trigram index, which the models declare for PostgreSQL only
        skipped = {("index", "ix_gig_search_trgm")} if connection.dialect.name == "sqlite" else set()
        opts = {"compare_type": True, "include_object": lambda _, name, kind, *__: not (
            (kind == "table" and name.startswith("gig_fts")) or (kind, name) in skipped)}
        diff = compare_metadata(MigrationContext.configure(connection, opts=opts), Base.metadata)
        return tables, diff

    async with app.engine.connect() as connection:
        tables, diff = await connection.run_sync(check)
    assert tables == set(Base.metadata.tables)
    assert diff == []


async def seed(app: App) -> tuple[int, int]:
    now = app.clock.now()
    async with app.sessions() as session:
        community = Community(name="c", default_locale="en", timezone="UTC", settings={},
                              created_at=now)
        session.add(community)
        await session.flush()
        member = Member(community_id=community.id, platform="test", platform_user_id="u1", display_name="U",
                        is_poster=False, nudges_enabled=True, dm_undeliverable=False, created_at=now)
        session.add(member)
        await session.flush()
        gig = Gig(community_id=community.id, poster_id=member.id, title="t", title_key="t", budget_min=1,
                  budget_max=1, currency="EUR", apply_by=now.date(), created_at=now)
        session.add(gig)
        await session.commit()
        return member.id, gig.id


async def test_one_application_per_member_per_gig_is_enforced_by_the_database(app: App) -> None:
    member_id, gig_id = await seed(app)
    now = app.clock.now()
    async with app.sessions() as session:
        session.add(Application(gig_id=gig_id, member_id=member_id, created_at=now, updated_at=now))
        await session.commit()
    async with app.sessions() as session:
        session.add(Application(gig_id=gig_id, member_id=member_id, created_at=now, updated_at=now))
        with pytest.raises(IntegrityError):
            await session.commit()


async def test_timestamps_come_back_as_aware_utc(app: App) -> None:
    member_id, _ = await seed(app)
    paris = timezone(timedelta(hours=1))
    async with app.sessions() as session:
        member = await session.get(Member, member_id)
        assert member is not None
        member.created_at = datetime(2026, 3, 29, 2, 30, tzinfo=paris)
        await session.commit()
    async with app.sessions() as session:
        stored = (await session.execute(select(Member.created_at))).scalar_one()
    assert stored == datetime(2026, 3, 29, 1, 30, tzinfo=UTC) and stored.tzinfo is not None
    assert stored.utcoffset() == timedelta(0)


async def test_foreign_keys_are_enforced(app: App) -> None:
    now = app.clock.now()
    async with app.sessions() as session:
        session.add(Application(gig_id=999, member_id=999, created_at=now, updated_at=now))
        with pytest.raises(IntegrityError):
            await session.commit()
