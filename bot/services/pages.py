"""The queries behind Next page buttons: kept in the database under a short key, for every replica, for a month.

A button id holds at most 100 characters (Discord) and search words can be longer, so the button carries a key
and the page. The key is a hash of the community and the query: the same query keeps one row, whose expiry is
pushed back when it is shown again (at most once a day, so listing does not write every time).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.events import bookkeeping
from bot.store.models import BrowseQuery

KEEP = timedelta(days=30)
RENEW_AFTER = timedelta(days=1)


def query_key(community_id: int, command: str, options: dict[str, Any]) -> str:
    """The key of a query: 16 hex digits of a hash of what it asks."""
    canonical = json.dumps([community_id, command, options], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


async def keep_query(session: AsyncSession, community_id: int, command: str, options: dict[str, Any],
                     now: datetime) -> str:
    """Keep a query for its Next page button (or renew it); return its key."""
    key = query_key(community_id, command, options)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    upsert = insert(BrowseQuery).values(key=key, community_id=community_id, command=command, options=options,
                                        expires_at=now + KEEP)
    with bookkeeping(session):
        kept = await session.execute(upsert.on_conflict_do_update(
            index_elements=[BrowseQuery.key], set_={"expires_at": upsert.excluded.expires_at},
            where=BrowseQuery.expires_at < now + KEEP - RENEW_AFTER))
        if kept.rowcount:  # type: ignore[attr-defined]  # written: a good moment to forget the expired ones
            await session.execute(delete(BrowseQuery).where(BrowseQuery.expires_at <= now))
    return key


async def kept_query(session: AsyncSession, community_id: int, key: str,
                     now: datetime) -> tuple[str, dict[str, Any]] | None:
    """The command and options kept under `key` in this community, unless they expired."""
    row = (await session.execute(select(BrowseQuery).where(BrowseQuery.key == key))).scalar_one_or_none()
    if row is None or row.community_id != community_id or row.expires_at <= now:
        return None
    return row.command, dict(row.options)
