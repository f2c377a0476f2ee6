"""The outbox: messages written in the same transaction as their cause, delivered later by a platform sender."""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.clock import Clock
from bot.core.text import from_json, to_json
from bot.core.types import Attachment, Button, Card, Field, Message
from bot.store.events import OUTBOX, note_written
from bot.store.models import Member, OutboxMessage, Posting

log = logging.getLogger(__name__)

POST, EDIT, DM = "post", "edit", "dm"
PENDING, SENDING, SENT, FAILED, SUPERSEDED = "pending", "sending", "sent", "failed", "superseded"
MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=2)


class PermanentFailure(Exception):
    """The platform refused for good (closed DMs, deleted channel): do not retry."""


class RetryLater(Exception):
    """The platform asked to wait (rate limit) or failed for now."""

    def __init__(self, reason: str, after: float = 0.0) -> None:
        super().__init__(reason)
        self.after = after


@dataclass(frozen=True)
class Outgoing:
    """What a sender receives: where, what kind, the message, and for edits the message to replace."""

    id: int
    kind: str
    destination: str
    message: Message
    message_ref: str | None = None
    dm_channel: str | None = None  # for a DM: the channel opened with the member before, if any


@dataclass(frozen=True)
class Sent:
    """What a delivered message became: its platform reference and, for a DM, the channel it went to."""

    ref: str | None = None
    dm_channel: str | None = None


Sender = Callable[[Outgoing], Awaitable[Sent]]
PAYLOAD_VERSION = 2  # 2: texts hold typed parts; before, plain strings held (neutralised) user text


def to_payload(message: Message) -> dict[str, Any]:
    """A message as JSON for the outbox table (built by hand: dataclasses.asdict is slow on the nudge tick's path)."""
    payload: dict[str, Any] = {"v": PAYLOAD_VERSION, "text": to_json(message.text), "cards": [
        {"title": to_json(card.title), "body": to_json(card.body), "footer": to_json(card.footer),
         "fields": [{"label": to_json(f.label), "value": to_json(f.value)} for f in card.fields],
         "buttons": [{"label": b.label, "id": b.id, "style": b.style} for b in card.buttons]}
        for card in message.cards]}
    if message.attachments:
        payload["files"] = [{"name": a.filename, "type": a.content_type, "data": base64.b64encode(a.data).decode()}
                            for a in message.attachments]
    if message.edits is not None:
        payload["edits"] = message.edits
    return payload


def from_payload(payload: dict[str, Any]) -> Message:
    """The message stored by to_payload (older rows: their strings read as user text)."""
    legacy = payload.get("v", 1) < PAYLOAD_VERSION
    cards = tuple(
        Card(title=from_json(c["title"], legacy), body=from_json(c["body"], legacy),
             footer=from_json(c["footer"], legacy),
             fields=tuple(Field(from_json(f["label"], legacy), from_json(f["value"], legacy)) for f in c["fields"]),
             buttons=tuple(Button(**b) for b in c["buttons"]))
        for c in payload.get("cards", [])
    )
    files = tuple(Attachment(f["name"], base64.b64decode(f["data"]), f["type"]) for f in payload.get("files", []))
    return Message(text=from_json(payload.get("text", ""), legacy), cards=cards, attachments=files,
                   edits=payload.get("edits"))


def outbox_row(community_id: int, platform: str, kind: str, destination: str, message: Message, now: datetime,
               member_id: int | None = None, posting_id: int | None = None) -> dict[str, Any]:
    """The one way to build an outbox row (a dict, so the nudge tick can insert thousands in one statement).

    A message that edits a posting goes as an edit of that posting, whatever `kind` says.
    """
    if message.edits is not None:
        kind, posting_id = EDIT, message.edits
    return {"community_id": community_id, "platform": platform, "kind": kind, "destination": destination,
            "member_id": member_id, "posting_id": posting_id, "payload": to_payload(message), "state": PENDING,
            "attempts": 0, "next_attempt_at": now, "created_at": now}


def enqueue(session: AsyncSession, community_id: int, platform: str, kind: str, destination: str, message: Message,
            clock: Clock, posting_id: int | None = None, member_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    row = OutboxMessage(**outbox_row(community_id, platform, kind, destination, message, clock.now(),
                                     member_id=member_id, posting_id=posting_id))
    session.add(row)
    note_written(session, OUTBOX)
    return row


def enqueue_dm(session: AsyncSession, member: Member, message: Message, clock: Clock) -> OutboxMessage | None:
    """A DM to a member, unless their DMs are known to be closed."""
    if member.dm_undeliverable:
        return None
    return enqueue(session, member.community_id, member.platform, DM, member.platform_user_id, message, clock,
                   member_id=member.id)


async def deliver_due(sessions: async_sessionmaker[AsyncSession], platform: str, send: Sender, clock: Clock,
                      batch: int = 50, stop: asyncio.Event | None = None) -> int:
    """Deliver this platform's due messages in order, until `stop` is set; return how many were sent."""
    sent = 0
    async with sessions() as session:
        now = clock.now()
        rows = (await session.execute(
            select(OutboxMessage.id).where(
                OutboxMessage.platform == platform, OutboxMessage.next_attempt_at <= now,
                (OutboxMessage.state == PENDING)
                | ((OutboxMessage.state == SENDING) & (OutboxMessage.claimed_until < now)),
            ).order_by(OutboxMessage.id).limit(batch)
        )).scalars().all()
    for row_id in rows:
        if stop is not None and stop.is_set():
            break
        sent += await _deliver_one(sessions, row_id, send, clock)
    return sent


async def _deliver_one(sessions: async_sessionmaker[AsyncSession], row_id: int, send: Sender, clock: Clock) -> int:
    async with sessions() as session:
        now = clock.now()
        claimed = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id,
                   (OutboxMessage.state == PENDING)
                   | ((OutboxMessage.state == SENDING) & (OutboxMessage.claimed_until < now)))
            .values(state=SENDING, claimed_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
        )
        await session.commit()
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return 0  # another sender has it
        row = await session.get(OutboxMessage, row_id)
        assert row is not None
        posting = await session.get(Posting, row.posting_id) if row.posting_id else None
        if row.kind == EDIT and (posting is None or posting.message_ref is None):
            row.state, row.last_error = FAILED, "the posting was never delivered"
            await session.commit()
            return 0
        if row.kind == EDIT and await _newer_edit(session, row):
            row.state = SUPERSEDED  # a later edit of the same posting carries the newer state: one API call, not two
            await session.commit()
            return 0
        member = await session.get(Member, row.member_id) if row.kind == DM and row.member_id else None
        outgoing = Outgoing(row.id, row.kind, row.destination, from_payload(row.payload),
                            posting.message_ref if posting else None, member.dm_channel if member else None)
        try:
            sent = await send(outgoing)
        except PermanentFailure as failure:
            await _give_up(session, row, str(failure))
            return 0
        except Exception as error:  # transient: try again later, then give up
            after = error.after if isinstance(error, RetryLater) else 2 ** row.attempts
            log.warning("delivery of outbox message %s failed (%s); retrying in %ss", row.id, error, after)
            if row.attempts >= MAX_ATTEMPTS:
                await _give_up(session, row, repr(error))
                return 0
            row.state, row.last_error = PENDING, repr(error)
            row.next_attempt_at = clock.now() + timedelta(seconds=after)
            await session.commit()
            return 0
        row.state, row.sent_at, row.claimed_until = SENT, clock.now(), None
        if row.kind == POST and posting is not None:
            posting.message_ref = sent.ref
        if member is not None and sent.dm_channel:
            member.dm_channel = sent.dm_channel
        await session.commit()
        return 1


async def _newer_edit(session: AsyncSession, row: OutboxMessage) -> bool:
    query = select(OutboxMessage.id).where(OutboxMessage.posting_id == row.posting_id, OutboxMessage.kind == EDIT,
                                           OutboxMessage.state == PENDING, OutboxMessage.id > row.id).limit(1)
    return (await session.execute(query)).first() is not None


async def _give_up(session: AsyncSession, row: OutboxMessage, reason: str) -> None:
    row.state, row.last_error = FAILED, reason
    if row.kind == DM and row.member_id is not None:
        member = await session.get(Member, row.member_id)
        if member is not None:
            member.dm_undeliverable = True
    log.warning("outbox message %s failed for good: %s", row.id, reason)
    await session.commit()
