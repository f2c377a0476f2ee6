"""What a handler gets: the session, the clock, the community, the acting member and their language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock, local_date
from bot.core.i18n import Translator
from bot.core.types import Actor, Place, Role
from bot.services import audit
from bot.services.members import translator_for
from bot.store.models import Community, Member, Workspace

TEXT, BUTTON, FORM = "text", "button", "form"  # how a command came: Context.via


@dataclass
class Context:
    """One invocation's world; everything a handler writes goes through `session`, committed once.

    `member` is the person the actor is: for an identity linked with `gig link`, the member it is linked to, which
    holds the applications, gigs and settings; `identity` is the actor's own row on this platform.
    """

    session: AsyncSession
    clock: Clock
    settings: Settings
    community: Community
    member: Member
    actor: Actor
    place: Place
    role: Role
    t: Translator
    via: str = "text"  # how the command came: typed text, a button or a submitted form
    workspace: Workspace | None = None  # the place's row; None in a Discord DM, which belongs to no server
    identity: Member = None  # type: ignore[assignment]  # the actor's own platform identity; `member` is the person

    def __post_init__(self) -> None:
        """An identity not given is the member itself (it is linked to no person)."""
        if self.identity is None:
            self.identity = self.member

    def now(self) -> datetime:
        """The injected clock's time."""
        return self.clock.now()

    def today(self) -> date:
        """Today's date in the community's timezone (apply-by dates are read there)."""
        return local_date(self.now(), self.community.timezone)

    def translator_for(self, member: Member) -> Translator:
        """The language a given member reads: theirs, their platform's, else the community's."""
        return translator_for(member, self.community)

    def audit(self, action: str, subject: object = "", **details: Any) -> None:
        """Add an audit entry for the acting member, in this invocation's transaction."""
        audit.write(self.session, self.community.id, self.member.id, self.now(), action, subject, **details)

    @property
    def page_size(self) -> int:
        """Cards a page of a list holds: the configured page size, within what the member's platform shows."""
        return min(self.settings.page_size, self.place.max_cards or self.settings.page_size)

    @property
    def is_admin(self) -> bool:
        """Whether the acting member is an admin."""
        return self.role is Role.ADMIN

