"""What each nudge says: why it matters, a message to copy, and buttons that record the answer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.buttons import button_id
from bot.core.i18n import Term, Translator
from bot.core.states import ApplicationStatus, NudgeKind
from bot.core.types import Button, Card, Message, Rich
from bot.services.nudge_rules import Shape, rule_for


@dataclass(frozen=True)
class NudgeFacts:
    """What a nudge's text needs to know."""

    kind: NudgeKind
    gig_id: int
    title: str
    poster: str
    status: str
    days: int  # since the last change (members) or since the first application (posters)
    wait_days: int = 0  # news check: days until no_response
    applicants: int = 0  # poster review


def member_buttons(t: Translator, gig_id: int) -> tuple[Button, ...]:
    """Record the answer, snooze, stop, or open the settings."""
    statuses = [(ApplicationStatus.FOLLOWED_UP, "primary"), (ApplicationStatus.INTERVIEWING, "default"),
                (ApplicationStatus.HIRED, "default"), (ApplicationStatus.REJECTED, "default")]
    buttons = [Button(t.label(f"nudge.button_{status}"), button_id("status", f"{gig_id}.{status}"), style)
               for status, style in statuses]
    buttons += [Button(t.label("nudge.button_snooze"), button_id("snooze", gig_id)),
                Button(t.label("nudge.button_stop"), button_id("reminders", f"{gig_id}.off"), "danger"),
                Button(t.label("nudge.button_settings"), button_id("settings"))]
    return tuple(buttons)


def nudge_message(facts: NudgeFacts, t: Translator) -> Message:
    """The DM for a nudge, in the reader's language, laid out as its rule's shape says."""
    values: dict[str, Any] = {"id": facts.gig_id, "title": facts.title, "poster": facts.poster,
                              "days": Term("time.days", count=facts.days)}
    return SHAPES[rule_for(facts.kind).shape](facts, t, values)


def _notice(facts: NudgeFacts, t: Translator, values: dict[str, Any]) -> Message:
    return Message(t(f"nudge.{facts.kind}", **values))


def _review(facts: NudgeFacts, t: Translator, values: dict[str, Any]) -> Message:
    buttons = (Button(t.label("nudge.button_applicants"), button_id("applicants", facts.gig_id), "primary"),
               Button(t.label("nudge.button_close"), button_id("close", facts.gig_id)))
    card = Card(t(f"nudge.{facts.kind}_title", **values),
                t(f"nudge.{facts.kind}_body", count=facts.applicants, **values), buttons=buttons)
    return Message(cards=(card,))


def _check(facts: NudgeFacts, t: Translator, values: dict[str, Any]) -> Message:
    body = t(f"nudge.{facts.kind}_body", status=Term(f"status.name.{facts.status}"),
             wait=Term("time.days", count=facts.wait_days), **values)
    return Message(cards=(Card(t(f"nudge.{facts.kind}_title", **values), body,
                             buttons=member_buttons(t, facts.gig_id)),))


def ago(days: int, t: Translator) -> Rich:
    """How long ago the member applied, as they would say it in a message to the poster."""
    key = "nudge.ago_yesterday" if days <= 1 else "nudge.ago_couple" if days <= 3 else "nudge.ago_days"
    return t(key, days=days)


def _template(facts: NudgeFacts, t: Translator, values: dict[str, Any]) -> Message:
    values = {**values, "ago": ago(facts.days, t)}
    body = Rich.join("\n", [t(f"nudge.{facts.kind}_why", **values), "", t("nudge.copy_hint"),
                             "> " + t(f"nudge.{facts.kind}_template", **values)])
    return Message(cards=(Card(t(f"nudge.{facts.kind}_title", **values), body,
                             buttons=member_buttons(t, facts.gig_id)),))


SHAPES: dict[Shape, Callable[[NudgeFacts, Translator, dict[str, Any]], Message]] = {
    Shape.NOTICE: _notice, Shape.REVIEW: _review, Shape.CHECK: _check, Shape.TEMPLATE: _template,
}
