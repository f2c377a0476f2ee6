"""Dead letters: the outbox messages that failed, died or are delayed, listed for admins and sent again on request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import RETRYABLE_STATES, OutboxKind, OutboxState
from bot.store.events import OUTBOX, note_written
from bot.store.models import DeliveryPause, Member, OutboxMessage

SHOWN = 20


def _needs_attention(community_id: int):  # type: ignore[no-untyped-def]
    """Failed and dead rows, and open rows that have failed at least once (delayed)."""
    return (OutboxMessage.community_id == community_id) & (
        OutboxMessage.state.in_(RETRYABLE_STATES)
        | (OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING)) & (OutboxMessage.attempts > 0)))


@dataclass(frozen=True)
class Letters:
    """What the admins see: the newest rows that need attention, how many in all, and paused platforms."""

    rows: Sequence[OutboxMessage]
    total: int
    pauses: Sequence[DeliveryPause]


async def list_letters(session: AsyncSession, community_id: int, limit: int = SHOWN) -> Letters:
    """The community's failed, dead and delayed messages, newest first."""
    where = _needs_attention(community_id)
    rows = (await session.execute(select(OutboxMessage).where(where).order_by(OutboxMessage.id.desc())
                                  .limit(limit))).scalars().all()
    total = (await session.execute(select(func.count()).select_from(OutboxMessage).where(where))).scalar_one()
    pauses = (await session.execute(select(DeliveryPause).order_by(DeliveryPause.platform))).scalars().all()
    return Letters(rows, int(total), pauses)


async def retry(session: AsyncSession, community_id: int, row_id: int, clock: Clock) -> bool:
    """Send a failed, dead or delayed message again now, with a fresh give-up horizon; False if there is none.

    Retrying a DM an admin knows should go through also clears the member's undeliverable mark, and retrying a
    message of a paused platform probes that platform at once.
    """
    row = (await session.execute(select(OutboxMessage).where(OutboxMessage.id == row_id,
                                                             _needs_attention(community_id)))).scalar_one_or_none()
    if row is None or row.state == OutboxState.SENDING:
        return False
    now = clock.now()
    row.state, row.attempts, row.next_attempt_at, row.claimed_until = OutboxState.PENDING, 0, now, None
    row.created_at, row.unknown_since = now, None  # the horizon counts from the admin's retry
    if row.kind == OutboxKind.DM and row.member_id is not None:
        member = await session.get(Member, row.member_id)
        if member is not None:
            member.dm_undeliverable = False
    await session.execute(delete(DeliveryPause).where(DeliveryPause.platform == row.platform))
    note_written(session, OUTBOX)
    return True
