"""The outbox: messages written in the same transaction as their cause (bot/services/delivery.py sends them)."""

from __future__ import annotations

import base64
import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.delivery import OutboxKind, OutboxState, Outgoing, Sender, Sent
from bot.core.text import ChannelRef, MemberRef, from_json, to_json
from bot.core.types import Attachment, Button, Card, Field, Message, Topic
from bot.services import identities
from bot.store.events import OUTBOX, note_written
from bot.store.models import Member, OutboxMessage

log = logging.getLogger(__name__)

POST, EDIT, DM = OutboxKind.POST, OutboxKind.EDIT, OutboxKind.DM
PENDING, SENDING, SENT, FAILED, SUPERSEDED = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.SENT,
                                              OutboxState.FAILED, OutboxState.SUPERSEDED)
__all__ = ["Outgoing", "Sender", "Sent", "destination_ref", "enqueue", "enqueue_dm", "from_payload", "outbox_row",
           "to_payload"]
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
    if message.topic is not None:
        topic = message.topic
        payload["topic"] = {"title": topic.title, "tags": list(topic.tags), "closed": topic.closed,
                            "closed_tag": topic.closed_tag}
        if topic.retitle:
            payload["topic"]["retitle"] = True
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
    topic = payload.get("topic")  # rows from before forum channels have none
    return Message(text=from_json(payload.get("text", ""), legacy), cards=cards, attachments=files,
                   edits=payload.get("edits"), topic=None if topic is None else Topic(
                       topic["title"], tuple(topic.get("tags", ())), bool(topic.get("closed")),
                       topic.get("closed_tag", ""), bool(topic.get("retitle"))))


def destination_ref(platform: str, kind: str, destination: str, name: str = "") -> ChannelRef | MemberRef:
    """Where a row goes, as a reference renderers make clickable: the member for a DM, else the channel."""
    return MemberRef(platform, destination, name) if kind == DM else ChannelRef(platform, destination, name)


def outbox_row(community_id: int, platform: str, kind: str, destination: str, message: Message, now: datetime,
               member_id: int | None = None, posting_id: int | None = None,
               not_before: datetime | None = None) -> dict[str, Any]:
    """The one way to build an outbox row (a dict, so the nudge tick can insert thousands in one statement).

    A message that edits a posting goes as an edit of that posting, whatever `kind` says.
    """
    if message.edits is not None:
        kind, posting_id = EDIT, message.edits
    return {"community_id": community_id, "platform": platform, "kind": kind, "destination": destination,
            "member_id": member_id, "posting_id": posting_id, "payload": to_payload(message), "state": PENDING,
            "attempts": 0, "next_attempt_at": not_before or now, "created_at": now}


def enqueue(session: AsyncSession, community_id: int, platform: str, kind: str, destination: str, message: Message,
            clock: Clock, posting_id: int | None = None, member_id: int | None = None,
            not_before: datetime | None = None) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (sent once `not_before` has come, if given)."""
    row = OutboxMessage(**outbox_row(community_id, platform, kind, destination, message, clock.now(),
                                     member_id=member_id, posting_id=posting_id, not_before=not_before))
    session.add(row)
    note_written(session, OUTBOX)
    return row


async def enqueue_dm(session: AsyncSession, member: Member, message: Message, clock: Clock,
                     not_before: datetime | None = None, to: Member | None = None) -> OutboxMessage | None:
    """A DM to a person, on one platform only, unless their DMs there are known to be closed.

    It goes to the identity `identities.dm_identity` picks (`to`, when the caller picked it in bulk); the row's
    member is that identity, so delivery keeps its DM channel and its closed-DMs mark.
    """
    target = to if to is not None else await identities.dm_identity(session, member)
    if target.dm_undeliverable:
        return None
    return enqueue(session, target.community_id, target.platform, DM, target.platform_user_id, message, clock,
                   member_id=target.id, not_before=not_before)
