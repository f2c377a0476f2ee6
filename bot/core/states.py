"""The states an application and a nudge pass through, and the kinds of nudge, as the strings stored today."""

from __future__ import annotations

from enum import StrEnum


class ApplicationStatus(StrEnum):
    """Where a member's application stands."""

    APPLIED = "applied"
    FOLLOWED_UP = "followed_up"
    INTERVIEWING = "interviewing"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    NO_RESPONSE = "no_response"


class NudgeKind(StrEnum):
    """What a nudge is for: each kind has one rule in bot.services.nudge_rules."""

    FOLLOW_UP = "follow_up"
    FOLLOW_UP_AGAIN = "follow_up_again"
    NEWS_CHECK = "news_check"
    NO_RESPONSE = "no_response"
    POSTER_REVIEW = "poster_review"


class NudgeState(StrEnum):
    """A nudge row's state: pending until claimed by a tick, then sent, skipped or cancelled; paused while off."""

    PENDING = "pending"
    PAUSED = "paused"  # the member turned the application's reminders off: kept, with its due time, until back on
    CLAIMED = "claimed"
    SENT = "sent"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"
