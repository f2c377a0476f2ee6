"""The nudge rules, one per kind: when it falls due, what stops it, which message it sends.

Scheduling (bot.services.nudges), the tick (bot.services.nudge_tick) and the messages (bot.services.nudge_messages)
all read this table, and `rule_for` fails for a kind without a rule, so a new NudgeKind cannot be skipped silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from bot.core.states import ApplicationStatus, NudgeKind
from bot.services.policy import NudgePolicy

Status = ApplicationStatus
AWAITING_NEWS = (Status.APPLIED, Status.FOLLOWED_UP, Status.INTERVIEWING)


class Start(StrEnum):
    """What a nudge's delay counts from."""

    STATUS_CHANGE = "status_change"  # the application reaching one of `planned_at`
    FIRST_APPLICATION = "first_application"  # the gig's first application (poster reminders)
    SENT = "sent"  # the nudge of kind `follows` being sent


class Stop(StrEnum):
    """What cancels a pending nudge, or skips it when it falls due."""

    STATUS_CHANGE = "status_change"  # any move of the application (its new status plans afresh)
    STATUS_LEFT = "status_left"  # at send time the application is no longer at one of `sent_at`
    REMINDERS_OFF = "reminders_off"  # the member turned off this application's reminders
    APPLICANT_MOVED_ON = "applicant_moved_on"  # an applicant reached `moved_on` or none is left (poster review)
    GIG_CLOSED = "gig_closed"  # the gig was closed, filled or expired
    MEMBER_UNREACHABLE = "member_unreachable"  # nudges turned off by the member, or their DMs closed


class Shape(StrEnum):
    """How the message is laid out; each shape names the catalog keys it needs."""

    NOTICE = "notice"  # one line: nudge.<kind>
    CHECK = "check"  # a card asking for news: nudge.<kind>_title, nudge.<kind>_body, status buttons
    TEMPLATE = "template"  # a card with why and a message to copy: nudge.<kind>_title/_why/_template
    REVIEW = "review"  # a card for the poster: nudge.<kind>_title, nudge.<kind>_body, applicants/close buttons


SHAPE_KEYS: dict[Shape, tuple[str, ...]] = {
    Shape.NOTICE: ("nudge.{kind}",),
    Shape.CHECK: ("nudge.{kind}_title", "nudge.{kind}_body"),
    Shape.TEMPLATE: ("nudge.{kind}_title", "nudge.{kind}_why", "nudge.{kind}_template", "nudge.copy_hint",
                     "nudge.ago_yesterday", "nudge.ago_couple", "nudge.ago_days"),
    Shape.REVIEW: ("nudge.{kind}_title", "nudge.{kind}_body", "nudge.button_applicants", "nudge.button_close"),
}
ALWAYS = (Stop.GIG_CLOSED, Stop.MEMBER_UNREACHABLE)
FOR_APPLICATIONS = (Stop.STATUS_CHANGE, Stop.STATUS_LEFT, Stop.REMINDERS_OFF, *ALWAYS)


@dataclass(frozen=True)
class NudgeRule:
    """One kind of nudge."""

    kind: NudgeKind
    delay: str  # the NudgePolicy setting (`gig admin settings`) that says how long after `start` it falls due
    start: Start
    stops: tuple[Stop, ...]
    shape: Shape
    planned_at: tuple[ApplicationStatus, ...] = ()  # Start.STATUS_CHANGE: the statuses that plan it
    not_after: tuple[ApplicationStatus, ...] = ()  # ... unless the previous status was one of these
    sent_at: tuple[ApplicationStatus, ...] = ()  # Stop.STATUS_LEFT: the statuses at which it is still sent
    follows: NudgeKind | None = None  # Start.SENT: the kind whose sending plans it
    marks: ApplicationStatus | None = None  # once sent, the application moves to this status
    snoozable: bool = False  # `gig snooze` brings it back

    @property
    def about_application(self) -> bool:
        """An application's nudge (to the applicant), not a gig's (to the poster)."""
        return self.start is not Start.FIRST_APPLICATION

    def due_after(self, policy: NudgePolicy) -> timedelta:
        """How long after its start it falls due under this policy."""
        value: timedelta = getattr(policy, self.delay)
        return value

    def message_keys(self) -> tuple[str, ...]:
        """The catalog keys its message uses."""
        return tuple(key.format(kind=self.kind.value) for key in SHAPE_KEYS[self.shape])


RULES: dict[NudgeKind, NudgeRule] = {rule.kind: rule for rule in (
    NudgeRule(NudgeKind.FOLLOW_UP, "first_nudge", Start.STATUS_CHANGE, FOR_APPLICATIONS, Shape.TEMPLATE,
              planned_at=(Status.APPLIED,), sent_at=(Status.APPLIED,), snoozable=True),
    NudgeRule(NudgeKind.FOLLOW_UP_AGAIN, "second_nudge", Start.STATUS_CHANGE, FOR_APPLICATIONS, Shape.TEMPLATE,
              planned_at=(Status.FOLLOWED_UP,), not_after=(Status.FOLLOWED_UP,),  # one second follow-up at most
              sent_at=(Status.FOLLOWED_UP,), snoozable=True),
    NudgeRule(NudgeKind.NEWS_CHECK, "news_check", Start.STATUS_CHANGE, FOR_APPLICATIONS, Shape.CHECK,
              planned_at=AWAITING_NEWS, sent_at=AWAITING_NEWS, snoozable=True),
    NudgeRule(NudgeKind.NO_RESPONSE, "no_response", Start.SENT, FOR_APPLICATIONS, Shape.NOTICE,
              follows=NudgeKind.NEWS_CHECK, sent_at=AWAITING_NEWS, marks=Status.NO_RESPONSE),
    NudgeRule(NudgeKind.POSTER_REVIEW, "poster_review", Start.FIRST_APPLICATION,
              (Stop.APPLICANT_MOVED_ON, *ALWAYS), Shape.REVIEW),
)}
MOVED_ON = (Status.INTERVIEWING, Status.HIRED, Status.REJECTED)  # Stop.APPLICANT_MOVED_ON: the poster replied


def rule_for(kind: str) -> NudgeRule:
    """The rule of a kind; a kind without one is a bug, reported at once rather than skipped."""
    try:
        return RULES[NudgeKind(kind)]
    except (KeyError, ValueError):
        raise LookupError(f"no nudge rule for kind {kind!r}") from None


def planned(status: ApplicationStatus, previous: ApplicationStatus | None) -> list[NudgeRule]:
    """The rules an application moving to `status` (from `previous`) plans, in table order."""
    return [rule for rule in RULES.values() if rule.start is Start.STATUS_CHANGE and status in rule.planned_at
            and previous not in rule.not_after]


def follow_ons(kind: NudgeKind) -> list[NudgeRule]:
    """The rules planned when a nudge of this kind is sent."""
    return [rule for rule in RULES.values() if rule.start is Start.SENT and rule.follows is kind]


def kinds(*, stopped_by: Stop | None = None, snoozable: bool | None = None) -> tuple[NudgeKind, ...]:
    """The kinds a stop cancels, or that may be snoozed."""
    return tuple(rule.kind for rule in RULES.values()
                 if (stopped_by is None or stopped_by in rule.stops)
                 and (snoozable is None or rule.snoozable is snoozable))
