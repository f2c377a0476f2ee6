"""The outbox: messages written in the same transaction as their cause (bot/services/delivery.py sends them)."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import OutboxKind, OutboxState, Outgoing, Sender, Sent
from bot.core.types import Button, Card, Field, Reply
from bot.store.events import OUTBOX, note_written
from bot.store.models import Member, OutboxMessage

log = logging.getLogger(__name__)

POST, EDIT, DM = OutboxKind.POST, OutboxKind.EDIT, OutboxKind.DM
PENDING, SENDING, SENT, FAILED, SUPERSEDED = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT,
                                              OutboxState.FAILED, OutboxState.SUPERSEDED)
__all__ = ["Outgoing", "Sender", "Sent", "enqueue", "enqueue_dm", "from_payload", "to_payload"]


def to_payload(message: Reply) -> dict[str, Any]:
    """A message as JSON for the outbox table (built by hand: dataclasses.asdict is slow on the nudge tick's path)."""
    return {"text": message.text, "cards": [
        {"title": card.title, "body": card.body, "footer": card.footer,
         "fields": [{"label": f.label, "value": f.value} for f in card.fields],
         "buttons": [{"label": b.label, "id": b.id, "style": b.style} for b in card.buttons]}
        for card in message.cards]}


def from_payload(payload: dict[str, Any]) -> Reply:
    """The message stored by to_payload."""
    cards = tuple(
        Card(title=c["title"], body=c["body"], footer=c["footer"],
             fields=tuple(Field(**f) for f in c["fields"]), buttons=tuple(Button(**b) for b in c["buttons"]))
        for c in payload.get("cards", [])
    )
    return Reply(text=payload.get("text", ""), cards=cards, public=True)


def enqueue(session: AsyncSession, community_id: int, platform: str, kind: str, destination: str, message: Reply,
            clock: Clock, posting_id: int | None = None, member_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction."""
    row = OutboxMessage(community_id=community_id, platform=platform, kind=kind, destination=destination,
                        posting_id=posting_id, member_id=member_id, payload=to_payload(message), state=PENDING,
                        attempts=0, next_attempt_at=clock.now(), created_at=clock.now())
    session.add(row)
    note_written(session, OUTBOX)
    return row


def enqueue_dm(session: AsyncSession, member: Member, message: Reply, clock: Clock) -> OutboxMessage | None:
    """A DM to a member, unless their DMs are known to be closed."""
    if member.dm_undeliverable:
        return None
    return enqueue(session, member.community_id, member.platform, DM, member.platform_user_id, message, clock,
                   member_id=member.id)
