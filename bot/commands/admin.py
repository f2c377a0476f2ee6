"""`gig admin settings`: the community's nudge timings, timezone, quiet hours, default language and smallest pay."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.commands.settings import READERS, read_settings
from bot.core.i18n import Translator
from bot.core.registry import Param, registry
from bot.core.types import Reply, Rich, Role
from bot.dispatch.context import Context
from bot.services.budget import min_paid, parse_min_paid
from bot.services.policy import DEFAULT_QUIET, NudgePolicy
from bot.services.timing import format_duration, parse_duration
from bot.store import locks


def _duration_reader(name: str) -> Callable[[str], str]:
    return lambda text: format_duration(parse_duration(text, name))


POLICY_READERS = {name: _duration_reader(name) for name in NudgePolicy.names()}
COMMUNITY_READERS = {**POLICY_READERS, "tz": READERS["tz"], "quiet": READERS["quiet"], "lang": READERS["lang"],
                     "min_paid": parse_min_paid}


def _put(mapping: dict[str, Any], key: str, value: Any) -> None:
    """Set a value; None (`default`) removes it so the default applies."""
    if value is None:
        mapping.pop(key, None)
    else:
        mapping[key] = value


def describe(ctx: Context, t: Translator) -> Rich:
    """The community's settings."""
    community = ctx.community
    policy = NudgePolicy.of(community).stored()
    return t("admin.current", tz=community.timezone or "UTC", quiet=community.settings.get("quiet", DEFAULT_QUIET),
             lang=community.default_locale, min_paid=min_paid(community.settings), **policy)


@registry.command("admin settings", *(Param(name) for name in COMMUNITY_READERS), role=Role.ADMIN)
async def admin_settings(ctx: Context, **raw: str) -> Reply:
    """Show the community's settings, or change them (durations like 2d, 36h; tz; quiet hours; lang)."""
    if not raw:
        return Reply(describe(ctx, ctx.t) + "\n" + ctx.t("admin.how"))
    values = read_settings(raw, COMMUNITY_READERS)
    community = ctx.community
    await locks.lock(ctx.session, community)  # re-read: two admins changing different settings keep both
    settings = dict(community.settings)
    stored = dict(settings.get("nudges", {}))
    for name in NudgePolicy.names():
        if name in values:
            _put(stored, name, values[name])
    settings["nudges"] = stored
    for name in ("quiet", "min_paid"):
        if name in values:
            _put(settings, name, values[name])
    community.settings = settings  # a new dict, so the JSON column is written
    if "tz" in values:
        community.timezone = values["tz"] or "UTC"
    if "lang" in values:
        community.default_locale = values["lang"] or ctx.settings.default_locale
    ctx.audit("admin.settings", community.id, **{k: str(v) for k, v in values.items()})
    t = ctx.translator_for(ctx.member)  # the admin's language, or the new default language they inherit
    return Reply(t("admin.saved") + "\n" + describe(ctx, t))
