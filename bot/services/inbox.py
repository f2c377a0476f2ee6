"""The durable inbox: requests acknowledged to a platform are rows first, so a crash after the ack loses none.

A request is written before its ack, already claimed by the process that received it, which runs it; a process
that dies before finishing leaves a row whose lease runs out, and any replica's sweep runs it then (late,
answering through response_url). Claims are conditional updates (PostgreSQL: FOR UPDATE SKIP LOCKED), so each
request runs once while its lease holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.store.replicas import InboxRequest

LEASE = timedelta(minutes=1)
INBOX = cast(Table, InboxRequest.__table__)
KEEP_DONE = timedelta(days=1)
SWEEP_BATCH = 50


@dataclass(frozen=True)
class Request:
    """A claimed request: what came in, and when."""

    id: int
    kind: str
    payload: dict[str, Any]
    response_url: str | None
    received_at: datetime
    attempts: int


async def receive(engine: AsyncEngine, platform: str, kind: str, payload: dict[str, Any], response_url: str | None,
                  now: datetime, worker: str, key: str | None = None, lease: timedelta = LEASE) -> Request | None:
    """Write a request already claimed by its receiver, committed before the caller acks it; None if seen before.

    One statement in autocommit, so the ack waits for a single round trip (a transaction would take three, and on a
    busy event loop each of them waits behind the workers' steps).
    """
    values = {"platform": platform, "kind": kind, "key": key[:128] if key else None, "payload": payload,
              "response_url": response_url, "received_at": now, "attempts": 1, "claimed_by": worker,
              "claimed_until": now + lease}
    async with engine.connect() as connection:
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        try:
            inserted = await connection.execute(insert(INBOX).values(values).returning(INBOX.c.id))
        except IntegrityError:  # the same request again (a platform's retry), received by this or another replica
            return None
        return Request(inserted.scalar_one(), kind, payload, response_url, now, 1)


def _free(now: datetime) -> Any:
    return and_(InboxRequest.done_at.is_(None),
                or_(InboxRequest.claimed_until.is_(None), InboxRequest.claimed_until < now))


async def claim_left(sessions: async_sessionmaker[AsyncSession], platform: str, worker: str, now: datetime,
                     lease: timedelta = LEASE, batch: int = SWEEP_BATCH) -> list[Request]:
    """Claim requests nobody finished: their receiver's lease (or a later claimer's) ran out."""
    async with sessions() as session:
        pick = (select(InboxRequest.id).where(InboxRequest.platform == platform, _free(now))
                .order_by(InboxRequest.id).limit(batch))
        if (await session.connection()).dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        picked = pick.cte("picked")
        claimed = await session.execute(
            update(InboxRequest).where(InboxRequest.id == picked.c.id, _free(now))
            .values(claimed_by=worker, claimed_until=now + lease, attempts=InboxRequest.attempts + 1)
            .returning(InboxRequest.id, InboxRequest.kind, InboxRequest.payload, InboxRequest.response_url,
                       InboxRequest.received_at, InboxRequest.attempts)
            .execution_options(synchronize_session=False))
        rows = claimed.all()
        await session.commit()
    return sorted((Request(*row) for row in rows), key=lambda r: r.id)


async def finish(sessions: async_sessionmaker[AsyncSession], request_id: int, worker: str, now: datetime) -> None:
    """Mark a request done (where this worker still holds it)."""
    async with sessions() as session:
        await session.execute(update(InboxRequest).where(InboxRequest.id == request_id,
                                                         InboxRequest.claimed_by == worker)
                              .values(done_at=now, claimed_until=None))
        await session.commit()


async def prune(session: AsyncSession, now: datetime, keep: timedelta = KEEP_DONE) -> int:
    """Forget requests done more than `keep` ago; return how many."""
    result = await session.execute(delete(InboxRequest).where(InboxRequest.done_at < now - keep))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def request_payload(sessions: async_sessionmaker[AsyncSession], request_id: int) -> Request | None:
    """A request by id, whatever its state (to re-open a form it answered with)."""
    async with sessions() as session:
        row = await session.get(InboxRequest, request_id)
    if row is None:
        return None
    return Request(row.id, row.kind, row.payload, row.response_url, row.received_at, row.attempts)
