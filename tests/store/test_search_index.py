"""PostgreSQL: `gig search` looks rare words up in pg_trgm indexes, and walks the newest gigs for common tags."""

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from bot.app import App
from bot.services.gigs import COUNT_LIMIT, RARE_TAG, GigFilter, open_gigs, search_gigs
from tests.conftest import Harness


@pytest.fixture
def backend() -> str:
    return "postgresql"


async def test_search_uses_the_trigram_indexes_for_rare_words_and_finds_common_tags(bot: Harness, app: App) -> None:
    await bot.ok("admin", '/gig post title="Fix my WordPress form" budget=100 description="A contact form" tags=php')
    async with app.sessions() as session:
        indexes = set((await session.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'gig' AND indexdef LIKE '%gin_trgm_ops%'"))).scalars())
        assert indexes == {"ix_gig_title_trgm", "ix_gig_description_trgm"}
        await session.execute(text(  # enough gigs for the planner to prefer an index to reading them all
            "INSERT INTO gig (community_id, poster_id, title, title_key, description, budget_min, budget_max, currency,"
            " hourly, remote, location, apply_by, source, status, created_at)"
            " SELECT community_id, poster_id, 'Gig number ' || g, 'gig number ' || g, 'A small job, number ' || g,"
            " budget_min, budget_max, currency, hourly, remote, location, apply_by, source, status, created_at"
            " FROM gig, generate_series(1, 30000) g WHERE gig.id = 1"))
        await session.execute(text(f"INSERT INTO gig_tag (gig_id, tag, position) SELECT id, 'php', 0 FROM gig "
                                   f"WHERE id BETWEEN 2 AND {max(COUNT_LIMIT, RARE_TAG) + 10}"))  # a tag on many gigs
        await session.execute(text("ANALYZE"))
        query = open_gigs(1, app.clock.now().date(), GigFilter(text="wordpress 4%_2"), rare_tags={"wordpress", "4%_2"})
        sql = query.limit(5).compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
        plan = "\n".join((await session.execute(text(f"EXPLAIN {sql}"))).scalars())
        for index in ("ix_gig_title_trgm", "ix_gig_description_trgm", "pk_gig"):  # OR-ed in one bitmap
            assert f"Bitmap Index Scan on {index}" in plan, plan
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="number 24242"), 1, 5)
        assert total == 1 and [g.title for g in gigs] == ["Gig number 24242"]
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="PHP"), 1, 5)
        assert total == COUNT_LIMIT + 1 and len(gigs) == 5  # the common tag: counted up to the limit, a full page
        gigs, total = await search_gigs(session, 1, app.clock.now().date(), GigFilter(text="wordpress php"), 1, 5)
        assert total == 1 and gigs[0].id == 1
