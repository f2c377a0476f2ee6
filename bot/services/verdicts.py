"""Screening on the board: a gig draft read as screening text, the board's history read for it, the verdict stored.

The engine (bot.services.screening) is pure; this module does its I/O. A verdict is kept on the gig as JSON
(`gig.screening`) so the review card, `gig review` and the poster's reply can show the same reasons later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.gigs import CLOSED, OPEN, GigDraft
from bot.services.screening import (
    Finding,
    GigText,
    History,
    PastBudget,
    RecentGig,
    Screening,
    ScreeningSettings,
    Tier,
    screen,
)
from bot.store.models import Community, Gig, GigTag

BUDGET_HISTORY = 500  # the most earlier gigs read for "pay far above the usual" (newest first)
RECENT = timedelta(days=30)  # "the same text posted recently": gigs of the last 30 days...
RECENT_LIMIT = 200  # ...at most this many, newest first


def gig_text(draft: GigDraft) -> GigText:
    """A validated draft as screening reads it."""
    return GigText(title=draft.title, description=draft.description, tags=tuple(draft.tags),
                   budget_min=draft.budget.low, budget_max=draft.budget.high, currency=draft.budget.currency,
                   hourly=draft.budget.hourly, apply_url=draft.apply_url)


async def history(session: AsyncSession, community_id: int, draft: GigDraft, now: datetime,
                  exclude: int | None = None) -> History:
    """The board's earlier published gigs with the draft's tags, and its recent gigs; `exclude` is the gig edited."""
    live = Gig.status.in_((OPEN, CLOSED))
    budgets: list[PastBudget] = []
    if draft.tags:
        query = (select(Gig).where(Gig.community_id == community_id, live, Gig.id != (exclude or 0),
                                   Gig.id.in_(select(GigTag.gig_id).where(GigTag.tag.in_(draft.tags))))
                 .order_by(Gig.id.desc()).limit(BUDGET_HISTORY))
        budgets = [PastBudget(tuple(gig.tag_names), gig.budget_max, gig.currency, gig.hourly)
                   for gig in (await session.execute(query)).scalars()]
    rows = await session.execute(select(Gig.id, Gig.title, Gig.description)
                                 .where(Gig.community_id == community_id, Gig.created_at >= now - RECENT,
                                        Gig.id != (exclude or 0))
                                 .order_by(Gig.id.desc()).limit(RECENT_LIMIT))
    recent = [RecentGig(id, title, description) for id, title, description in rows.all()]
    return History(budgets, recent)


async def screen_draft(session: AsyncSession, community: Community, draft: GigDraft, now: datetime,
                       exclude: int | None = None) -> Screening:
    """Screen a draft against this community's board and settings."""
    past = await history(session, community.id, draft, now, exclude)
    return screen(gig_text(draft), past, ScreeningSettings.of(community.settings))


def to_json(verdict: Screening, holds: Sequence[str] = ()) -> dict[str, Any]:
    """A verdict as stored in `gig.screening`; `holds` are the catalog keys of holds about who posted."""
    return {"tier": str(verdict.tier), "score": verdict.score, "holds": list(holds),
            "findings": [{"rule": f.rule, "reason": f.reason_key, "params": {k: _param(v) for k, v in f.params.items()}}
                         for f in verdict.findings]}


def findings_of(stored: Mapping[str, Any] | None) -> tuple[Finding, ...]:
    """The findings of a stored verdict, their numbers numbers again."""
    return tuple(Finding(f["rule"], f["reason"], {k: _value(v) for k, v in f.get("params", {}).items()})
                 for f in (stored or {}).get("findings", []))


def deciding(stored: Mapping[str, Any] | None) -> tuple[Finding, ...]:
    """The findings that held or refused a gig: none when what it says would publish (a short description alone)."""
    return findings_of(stored) if tier_of(stored) is not Tier.PUBLISH else ()


def tier_of(stored: Mapping[str, Any] | None) -> Tier:
    """The tier of a stored verdict; a gig never screened was published."""
    return Tier((stored or {}).get("tier", Tier.PUBLISH))


def _param(value: Any) -> Any:
    return {"decimal": str(value)} if isinstance(value, Decimal) else value


def _value(value: Any) -> Any:
    return Decimal(value["decimal"]) if isinstance(value, dict) and "decimal" in value else value
