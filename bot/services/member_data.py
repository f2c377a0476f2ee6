"""`gig my-data`: every row the bot keeps about a person, as one JSON document (pretty, UTF-8, ISO dates).

The rows are read column by column from the models, so a column added later shows up without a change here.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import identities
from bot.store.models import (
    Application,
    ApplicationEvent,
    AuditEntry,
    Base,
    Community,
    Gig,
    GigReport,
    GigRevision,
    LinkCode,
    Member,
    Nudge,
)

FORMAT = 1  # the document's version, in case its shape changes


def row(record: Base, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A row as JSON values, column by column."""
    return {column.key: plain(getattr(record, column.key)) for column in record.__table__.columns
            if column.key not in skip}


def plain(value: Any) -> Any:
    """A column's value as JSON: dates and times in ISO, enums as their strings."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    return value


async def collect(session: AsyncSession, community: Community, person: Member) -> dict[str, Any]:
    """Everything kept about the person and each of their linked identities."""
    members = await identities.all_of(session, person)
    ids = [member.id for member in members]
    applications = (await session.execute(select(Application).where(Application.member_id.in_(ids))
                                          .order_by(Application.id))).scalars().all()
    events = (await session.execute(select(ApplicationEvent).where(
        ApplicationEvent.application_id.in_([a.id for a in applications]))
        .order_by(ApplicationEvent.id))).scalars().all() if applications else []
    gigs = (await session.execute(select(Gig).where(Gig.poster_id.in_(ids)).order_by(Gig.id))).scalars().all()
    revisions = (await session.execute(select(GigRevision).where(or_(
        GigRevision.gig_id.in_([g.id for g in gigs]), GigRevision.editor_id.in_(ids)))
        .order_by(GigRevision.id))).scalars().all()
    reports = (await session.execute(select(GigReport).where(GigReport.member_id.in_(ids))
                                     .order_by(GigReport.id))).scalars().all()
    nudges = (await session.execute(select(Nudge).where(Nudge.member_id.in_(ids)).order_by(Nudge.id))).scalars().all()
    codes = (await session.execute(select(LinkCode).where(LinkCode.member_id.in_(ids))
                                   .order_by(LinkCode.created_at))).scalars().all()
    audit = (await session.execute(select(AuditEntry).where(AuditEntry.actor_id.in_(ids))
                                   .order_by(AuditEntry.id))).scalars().all()
    history: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        history.setdefault(event.application_id, []).append(row(event, ("application_id",)))
    gig_history: dict[int, list[dict[str, Any]]] = {}
    for revision in revisions:
        gig_history.setdefault(revision.gig_id, []).append(row(revision))
    return {
        "format": FORMAT,
        "community": {"id": community.id, "name": community.name},
        "members": [row(member) for member in members],
        "applications": [{**row(a), "gig_title": a.gig.title, "history": history.get(a.id, [])}
                         for a in applications],
        "gigs_posted": [{**row(g), "tags": g.tag_names, "revisions": gig_history.pop(g.id, [])} for g in gigs],
        "edits_of_other_gigs": [item for items in gig_history.values() for item in items],
        "reports_made": [row(report) for report in reports],
        "nudges": [row(nudge) for nudge in nudges],
        "link_codes": [row(code) for code in codes],
        "audit_entries": [row(entry) for entry in audit],
    }


def as_json(document: dict[str, Any]) -> bytes:
    """The document as a file: pretty JSON in UTF-8 (letters as typed, not escaped)."""
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False, default=str) + "\n").encode("utf-8")


def counts(document: dict[str, Any]) -> dict[str, int]:
    """How many rows of each kind the document holds (for the reply)."""
    return {key: len(value) for key, value in document.items() if isinstance(value, list)}
