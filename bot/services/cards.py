"""Gig cards: the one neutral rendering of a gig that every adapter turns into its own UI."""

from __future__ import annotations

from datetime import date

from bot.core.buttons import button_id
from bot.core.i18n import Translator
from bot.core.types import Button, Card, Field, MemberRef, Rich, Text, Topic, UserText
from bot.services.gigs import HELD, REJECTED, budget_of, is_open
from bot.store.models import Gig

CHANNEL_DESCRIPTION = 500
# a gig that is not live: (title, footer) by status; an open gig hidden after reports reads as under review
UNLISTED = {HELD: ("gig.held_title", "gig.held_footer"), REJECTED: ("gig.removed_title", "gig.removed_footer")}


def where(gig: Gig, t: Translator) -> Rich:
    """`Remote`, `Paris`, or `Remote · Paris`."""
    parts: list[Text] = [t("gig.remote")] if gig.remote else []
    if gig.location:
        parts.append(Rich((UserText(gig.location),)))
    return Rich.join(" · ", parts) if parts else t("gig.onsite")


def gig_card(gig: Gig, t: Translator, applicants: int, today: date, full: bool = False) -> Card:
    """A gig as a card; `full` keeps the whole description (for `gig show`).

    A live gig has Apply (and on a posting Details and Report); a held, rejected, closed or hidden one has no button
    and says why in its title and footer.
    """
    text = gig.description
    if not full and len(text) > CHANNEL_DESCRIPTION:
        text = text[:CHANNEL_DESCRIPTION].rstrip() + "…"
    description = Rich((UserText(text),)) if text else ""
    # budget and tags read as typed: a row may hold any text in the currency or a tag (written directly)
    fields = [Field(t("gig.field_budget"), Rich((UserText(budget_of(gig).display(t.locale)),)))]
    if gig.tag_names:
        fields.append(Field(t("gig.field_tags"), Rich((UserText(", ".join(gig.tag_names)),))))
    fields.append(Field(t("gig.field_where"), where(gig, t)))
    if gig.hours:
        fields.append(Field(t("gig.field_hours"), t("gig.hours", hours=gig.hours)))
    fields.append(Field(t("gig.field_apply_by"), t.format_value(gig.apply_by)))
    if gig.apply_url:
        fields.append(Field(t("gig.field_apply_url"), Rich((UserText(gig.apply_url),))))
    fields.append(Field(t("gig.field_applicants"), str(applicants)))
    if full:
        poster = gig.poster
        fields.append(Field(t("gig.field_poster"), Rich((MemberRef(poster.platform, poster.platform_user_id,
                                                                    poster.display_name),))))
    title = UserText(gig.title)
    unlisted = _unlisted(gig, today)
    if unlisted is not None:  # no buttons: nobody applies to, or reports, a gig that is not live
        return Card(t(unlisted[0], id=gig.id, title=title), description, tuple(fields), (), t(unlisted[1]),
                    ref=f"#{gig.id}")
    buttons: tuple[Button, ...] = (Button(t.label("gig.button_apply"), button_id("apply", gig.id), "primary"),)
    if not full:  # a posting: Details, and Report for members who think it is a scam
        buttons += (Button(t.label("gig.button_details"), button_id("show", gig.id)),
                    Button(t.label("report.button"), button_id("report", gig.id)))
    return Card(Rich.of(f"#{gig.id} · ", title), description, tuple(fields), buttons, t("gig.footer", id=gig.id),
                ref=f"#{gig.id}")


def _unlisted(gig: Gig, today: date) -> tuple[str, str] | None:
    """The (title, footer) keys of a gig that is not live: held, rejected, closed, or hidden after reports."""
    if gig.status in UNLISTED:
        return UNLISTED[gig.status]
    if not is_open(gig, today):
        return "gig.closed_title", "gig.closed_footer"
    return ("report.hidden_title", "report.hidden_footer") if gig.hidden_at is not None else None


def gig_topic(gig: Gig, t: Translator, today: date) -> Topic:
    """What a gig's posting heads: its thread's name (`#12 · Title`, the same open or closed), tags and state."""
    return Topic(f"#{gig.id} · {gig.title}", tuple(gig.tag_names), not is_open(gig, today), t.label("gig.closed_tag"))
