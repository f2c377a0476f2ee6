"""`gig settings`: a member's timezone, quiet hours, nudges and language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.errors import FieldErrors, UserError
from bot.core.i18n import SUPPORTED_LOCALES, Translator, normalise_locale
from bot.core.params import read_bool
from bot.core.registry import Param, registry
from bot.core.types import Form, FormInput, InputKind, Reply, Rich
from bot.dispatch.context import Context
from bot.services.policy import DEFAULT_QUIET
from bot.services.timing import parse_quiet_hours, parse_timezone
from bot.store.models import Member

DEFAULT = ("default", "auto", "défaut")


def read_settings(raw: dict[str, str], readers: dict[str, Callable[[str], Any]]) -> dict[str, Any]:
    """Read every given setting; report all bad ones at once, each under its own name."""
    values: dict[str, Any] = {}
    errors: dict[str, UserError] = {}
    for name, text in raw.items():
        try:
            values[name] = None if text.strip().lower() in DEFAULT else readers[name](text)
        except UserError as error:
            errors[name] = error
    if errors:
        raise FieldErrors(errors)
    return values


def _language(text: str) -> str:
    locale = normalise_locale(text)
    if locale is None:
        raise UserError("settings.bad_lang", value=text, choices=", ".join(SUPPORTED_LOCALES))
    return locale


def _quiet(text: str) -> str:
    hours = parse_quiet_hours(text)
    return hours.format() if hours else "off"


READERS: dict[str, Callable[[str], Any]] = {
    "tz": parse_timezone,
    "quiet": _quiet,
    "nudges": lambda text: read_bool(text, "nudges"),
    "lang": _language,
}


def settings_form(t: Translator, member: Member) -> Form:
    """The settings form, filled with the member's current values."""
    return Form("settings", t.label("settings.form_title"), (
        FormInput("tz", t.label("settings.form_tz"), member.timezone or "", placeholder="Europe/Paris"),
        FormInput("quiet", t.label("settings.form_quiet"), member.quiet_hours or "", placeholder="21-9"),
        FormInput("nudges", t.label("settings.form_nudges"), "on" if member.nudges_enabled else "off",
                  kind=InputKind.CHOICE, choices=(("on", t.label("settings.on")), ("off", t.label("settings.off")))),
        FormInput("lang", t.label("settings.form_lang"), member.locale or "", placeholder="en, fr"),
    ), t.label("settings.form_submit"))


def describe(ctx: Context, member: Member) -> Rich:
    """The member's settings, with where each inherited one comes from."""
    t = ctx.translator_for(member)
    community = ctx.community
    return t("settings.current",
             tz=member.timezone or t("settings.inherited", value=community.timezone or "UTC"),
             quiet=member.quiet_hours or t("settings.inherited", value=community.settings.get("quiet", DEFAULT_QUIET)),
             nudges=t("settings.on" if member.nudges_enabled else "settings.off"),
             lang=member.locale or t("settings.inherited", value=t.locale))


@registry.command("settings", *(Param(name) for name in READERS), button=True, form=True)
async def settings(ctx: Context, **raw: str) -> Reply:
    """Show my settings, or change them: tz=Europe/Paris quiet=21-9 nudges=on|off lang=fr."""
    member = ctx.member
    if not raw:
        return Reply(describe(ctx, member) + "\n" + ctx.t("settings.how"), form=settings_form(ctx.t, member))
    values = read_settings(raw, READERS)
    if "tz" in values:
        member.timezone = values["tz"]
    if "quiet" in values:
        member.quiet_hours = values["quiet"]
    if "nudges" in values:
        member.nudges_enabled = values["nudges"] is not False
        if member.nudges_enabled:
            member.dm_undeliverable = False  # asking for nudges again means trying DMs again
    if "lang" in values:
        member.locale = values["lang"]
    return Reply(ctx.translator_for(member)("settings.saved") + "\n" + describe(ctx, member))
