"""The audit log: who did what, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEntry


def write(session: AsyncSession, community_id: int, actor_id: int | None, at: datetime, action: str,
          subject: object = "", **details: Any) -> None:
    """Add an audit entry; no actor means the bot itself (expiry, nudges)."""
    session.add(AuditEntry(community_id=community_id, actor_id=actor_id, action=action, subject=str(subject),
                           details=details, at=at))
