"""Gig cards: the one neutral rendering of a gig that every adapter turns into its own UI."""

from __future__ import annotations

from datetime import date

from bot.core.buttons import button_id
from bot.core.i18n import Translator
from bot.core.types import Button, Card, Field
from bot.services.gigs import budget_of, is_open
from bot.services.safety import neutralise_mentions
from bot.store.models import Gig

CHANNEL_DESCRIPTION = 500


def where(gig: Gig, t: Translator) -> str:
    """`Remote`, `Paris`, or `Remote · Paris`."""
    parts = [t("gig.remote")] if gig.remote else []
    if gig.location:
        parts.append(neutralise_mentions(gig.location))
    return " · ".join(parts) or t("gig.onsite")


def gig_card(gig: Gig, t: Translator, applicants: int, today: date, full: bool = False) -> Card:
    """A gig as a card; `full` keeps the whole description (for `gig show`)."""
    description = neutralise_mentions(gig.description)
    if not full and len(description) > CHANNEL_DESCRIPTION:
        description = description[:CHANNEL_DESCRIPTION].rstrip() + "…"
    fields = [Field(t("gig.field_budget"), budget_of(gig).format())]
    if gig.tag_names:
        fields.append(Field(t("gig.field_tags"), ", ".join(gig.tag_names)))
    fields.append(Field(t("gig.field_where"), where(gig, t)))
    if gig.hours:
        fields.append(Field(t("gig.field_hours"), t("gig.hours", hours=gig.hours)))
    fields.append(Field(t("gig.field_apply_by"), gig.apply_by.isoformat()))
    if gig.apply_url:
        fields.append(Field(t("gig.field_apply_url"), gig.apply_url))
    fields.append(Field(t("gig.field_applicants"), str(applicants)))
    if full:
        fields.append(Field(t("gig.field_poster"), neutralise_mentions(gig.poster.display_name)))
    title = neutralise_mentions(gig.title)
    if not is_open(gig, today):
        return Card(t("gig.closed_title", id=gig.id, title=title), description, tuple(fields), (),
                    t("gig.closed_footer"))
    buttons: tuple[Button, ...] = (Button(t("gig.button_apply"), button_id("apply", gig.id), "primary"),)
    if not full:
        buttons += (Button(t("gig.button_details"), button_id("show", gig.id)),)
    return Card(f"#{gig.id} · {title}", description, tuple(fields), buttons, t("gig.footer", id=gig.id))
