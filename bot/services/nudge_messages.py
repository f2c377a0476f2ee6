"""What each nudge says: why it matters, a message to copy, and buttons that record the answer."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.buttons import button_id
from bot.core.i18n import Term, Translator
from bot.core.types import Button, Card, Message, Rich
from bot.services import nudges


@dataclass(frozen=True)
class NudgeFacts:
    """What a nudge's text needs to know."""

    kind: str
    gig_id: int
    title: str
    poster: str
    status: str
    days: int  # since the last change (members) or since the first application (posters)
    wait_days: int = 0  # news check: days until no_response
    applicants: int = 0  # poster review


def member_buttons(t: Translator, gig_id: int) -> tuple[Button, ...]:
    """Record the answer, snooze, stop, or open the settings."""
    statuses = [("followed_up", "primary"), ("interviewing", "default"), ("hired", "default"),
                ("rejected", "default")]
    buttons = [Button(t.label(f"nudge.button_{status}"), button_id("status", f"{gig_id}.{status}"), style)
               for status, style in statuses]
    buttons += [Button(t.label("nudge.button_snooze"), button_id("snooze", gig_id)),
                Button(t.label("nudge.button_stop"), button_id("reminders", f"{gig_id}.off"), "danger"),
                Button(t.label("nudge.button_settings"), button_id("settings"))]
    return tuple(buttons)


def nudge_message(facts: NudgeFacts, t: Translator) -> Message:
    """The DM for a nudge, in the reader's language."""
    values = {"id": facts.gig_id, "title": facts.title, "poster": facts.poster, "days": facts.days}
    if facts.kind == nudges.NO_RESPONSE:
        return Message(t("nudge.no_response", **values))
    if facts.kind == nudges.POSTER_REVIEW:
        buttons = (Button(t.label("nudge.button_applicants"), button_id("applicants", facts.gig_id), "primary"),
                   Button(t.label("nudge.button_close"), button_id("close", facts.gig_id)))
        card = Card(t("nudge.poster_review_title", **values),
                    t("nudge.poster_review_body", count=facts.applicants, **values), buttons=buttons)
        return Message(cards=(card,))
    if facts.kind == nudges.NEWS_CHECK:
        body = t("nudge.news_check_body", status=Term(f"status.name.{facts.status}"), wait=facts.wait_days,
                 **values)
    else:
        body = Rich.join("\n", [t(f"nudge.{facts.kind}_why", **values), "", t("nudge.copy_hint"),
                                 "> " + t(f"nudge.{facts.kind}_template", **values)])
    return Message(cards=(Card(t(f"nudge.{facts.kind}_title", **values), body,
                             buttons=member_buttons(t, facts.gig_id)),))
