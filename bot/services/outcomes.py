"""What members report about a gig's outcome, told to its poster, whose record of it wins."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.buttons import button_id
from bot.core.clock import Clock
from bot.core.types import Button, Card, MemberRef, Message
from bot.services import outbox
from bot.services.gigs import is_open
from bot.services.members import translator_for
from bot.store.models import Community, Gig, Member


async def tell_poster_of_hire(session: AsyncSession, community: Community, gig: Gig, member: Member, clock: Clock,
                              today: date) -> bool:
    """DM an open gig's poster that a member (the identity that said so) was hired, with a Close button; if sent."""
    if not is_open(gig, today):
        return False
    poster = gig.poster
    t = translator_for(poster, community)
    name = MemberRef(member.platform, member.platform_user_id, member.display_name)
    values = {"name": name, "id": gig.id, "title": gig.title}
    card = Card(t("status.hired_poster_title", **values), t("status.hired_poster_body", **values), buttons=(
        Button(t.label("nudge.button_close"), button_id("close", gig.id), "primary"),
        Button(t.label("nudge.button_applicants"), button_id("applicants", gig.id))))
    return await outbox.enqueue_dm(session, poster, Message(cards=(card,)), clock) is not None
