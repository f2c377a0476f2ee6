"""One-time link codes: `gig admin link` (a place joins a community) and `gig link` (an identity joins a person).

A code is eight letters and digits that cannot be misread (no 0/O, 1/I/L), shown as `ABCD-EFGH`, valid 15 minutes
and once. It is used by a conditional UPDATE in the command's transaction: a command refused after the code was
read rolls back, and the code stays usable.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.errors import UserError
from bot.store.models import LinkCode

PLACE, PERSON = "place", "person"
LIFETIME = timedelta(minutes=15)
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8


def normalise(typed: str) -> str:
    """A code as stored: capitals, without the dash or spaces members may type."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def shown(code: str) -> str:
    """A code as members read it: `ABCD-EFGH`."""
    return f"{code[:4]}-{code[4:]}"


def make(session: AsyncSession, kind: str, community_id: int, member_id: int, now: datetime,
         workspace_id: int | None = None) -> LinkCode:
    """A new code, added to the session (its row is written with the command)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    row = LinkCode(code=code, kind=kind, community_id=community_id, workspace_id=workspace_id, member_id=member_id,
                   created_at=now, expires_at=now + LIFETIME)
    session.add(row)
    return row


async def use(session: AsyncSession, kind: str, typed: str, now: datetime) -> LinkCode:
    """Take a code of this kind once; a code unknown, of the other kind, expired or used is a clear refusal."""
    code = normalise(typed)
    taken = await session.execute(
        update(LinkCode).where(LinkCode.code == code, LinkCode.kind == kind, LinkCode.used_at.is_(None),
                               LinkCode.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    row = (await session.execute(select(LinkCode).where(LinkCode.code == code)
                                 .execution_options(populate_existing=True))).scalar_one_or_none()
    if taken.rowcount == 1 and row is not None:  # type: ignore[attr-defined]
        return row
    if row is None:
        raise UserError("link.code_unknown", code=typed.strip())
    if row.kind != kind:
        raise UserError("link.code_other_kind" if kind == PLACE else "link.code_place_kind", code=shown(code))
    if row.used_at is not None:
        raise UserError("link.code_used", code=shown(code))
    raise UserError("link.code_expired", code=shown(code))
