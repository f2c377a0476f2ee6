"""An admin's review decision: approve (publish a held gig, or show a hidden one again) or reject (with a reason).

A decision is one conditional UPDATE on the gig, where it still waits in the state the deciding admin read: two
admins pressing at once, or two replicas, decide once, and the second hears who decided first. Everything that
follows (reposts, edits of every posting and review card, the poster's DM) is written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.core.types import Rich
from bot.services import postings, review
from bot.services.closing import notify, tell_everyone
from bot.services.gigs import HELD, OPEN, REJECTED
from bot.services.identities import described
from bot.store.models import Community, Gig, Member

WAITING = or_(Gig.status == HELD, and_(Gig.status == OPEN, Gig.hidden_at.is_not(None)))


@dataclass(frozen=True)
class Decided:
    """What a decision did: channels the gig was reposted to, postings edited, applicants told, cards edited."""

    was_hidden: bool
    published: list[tuple[str, str]] = field(default_factory=list)
    refreshed: int = 0
    told: int = 0
    cards: int = 0


async def not_waiting(session: AsyncSession, gig: Gig) -> UserError:
    """Why a gig cannot be decided: someone already approved or rejected it (and who), or it never waited."""
    reviewer = await session.get(Member, gig.reviewed_by_id) if gig.reviewed_by_id else None
    name = Rich.of(described(reviewer)) if reviewer is not None else ""
    if gig.status == REJECTED:
        return UserError("queue.already_rejected", id=gig.id, name=name) if name else \
            UserError("queue.not_waiting", id=gig.id)
    if gig.status == OPEN and name and gig.reviewed_at is not None:
        return UserError("queue.already_approved", id=gig.id, name=name)
    return UserError("queue.not_waiting", id=gig.id)


async def _decide(session: AsyncSession, gig: Gig, values: dict[str, Any]) -> bool:
    """Apply the decision where the gig still waits as it was read; False if another decision came first."""
    changed = await session.execute(update(Gig).where(Gig.id == gig.id, Gig.status == gig.status, WAITING)
                                    .values(**values).execution_options(synchronize_session=False))
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(gig)
        return False
    for name, value in values.items():
        set_committed_value(gig, name, value)
    return True


async def approve(session: AsyncSession, community: Community, gig: Gig, admin: Member, clock: Clock) -> Decided:
    """Publish a held gig, or clear a hidden one's hold and show it again; the poster hears it is live."""
    if not review.waiting(gig):
        raise await not_waiting(session, gig)
    was_hidden = gig.status == OPEN
    now = clock.now()
    if not await _decide(session, gig, {"status": OPEN, "hidden_at": None, "reviewed_by_id": admin.id,
                                        "reviewed_at": now, "review_note": None}):
        raise await not_waiting(session, gig)
    published: list[tuple[str, str]] = []
    refreshed = 0
    if was_hidden:
        refreshed = await postings.refresh(session, community, gig, clock)
    else:
        published = await postings.publish(session, community, gig, clock)
    cards = await review.show(session, community, gig, clock)
    if gig.poster_id != admin.id:
        await notify(session, community, gig.poster, "queue.dm_restored" if was_hidden else "queue.dm_approved",
                     clock, id=gig.id, title=gig.title)
    return Decided(was_hidden, published, refreshed, cards=cards)


async def reject(session: AsyncSession, community: Community, gig: Gig, admin: Member, reason: str,
                 clock: Clock) -> Decided:
    """Reject a held gig, or take a hidden one down (its postings say so, its applicants hear it closed)."""
    if not review.waiting(gig):
        raise await not_waiting(session, gig)
    was_hidden = gig.status == OPEN
    now: datetime = clock.now()
    values: dict[str, Any] = {"status": REJECTED, "reviewed_by_id": admin.id, "reviewed_at": now,
                              "review_note": reason}
    if was_hidden:
        values["closed_at"] = now
    if not await _decide(session, gig, values):
        raise await not_waiting(session, gig)
    refreshed = told = 0
    if was_hidden:
        refreshed, told = await tell_everyone(session, community, gig, clock)
    cards = await review.show(session, community, gig, clock)
    if gig.poster_id != admin.id:
        await notify(session, community, gig.poster, "queue.dm_taken_down" if was_hidden else "queue.dm_rejected",
                     clock, id=gig.id, title=gig.title, reason=reason)
    return Decided(was_hidden, refreshed=refreshed, told=told, cards=cards)
