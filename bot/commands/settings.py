"""`gig settings`: a member's timezone, quiet hours, nudges, language and, once linked, the platform of their DMs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.core.errors import FieldErrors, UserError
from bot.core.i18n import SUPPORTED_LOCALES, Translator, normalise_locale
from bot.core.params import read_bool
from bot.core.registry import Param, registry
from bot.core.text import platform_name
from bot.core.types import Form, FormInput, InputKind, Reply, Rich
from bot.dispatch.context import Context
from bot.services import identities
from bot.services.policy import DEFAULT_QUIET
from bot.services.timing import parse_quiet_hours, parse_timezone
from bot.store.models import Member

DEFAULT = ("default", "auto", "défaut")
DM_PLATFORMS = ("slack", "discord")  # where a linked person may choose to get DMs


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


def _dm_platform(text: str) -> str:
    platform = text.strip().lower()
    if platform not in DM_PLATFORMS:
        raise UserError("settings.bad_dm", value=text, choices=", ".join((*DM_PLATFORMS, "auto")))
    return platform


READERS: dict[str, Callable[[str], Any]] = {
    "tz": parse_timezone,
    "quiet": _quiet,
    "nudges": lambda text: read_bool(text, "nudges"),
    "lang": _language,
    "dm": _dm_platform,
}


def settings_form(t: Translator, member: Member, linked: Sequence[Member] = ()) -> Form:
    """The settings form, filled with the member's current values; the DM platform for a linked person."""
    inputs = [
        FormInput("tz", t.label("settings.form_tz"), member.timezone or "", placeholder="Europe/Paris"),
        FormInput("quiet", t.label("settings.form_quiet"), member.quiet_hours or "", placeholder="21-9"),
        FormInput("nudges", t.label("settings.form_nudges"), "on" if member.nudges_enabled else "off",
                  kind=InputKind.CHOICE, choices=(("on", t.label("settings.on")), ("off", t.label("settings.off")))),
        FormInput("lang", t.label("settings.form_lang"), member.locale or "", placeholder="en, fr"),
    ]
    platforms = sorted({identity.platform for identity in (member, *linked)} & set(DM_PLATFORMS))
    if len(platforms) > 1:
        inputs.append(FormInput("dm", t.label("settings.form_dm"), member.dm_platform or "auto",
                                kind=InputKind.CHOICE, choices=(("auto", t.label("settings.dm_auto")), *(
                                    (platform, platform_name(platform)) for platform in platforms))))
    return Form("settings", t.label("settings.form_title"), tuple(inputs), t.label("settings.form_submit"))


async def describe(ctx: Context, member: Member) -> Rich:
    """The member's settings, with where each inherited one comes from; where DMs go, for a linked person."""
    t = ctx.translator_for(member)
    community = ctx.community
    text = t("settings.current",
             tz=member.timezone or t("settings.inherited", value=community.timezone or "UTC"),
             quiet=member.quiet_hours or t("settings.inherited", value=community.settings.get("quiet", DEFAULT_QUIET)),
             nudges=t("settings.on" if member.nudges_enabled else "settings.off"),
             lang=member.locale or t("settings.inherited", value=t.locale))
    if len(await identities.all_of(ctx.session, member)) < 2:
        return text
    to = await identities.dm_identity(ctx.session, member)
    key = "settings.dm_chosen" if member.dm_platform == to.platform else "settings.dm_last"
    return text + "\n" + t(key, platform=platform_name(to.platform))


@registry.command("settings", *(Param(name) for name in READERS), button=True, form=True)
async def settings(ctx: Context, **raw: str) -> Reply:
    """Show my settings, or change them: tz=Europe/Paris quiet=21-9 nudges=on|off lang=fr dm=slack|discord|auto."""
    member = ctx.member
    if not raw:
        linked = (await identities.all_of(ctx.session, member))[1:]
        how = ctx.t("settings.how") + ("\n" + ctx.t("settings.how_dm") if linked else "")
        return Reply(await describe(ctx, member) + "\n" + how, form=settings_form(ctx.t, member, linked))
    values = read_settings(raw, READERS)
    everyone = await identities.all_of(ctx.session, member)
    if values.get("dm") and not any(identity.platform == values["dm"] for identity in everyone):
        raise FieldErrors({"dm": UserError("settings.dm_not_linked", platform=platform_name(values["dm"]))})
    if "tz" in values:
        member.timezone = values["tz"]
    if "quiet" in values:
        member.quiet_hours = values["quiet"]
    if "nudges" in values:
        member.nudges_enabled = values["nudges"] is not False
        if member.nudges_enabled:
            for identity in everyone:  # asking for nudges again means trying DMs again, on every platform
                identity.dm_undeliverable = False
    if "lang" in values:
        member.locale = values["lang"]
    if "dm" in values:
        member.dm_platform = values["dm"]
    return Reply(ctx.translator_for(member)("settings.saved") + "\n" + await describe(ctx, member))
