"""Telling the admins that delivery needs them, through the outbox of a platform that still works.

The admins are the GIGBOT_ADMINS entries (platform:user id). A token or scope problem pauses one platform, so the
notice goes to the admins on the other platforms only (DMs held in their outboxes until they work); a rejected
payload or a refused channel goes to every admin. Each kind of notice is sent at most once an hour per platform.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.text import Part, Text
from bot.core.types import Message
from bot.services import identities, members, outbox
from bot.services.members import member_by_user_id, translator_for
from bot.services.pacing import Pacer
from bot.store.models import Community

log = logging.getLogger(__name__)

NOTICE_EVERY = timedelta(hours=1)
NOTICES = "notice"  # the pacing platform that spaces notices


async def tell_admins(session: AsyncSession, pacer: Pacer, admins: frozenset[tuple[str, str]], community_id: int,
                      platform: str, problem: str, key: str, clock: Clock, other_platforms_only: bool = False,
                      **fields: Text | Part) -> int:
    """Queue a DM about `platform` to the admins, at most once per NOTICE_EVERY per problem; return how many."""
    recipients = sorted((p, u) for p, u in admins if not (other_platforms_only and p == platform))
    if not recipients:
        log.error("delivery on %s needs an admin (%s) but no admin can be reached", platform, problem)
        return 0
    if not await pacer.try_take(NOTICES, f"{community_id}:{platform}:{problem}", NOTICE_EVERY.total_seconds(),
                                 session):
        return 0
    community = await session.get(Community, community_id)
    if community is None:
        return 0
    queued = 0
    told: set[int] = set()
    for admin_platform, user_id in recipients:
        member = await member_by_user_id(session, community_id, admin_platform, user_id, clock.now())
        if member.id in told:  # one person listed on two platforms hears it once
            continue
        told.add(member.id)
        to = await identities.dm_identity(session, member)
        if other_platforms_only and to.platform == platform:  # their DMs go where delivery is held: use this one
            to = await members.identity_of(session, community_id, admin_platform, user_id) or to
        t = translator_for(member, community)
        if await outbox.enqueue_dm(session, member, Message(t(key, platform=platform, **fields)), clock,
                                   to=to) is not None:
            queued += 1
    return queued
