"""Delivering the outbox: in order per channel, channels side by side, failures handled by their class.

A row is claimed only while it is the oldest open row of its channel (its destination), so a channel's messages
keep their order across replicas; a failing or slow channel holds only itself. The claim is a conditional UPDATE
with a lease: whichever process changes the row's state owns it, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.core.clock import Clock
from bot.core.delivery import (
    OPEN_STATES,
    ChannelRefused,
    NotAuthorized,
    OutboxKind,
    OutboxState,
    Outgoing,
    PayloadRejected,
    PlatformFailing,
    RecipientRefused,
    RetryPolicy,
    Sender,
)
from bot.services import delivery_notices, outbox
from bot.services.pacing import GLOBAL, HEADROOM, NO_LIMITS, Limits, Pacer, Sleep
from bot.store.models import DeliveryPause, Member, OutboxMessage, Posting, Workspace

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
PROBE_EVERY = timedelta(minutes=10)  # a paused platform is tried again this often, with one message


class Outcome(enum.Enum):
    """What one attempt did to its channel's queue."""

    SENT = "sent"  # delivered: go on with the channel's next message
    DONE = "done"  # settled without sending (failed, superseded): go on
    HELD = "held"  # waiting (a retry later, a pause, or another process has it): leave the channel
    NONE = "none"  # the channel has nothing due


_Earlier = aliased(OutboxMessage)


def _claimable(now: datetime) -> ColumnElement[bool]:
    """Open, due, and the oldest open row of its channel."""
    return ((OutboxMessage.state == OutboxState.PENDING) & (OutboxMessage.next_attempt_at <= now)
            | (OutboxMessage.state == OutboxState.SENDING) & (OutboxMessage.claimed_until < now)) & ~exists().where(
        _Earlier.platform == OutboxMessage.platform, _Earlier.destination == OutboxMessage.destination,
        _Earlier.id < OutboxMessage.id, _Earlier.state.in_(OPEN_STATES))


@dataclass
class Delivery:
    """One platform's delivery: the sender, the policy, the pacing and who to tell when it is our fault."""

    sessions: async_sessionmaker[AsyncSession]
    platform: str
    send: Sender
    clock: Clock
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limits: Limits = NO_LIMITS
    admins: frozenset[tuple[str, str]] = frozenset()
    sleep: Sleep = asyncio.sleep
    rand: Callable[[], float] = random.random

    def __post_init__(self) -> None:
        self.pacer = Pacer(self.sessions, self.clock, self.sleep)
        self.pausing = False  # this process just paused the platform: stop the pass

    async def deliver_due(self, batch: int = 50, stop: asyncio.Event | None = None) -> int:
        """Deliver due messages one at a time in id order (tests, the console); return how many were sent."""
        sent, progressed = 0, True
        while progressed and (stop is None or not stop.is_set()):
            async with self.sessions() as session:
                self.pausing = False
                if await self._paused(session):
                    return sent
                rows = (await session.execute(select(OutboxMessage.id).where(
                    OutboxMessage.platform == self.platform, _claimable(self.clock.now()))
                    .order_by(OutboxMessage.id).limit(batch))).scalars().all()
            progressed = False
            for row_id in rows:
                if (stop is not None and stop.is_set()) or self.pausing:
                    return sent
                outcome = await self.deliver_one(row_id)
                sent += outcome is Outcome.SENT
                progressed = progressed or outcome is not Outcome.HELD  # settled rows let the next ones through
        return sent

    async def next_due(self) -> timedelta | None:
        """How long until a waiting message of this platform falls due (None: nothing waits)."""
        async with self.sessions() as session:
            due = (await session.execute(select(func.min(OutboxMessage.next_attempt_at)).where(
                OutboxMessage.platform == self.platform, OutboxMessage.state == OutboxState.PENDING))).scalar()
            pause = await session.get(DeliveryPause, self.platform)
        if due is None:
            return None
        if pause is not None:
            due = max(due, pause.retry_at)
        return due - self.clock.now()

    async def deliver_one(self, row_id: int | None = None, destination: str | None = None) -> Outcome:
        """Claim one row (or the due head of a channel) and try to send it; settle the row by the outcome."""
        async with self.sessions() as session:
            now = self.clock.now()
            if row_id is None:
                row_id = (await session.execute(select(OutboxMessage.id).where(
                    OutboxMessage.platform == self.platform, OutboxMessage.destination == destination,
                    _claimable(now)).order_by(OutboxMessage.id).limit(1))).scalar()
                if row_id is None:
                    await session.rollback()
                    return Outcome.NONE
            claimed = await session.execute(
                update(OutboxMessage).where(OutboxMessage.id == row_id, _claimable(now))
                .values(state=OutboxState.SENDING, claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
                .execution_options(synchronize_session=False))
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return Outcome.HELD  # another sender has it, or an earlier message of its channel is still open
            row = await session.get(OutboxMessage, row_id)
            assert row is not None
            posting = await session.get(Posting, row.posting_id) if row.posting_id else None
            if row.kind == OutboxKind.EDIT:
                if posting is None or posting.message_ref is None:
                    outcome = await self._edit_without_posting(session, row)
                    await session.commit()
                    return outcome
                if await _newer_edit(session, row):
                    row.state = OutboxState.SUPERSEDED  # a later edit carries the newer state: one call, not two
                    await session.commit()
                    return Outcome.DONE
            member = await session.get(Member, row.member_id) if row.kind == OutboxKind.DM and row.member_id else None
            outgoing = Outgoing(row.id, row.kind, row.destination, outbox.from_payload(row.payload),
                                posting.message_ref if posting else None, member.dm_channel if member else None,
                                check_first=not self.policy.resend_is_recognised(row.unknown_since, now))
            wait = await self._reserve(session, row, member)
            await session.commit()  # the claim and the pace in one commit; no connection held while waiting
            if wait > 0:
                await self.sleep(wait)
            try:
                sent = await self.send(outgoing)
            except Exception as error:  # noqa: BLE001 - every failure is settled by its class below
                return await self._settle_failure(session, row, member, error)
            row.state, row.sent_at, row.claimed_until = OutboxState.SENT, self.clock.now(), None
            row.last_error = None
            if row.kind == OutboxKind.POST and posting is not None:
                posting.message_ref = sent.ref
            if member is not None and sent.dm_channel:
                member.dm_channel = sent.dm_channel
            # a message claimed after the platform was paused was its probe: it worked, so the pause ends
            await session.execute(delete(DeliveryPause).where(DeliveryPause.platform == self.platform,
                                                              DeliveryPause.since < now))
            await session.commit()
            return Outcome.SENT

    async def _reserve(self, session: AsyncSession, row: OutboxMessage, member: Member | None) -> float:
        """Reserve the channel's turn and the platform's request budget, as every replica sees them; return the wait."""
        wait = 0.0
        if self.limits.per_channel > 0 and row.kind != OutboxKind.EDIT:
            wait = await self.pacer.reserve(self.platform, row.destination, self.limits.per_channel, session=session)
        if self.limits.per_request > 0:
            cost = 2 if row.kind == OutboxKind.DM and (member is None or member.dm_channel is None) else 1
            wait = max(wait, await self.pacer.reserve(self.platform, GLOBAL, self.limits.per_request / HEADROOM, cost,
                                                      session=session))
        return wait

    async def _settle_failure(self, session: AsyncSession, row: OutboxMessage, member: Member | None,
                              error: Exception) -> Outcome:
        reason = f"{type(error).__name__}: {error}"[:500]
        row.last_error, row.claimed_until = reason, None
        if isinstance(error, RecipientRefused) and row.kind == OutboxKind.DM:
            row.state = OutboxState.FAILED
            if member is not None:
                member.dm_undeliverable = True  # the member's own choice or account: never retried
            log.info("outbox message %s: the recipient refused (%s)", row.id, reason)
        elif isinstance(error, RecipientRefused | ChannelRefused | PayloadRejected):
            row.state = OutboxState.FAILED
            problem = "payload" if isinstance(error, PayloadRejected) else "channel"
            log.error("outbox message %s to %s failed for good: %s", row.id, row.destination, reason)
            await delivery_notices.tell_admins(session, self.pacer, self.admins, row.community_id, self.platform,
                                               problem, f"delivery.{problem}_failed", self.clock, id=str(row.id),
                                               destination=outbox.destination_ref(
                                                   self.platform, row.kind, row.destination,
                                                   member.display_name if member else ""),
                                               error=str(error)[:200])
        elif isinstance(error, NotAuthorized):
            row.state, row.attempts = OutboxState.PENDING, row.attempts - 1  # held, not the row's fault
            await self._pause(session, row, str(error))
        else:
            await self._retry_later(row, error)
        await session.commit()
        return Outcome.DONE if row.state == OutboxState.FAILED else Outcome.HELD

    async def _retry_later(self, row: OutboxMessage, error: Exception) -> None:
        now = self.clock.now()
        if self.policy.gave_up(row.created_at, now):
            row.state = OutboxState.DEAD
            log.error("outbox message %s: %s still failing after %s; dead", row.id, self.platform, self.policy.horizon)
            return
        failing = error if isinstance(error, PlatformFailing) else None
        if failing is None:
            log.exception("outbox message %s: unexpected error, retried as a platform failure", row.id,
                          exc_info=error)
        if failing is not None and failing.unknown_outcome and row.unknown_since is None:
            row.unknown_since = now
        wait = self.policy.wait(row.attempts, failing.retry_after if failing else None, self.rand)
        row.state, row.next_attempt_at = OutboxState.PENDING, now + timedelta(seconds=wait)
        log.warning("outbox message %s: %s failing (%s); retrying in %.1fs", row.id, self.platform, error, wait)

    async def _pause(self, session: AsyncSession, row: OutboxMessage, reason: str) -> None:
        now = self.clock.now()
        self.pausing = True
        pause = await session.get(DeliveryPause, self.platform)
        log.error("%s delivery paused: %s", self.platform, reason)
        if pause is not None:
            pause.retry_at, pause.reason = now + PROBE_EVERY, reason
            return
        session.add(DeliveryPause(platform=self.platform, reason=reason, since=now, retry_at=now + PROBE_EVERY))
        await delivery_notices.tell_admins(session, self.pacer, self.admins, row.community_id, self.platform,
                                           "paused", "delivery.paused", self.clock, other_platforms_only=True,
                                           error=reason[:200])

    async def _paused(self, session: AsyncSession) -> bool:
        """Whether this platform is paused; once its probe time comes, let one process try one message."""
        pause = await session.get(DeliveryPause, self.platform)
        if pause is None:
            return False
        now = self.clock.now()
        probe = await session.execute(update(DeliveryPause).where(
            DeliveryPause.platform == self.platform, DeliveryPause.retry_at <= now).values(retry_at=now + PROBE_EVERY))
        await session.commit()
        return probe.rowcount != 1  # type: ignore[attr-defined]

    async def _edit_without_posting(self, session: AsyncSession, row: OutboxMessage) -> Outcome:
        """An edit waits for its posting to be delivered, unless the posting failed for good (the caller commits)."""
        post_state = (await session.execute(select(OutboxMessage.state).where(
            OutboxMessage.posting_id == row.posting_id, OutboxMessage.kind == OutboxKind.POST)
            .order_by(OutboxMessage.id.desc()).limit(1))).scalar()
        row.claimed_until = None
        if post_state in (None, OutboxState.FAILED, OutboxState.DROPPED):
            row.state, row.last_error = OutboxState.FAILED, "the posting was never delivered"
            return Outcome.DONE
        row.attempts -= 1
        row.last_error = "waiting for the posting to be delivered"
        await self._retry_later(row, PlatformFailing(row.last_error))
        return Outcome.HELD


async def _newer_edit(session: AsyncSession, row: OutboxMessage) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.posting_id == row.posting_id,
                                           OutboxMessage.kind == OutboxKind.EDIT,
                                           OutboxMessage.state == OutboxState.PENDING, OutboxMessage.id > row.id)
    return (await session.execute(query.limit(1))).first() is not None


async def deliver_due(sessions: async_sessionmaker[AsyncSession], platform: str, send: Sender, clock: Clock,
                      batch: int = 50, stop: asyncio.Event | None = None, **options: object) -> int:
    """Deliver this platform's due messages one at a time, in order; return how many were sent."""
    return await Delivery(sessions, platform, send, clock, **options).deliver_due(batch, stop)  # type: ignore[arg-type]


async def workspace_removed(sessions: async_sessionmaker[AsyncSession], platform: str, external_id: str,
                            destinations: Iterable[str] | None = None) -> int:
    """The app was uninstalled from a workspace (Slack) or removed from a server (Discord): drop its open rows."""
    async with sessions() as session:
        communities = (await session.execute(select(Workspace.community_id).where(
            Workspace.platform == platform, Workspace.external_id == external_id))).scalars().all()
        dropped = await drop_pending(session, platform, communities, destinations) if communities else 0
        await session.commit()
    log.warning("%s workspace %s removed the app: %s pending messages dropped", platform, external_id, dropped)
    return dropped


async def drop_pending(session: AsyncSession, platform: str, community_ids: Iterable[int],
                       destinations: Iterable[str] | None = None) -> int:
    """Drop the open rows of a workspace that uninstalled the app (all its rows, or those to `destinations`)."""
    query = update(OutboxMessage).where(OutboxMessage.platform == platform,
                                        OutboxMessage.community_id.in_(list(community_ids)),
                                        OutboxMessage.state.in_(OPEN_STATES))
    if destinations is not None:
        query = query.where(OutboxMessage.destination.in_(list(destinations)))
    dropped = await session.execute(query.values(state=OutboxState.DROPPED, claimed_until=None,
                                                 last_error="the app was removed from the workspace"))
    return int(dropped.rowcount)  # type: ignore[attr-defined]
