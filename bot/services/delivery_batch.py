"""Delivering many channels at once: one claim, one pacing statement and one settle per batch, not per message.

Why: claiming, reading, pacing and settling each message on its own cost two commits and about eight statements
per message, and a fan-out of one gig to a thousand DMs spent its time there rather than on the platform's limits.
Only the head (oldest open row) of each channel is ever claimed, so per-channel order holds as in `Delivery`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.delivery import OutboxKind, OutboxState, Outgoing, Sent
from bot.services import outbox
from bot.services.delivery import LEASE, Delivery, _claimable
from bot.services.pacing import GLOBAL, HEADROOM
from bot.store.models import DeliveryPause, Member, OutboxMessage, Posting


@dataclass(frozen=True)
class Claimed:
    """A claimed row ready to send: what to send, how long to wait for its slot, and what settling it touches."""

    outgoing: Outgoing
    wait: float
    claimed_at: datetime
    posting_id: int | None
    member_id: int | None
    dm_channel: str | None


@dataclass(frozen=True)
class Delivered:
    """A sent message waiting to be settled."""

    claimed: Claimed
    sent: Sent
    at: datetime


async def claim(delivery: Delivery, limit: int) -> list[Claimed]:
    """Claim the due heads of up to `limit` channels in one transaction, and reserve their pacing in one statement."""
    now = delivery.clock.now()
    async with delivery.sessions() as session:
        delivery.pausing = False
        if await session.get(DeliveryPause, delivery.platform) is not None:
            if await delivery._paused(session):
                return []
            limit = 1  # the probe of a paused platform: one message
        ids = (await session.execute(
            select(OutboxMessage.id).where(OutboxMessage.platform == delivery.platform, _claimable(now))
            .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True, of=OutboxMessage)
        )).scalars().all()
        if not ids:
            await session.rollback()
            return []
        rows = list((await session.scalars(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids), _claimable(now))
            .values(state=OutboxState.SENDING, claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage), execution_options={"synchronize_session": False})).all())
        refs = await _posting_refs(session, rows)
        dm_channels = await _dm_channels(session, rows)
        ready = await _ready(delivery, session, rows, refs)
        waits = await _reserve(delivery, session, ready, dm_channels)
        await session.commit()
    return [Claimed(Outgoing(row.id, row.kind, row.destination, outbox.from_payload(row.payload),
                             refs.get(row.posting_id) if row.posting_id else None, dm_channels.get(row.member_id),
                             check_first=not delivery.policy.resend_is_recognised(row.unknown_since, now)),
                    waits[row.id], now, row.posting_id if row.kind == OutboxKind.POST else None,
                    row.member_id if row.kind == OutboxKind.DM else None, dm_channels.get(row.member_id))
            for row in ready]


async def _posting_refs(session: AsyncSession, rows: list[OutboxMessage]) -> dict[int, str | None]:
    wanted = {row.posting_id for row in rows if row.posting_id}
    if not wanted:
        return {}
    found = await session.execute(select(Posting.id, Posting.message_ref).where(Posting.id.in_(wanted)))
    return {posting_id: ref for posting_id, ref in found.all()}


async def _dm_channels(session: AsyncSession, rows: list[OutboxMessage]) -> dict[int | None, str | None]:
    wanted = {row.member_id for row in rows if row.kind == OutboxKind.DM and row.member_id}
    if not wanted:
        return {}
    found = await session.execute(select(Member.id, Member.dm_channel).where(Member.id.in_(wanted)))
    return {member_id: channel for member_id, channel in found.all()}


async def _ready(delivery: Delivery, session: AsyncSession, rows: list[OutboxMessage],
                 refs: dict[int, str | None]) -> list[OutboxMessage]:
    """The rows to send now; an edit before its posting waits, and an edit with a newer one is superseded."""
    edits = [row for row in rows if row.kind == OutboxKind.EDIT]
    newest: dict[int | None, int] = {}
    if edits:
        found = await session.execute(
            select(OutboxMessage.posting_id, func.max(OutboxMessage.id))
            .where(OutboxMessage.posting_id.in_({row.posting_id for row in edits}),
                   OutboxMessage.kind == OutboxKind.EDIT, OutboxMessage.state == OutboxState.PENDING)
            .group_by(OutboxMessage.posting_id))
        newest = {posting_id: newest_id for posting_id, newest_id in found.all()}
    ready = []
    for row in rows:
        if row.kind != OutboxKind.EDIT:
            ready.append(row)
        elif row.posting_id is None or refs.get(row.posting_id) is None:
            await delivery._edit_without_posting(session, row)
        elif newest.get(row.posting_id, 0) > row.id:
            row.state, row.claimed_until = OutboxState.SUPERSEDED, None  # the later edit carries the newer state
        else:
            ready.append(row)
    return ready


async def _reserve(delivery: Delivery, session: AsyncSession, rows: list[OutboxMessage],
                   dm_channels: dict[int | None, str | None]) -> dict[int, float]:
    """Each row's wait: its channel's turn and its slots of the platform's budget, reserved in one statement."""
    limits = delivery.limits
    spans: dict[str, float] = {}
    if limits.per_channel > 0:
        spans.update({row.destination: limits.per_channel for row in rows if row.kind != OutboxKind.EDIT})
    costs = [2 if row.kind == OutboxKind.DM and dm_channels.get(row.member_id) is None else 1 for row in rows]
    interval = limits.per_request / HEADROOM
    if limits.per_request > 0 and rows:
        spans[GLOBAL] = interval * sum(costs)
    starts = await delivery.pacer.reserve_many(delivery.platform, spans, session) if spans else {}
    waits, used = {}, 0
    for row, cost in zip(rows, costs, strict=True):
        wait = starts.get(row.destination, 0.0) if row.kind != OutboxKind.EDIT else 0.0
        if GLOBAL in starts:
            wait = max(wait, starts[GLOBAL] + used * interval)
            used += cost
        waits[row.id] = wait
    return waits


async def settle(delivery: Delivery, delivered: list[Delivered]) -> None:
    """Mark sent messages sent, keep their references, and end a pause one of them probed: three statements."""
    if not delivered:
        return
    async with delivery.sessions() as session:
        await session.execute(update(OutboxMessage), [
            {"id": d.claimed.outgoing.id, "state": OutboxState.SENT, "sent_at": d.at, "claimed_until": None,
             "last_error": None} for d in delivered])
        refs = [{"id": d.claimed.posting_id, "message_ref": d.sent.ref} for d in delivered if d.claimed.posting_id]
        if refs:
            await session.execute(update(Posting), refs)
        channels = [{"id": d.claimed.member_id, "dm_channel": d.sent.dm_channel} for d in delivered
                    if d.claimed.member_id and d.sent.dm_channel and d.sent.dm_channel != d.claimed.dm_channel]
        if channels:
            await session.execute(update(Member), channels)
        # a message claimed after the platform was paused was its probe: it worked, so the pause ends
        latest = max(d.claimed.claimed_at for d in delivered)
        await session.execute(delete(DeliveryPause).where(DeliveryPause.platform == delivery.platform,
                                                          DeliveryPause.since < latest))
        await session.commit()


async def fail(delivery: Delivery, claimed: Claimed, error: Exception) -> None:
    """Settle one failed send by its class, as `Delivery` does (failures are few: one transaction each)."""
    async with delivery.sessions() as session:
        row = await session.get(OutboxMessage, claimed.outgoing.id)
        assert row is not None
        member = await session.get(Member, claimed.member_id) if claimed.member_id else None
        await delivery._settle_failure(session, row, member, error)
