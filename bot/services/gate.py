"""The posting gate: whether a new gig is published, held for an admin's review, or refused, and why.

Two things decide. *What the gig says*: the screening verdict (bot.services.screening), for everyone, admins and
trusted posters included. *Who posts it*: a poster with no published gig yet is held (first gig), and so is one at
the community's posting limits; trusted posters (an admin's `gig admin trust`, or `trusted_after` published gigs)
and admins skip these. Published means open or closed: a gig still held, or rejected, does not count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Translator
from bot.core.types import Rich
from bot.services import verdicts
from bot.services.gigs import CLOSED, OPEN
from bot.services.screening import Screening, ScreeningSettings, Tier
from bot.store.models import Community, Gig, Member

DAY, WEEK = timedelta(days=1), timedelta(days=7)
FIRST_GIG = "gate.hold.first_gig"  # the stored keys of the holds about who posts (gig.screening["holds"])...
PER_DAY = "gate.hold.per_day"
PER_WEEK = "gate.hold.per_week"
DETAILS = {PER_DAY: "gate.limit_day", PER_WEEK: "gate.limit_week"}  # ...and how the poster reads the limits


@dataclass(frozen=True)
class Hold:
    """A hold about who posts: its stored catalog key, and the numbers the poster's message shows."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    """A poster's published gigs in this community: in all, in the last 24 hours and in the last 7 days."""

    published: int = 0
    last_day: int = 0
    last_week: int = 0


@dataclass(frozen=True)
class Decision:
    """What happens to a gig at `gig post`: the screening verdict, the holds about who posts, and the outcome."""

    verdict: Screening
    holds: tuple[Hold, ...] = ()
    admin: bool = False

    @property
    def tier(self) -> Tier:
        """Refuse or hold from what the gig says, else hold from who posts, else publish."""
        if self.verdict.tier is not Tier.PUBLISH:
            return self.verdict.tier
        return Tier.HOLD if self.holds else Tier.PUBLISH

    @property
    def refused(self) -> bool:
        """Nothing is stored: refused for a member. An admin's gig is never discarded, only held."""
        return self.tier is Tier.REFUSE and not self.admin

    @property
    def held(self) -> bool:
        """Stored as held for review (an admin's refused gig too, so they may publish it anyway)."""
        return self.tier is not Tier.PUBLISH and not self.refused

    def stored(self) -> dict[str, Any]:
        """The verdict as kept in `gig.screening`, with the keys of the holds about who posts."""
        return verdicts.to_json(self.verdict, [hold.key for hold in self.holds])


async def record(session: AsyncSession, community_id: int, person: Member, now: datetime) -> Record:
    """How many gigs the person (and any identity linked to it) has published, in all and recently."""
    identities = select(Member.id).where(or_(Member.id == person.id, Member.linked_to_id == person.id))
    row = (await session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((Gig.created_at >= now - DAY, 1), else_=0)), 0),
        func.coalesce(func.sum(case((Gig.created_at >= now - WEEK, 1), else_=0)), 0),
    ).where(Gig.community_id == community_id, Gig.status.in_((OPEN, CLOSED)), Gig.poster_id.in_(identities)))).one()
    return Record(int(row[0]), int(row[1]), int(row[2]))


def is_trusted(person: Member, identity: Member | None, done: Record, settings: ScreeningSettings) -> bool:
    """Trusted: granted by an admin (on the person or the acting identity), or enough gigs published."""
    return person.trusted or (identity is not None and identity.trusted) or done.published >= settings.trusted_after


def who_holds(done: Record, settings: ScreeningSettings) -> tuple[Hold, ...]:
    """The holds about a poster who is not trusted: a first gig, or a posting limit reached."""
    holds: list[Hold] = []
    if done.published == 0:
        holds.append(Hold(FIRST_GIG))
    if done.last_day >= settings.per_day:
        holds.append(Hold(PER_DAY, {"count": done.last_day, "limit": settings.per_day}))
    if done.last_week >= settings.per_week:
        holds.append(Hold(PER_WEEK, {"count": done.last_week, "limit": settings.per_week}))
    return tuple(holds)


async def decide(session: AsyncSession, community: Community, verdict: Screening, person: Member,
                 identity: Member | None, admin: bool, now: datetime) -> Decision:
    """The gate's decision on a screened draft: admins and trusted posters are judged on what the gig says alone."""
    if admin:
        return Decision(verdict, admin=True)
    settings = ScreeningSettings.of(community.settings)
    done = await record(session, community.id, person, now)
    if is_trusted(person, identity, done, settings):
        return Decision(verdict)
    return Decision(verdict, who_holds(done, settings))


def reasons(t: Translator, verdict: Screening, holds: Sequence[Hold] = ()) -> list[Rich]:
    """Every reason, translated: what the gig says (its findings, when they hold it) and who posts it (each hold).

    Findings of a gig screening would publish (a short description alone) are not why it waits, so they are left out.
    """
    findings = verdict.findings if verdict.tier is not Tier.PUBLISH else ()
    lines = [t(finding.reason_key, **finding.params) for finding in findings]
    lines += [t(DETAILS.get(hold.key, hold.key), **hold.params) for hold in holds]
    return lines


def bullets(lines: Sequence[Rich]) -> Rich:
    """Reasons as a bulleted list, one a line."""
    return Rich.join("\n", [Rich.of("• ", line) for line in lines])
