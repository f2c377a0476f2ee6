"""The screening corpus posted through `gig post`: by a member whose first gig was already approved, and by an admin.

Each post goes through dispatch (validation, the duplicate check, screening against the board in the database, the
gate), on a board that holds the corpus's history: its earlier budgets as published gigs, its recent gigs, its
blocked domains. After each post the new gig is retired (rejected, dated 90 days back), so every post meets the board
the corpus describes rather than the posts before it, and the member's own record stays one published gig.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bench.screening import CORPUS, load, run
from bot.core.types import Actor, Place
from bot.services.budget import parse_budget
from bot.services.gigs import CLOSED, HELD, OPEN, REJECTED
from bot.services.screening import Tier
from bot.store.models import Community, Gig, GigTag, Member
from tests.conftest import PLATFORM, Harness

PLACE = Place(PLATFORM, "T1", "general", "general")
LONG_AGO = timedelta(days=60)  # the board's earlier gigs: in the budget history, not "recent"


async def board(bot: Harness, data: dict[str, Any]) -> None:
    """The corpus's board in the database: earlier budgets, recent gigs, its settings, and mia's approved first gig."""
    await bot.poster("mia", trusted=False)
    await bot.ok("owen", "/gig mine")  # the poster of the board's earlier gigs
    now = bot.app.clock.now()
    async with bot.app.sessions() as session:
        community = (await session.execute(select(Community))).scalar_one()
        community.settings = {**community.settings, "screening": data["settings"]}
        owen = (await session.execute(select(Member).where(Member.platform_user_id == "owen"))).scalar_one()
        mia = (await session.execute(select(Member).where(Member.platform_user_id == "mia"))).scalar_one()

        def gig(poster: Member, title: str, budget: str, tags: list[str], description: str = "",
                at: timedelta = LONG_AGO) -> Gig:
            money = parse_budget(budget, "EUR")
            return Gig(community_id=community.id, poster_id=poster.id, title=title, title_key=title.lower(),
                       description=description, budget_min=money.low, budget_max=money.high, currency=money.currency,
                       hourly=money.hourly, remote=True, location="", apply_by=(now - at).date(), status=CLOSED,
                       created_at=now - at, closed_at=now - at, search_text="",
                       tags=[GigTag(tag=tag, position=i) for i, tag in enumerate(tags)])

        for i, past in enumerate(data["history"]["budgets"]):
            session.add(gig(owen, f"Earlier gig {i}", past["budget"], past["tags"]))
        for recent in data["history"]["recent"]:
            session.add(gig(owen, recent["title"], "100 EUR", [], recent["description"], timedelta(days=2)))
        session.add(gig(mia, "Mia's first gig, approved", "80 EUR", ["mia-first"]))  # published: not a first gig
        await session.commit()


async def post_all(bot: Harness, data: dict[str, Any], who: Actor) -> dict[str, Tier]:
    """Every corpus gig posted by `who`: the tier each lands in (refused: nothing stored; held: stored as held)."""
    tiers: dict[str, Tier] = {}
    for raw in data["gigs"]:
        fields = {"title": raw["title"], "budget": raw["budget"], "description": raw["description"],
                  "tags": ",".join(raw["tags"]), "apply_url": raw.get("apply_url", "")}
        before = await gigs(bot)
        reply = await bot.app.dispatcher.submit("post", fields, who, PLACE)
        async with bot.app.sessions() as session:
            if not reply.ok:
                assert await gigs(bot) == before, raw["id"]  # a refusal stores nothing
                assert "I didn't post this gig" in str(reply.text), (raw["id"], str(reply.text))
                tiers[raw["id"]] = Tier.REFUSE
                continue
            gig = (await session.execute(select(Gig).order_by(Gig.id.desc()).limit(1))).scalar_one()
            assert gig.status in (OPEN, HELD), raw["id"]
            tiers[raw["id"]] = Tier.PUBLISH if gig.status == OPEN else Tier(gig.screening["tier"])
            assert gig.screening["holds"] == [], raw["id"]  # who posts never decides here: only what the gig says
            await session.execute(update(Gig).where(Gig.id == gig.id).values(
                status=REJECTED, created_at=bot.app.clock.now() - timedelta(days=90)))
            await session.commit()
    return tiers


async def gigs(bot: Harness) -> int:
    async with bot.app.sessions() as session:
        return int((await session.execute(select(func.count()).select_from(Gig))).scalar_one())


def tally(data: dict[str, Any], tiers: dict[str, Tier]) -> Counter[tuple[str, Tier]]:
    return Counter((raw["label"], tiers[raw["id"]]) for raw in data["gigs"])


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
async def test_the_corpus_through_gig_post_meets_the_goals_for_a_member_and_an_admin(bot: Harness) -> None:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    await board(bot, data)
    legit = sum(raw["label"] == "legit" for raw in data["gigs"])
    scams = len(data["gigs"]) - legit
    assert legit >= 40 and scams >= 40

    member = await post_all(bot, data, Actor(PLATFORM, "mia", "Mia"))
    counts = tally(data, member)
    assert counts[("legit", Tier.REFUSE)] == 0  # no legitimate gig refused
    assert counts[("legit", Tier.HOLD)] * 10 <= legit  # at most 1 in 10 held
    assert counts[("scam", Tier.PUBLISH)] == 0  # every scam held or refused
    engine = {sample.id: result.tier for sample, result in run(load())}
    assert member == engine  # gig post sees the board the engine's bench describes, gig for gig

    admin = await post_all(bot, data, Actor(PLATFORM, "admin", "Admin"))
    assert admin == member  # admins are screened on what the gig says like anyone...
    async with bot.app.sessions() as session:
        retired = (await session.execute(select(func.count()).where(Gig.status == REJECTED))).scalar_one()
    assert retired == 2 * len(data["gigs"]) - counts[("scam", Tier.REFUSE)]  # ...and their gigs are never discarded
