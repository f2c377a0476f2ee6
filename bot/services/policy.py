"""The nudge policy of a community: the defaults, and what admins changed with `gig admin settings`."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import Any

from bot.services.timing import QuietHours, format_duration, parse_duration, parse_quiet_hours
from bot.store.models import Community

DEFAULT_QUIET = "21-9"


@dataclass(frozen=True)
class NudgePolicy:
    """How long after each event a nudge falls due."""

    first_nudge: timedelta = timedelta(days=2)  # after applying, with no status change
    second_nudge: timedelta = timedelta(days=5)  # after following up, with no further change
    news_check: timedelta = timedelta(days=14)  # after the last change: any news?
    no_response: timedelta = timedelta(days=7)  # after asking for news with no answer: mark no_response
    poster_review: timedelta = timedelta(days=7)  # after a gig's first application, if nobody moved on

    @classmethod
    def of(cls, community: Community) -> NudgePolicy:
        """The community's policy: stored durations over the defaults."""
        stored: dict[str, Any] = community.settings.get("nudges", {})
        return replace(cls(), **{name: parse_duration(value, name) for name, value in stored.items()
                                 if name in cls.names()})

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The settings admins can change."""
        return tuple(f.name for f in fields(cls))

    def stored(self) -> dict[str, str]:
        """The policy as community settings."""
        return {name: format_duration(getattr(self, name)) for name in self.names()}


def quiet_hours_for(member_quiet: str | None, community_settings: dict[str, Any]) -> QuietHours | None:
    """The member's quiet hours, else the community's (21-9 unless changed); `off` means none."""
    return parse_quiet_hours(member_quiet or community_settings.get("quiet", DEFAULT_QUIET))


def timezone_for(member_timezone: str | None, community_timezone: str | None) -> str:
    """The member's timezone, else the community's."""
    return member_timezone or community_timezone or "UTC"
