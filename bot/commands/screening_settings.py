"""`gig admin screening`: how this community screens gigs, and the settings, word lists and domain lists that move it.

One command with an action word (`set`, `block`, `allow`, `unblock`, `unallow`, `reset`) rather than one command
per action: `gig admin screening` itself shows the settings, and a command cannot also be a group of commands.
"""

from __future__ import annotations

import re
from dataclasses import fields, replace
from typing import Any

from bot.commands._screening_lists import LISTS, ListChange, change_list
from bot.commands.settings import DEFAULT
from bot.core.errors import FieldErrors, UserError
from bot.core.i18n import Term, Translator
from bot.core.registry import Kind, Param, registry
from bot.core.types import Reply, Rich, Role, Text
from bot.dispatch.context import Context
from bot.services.screening import RULES, ScreeningSettings
from bot.store import locks

ACTIONS = ("set", "block", "allow", "unblock", "unallow", "reset")
NUMBERS: dict[str, tuple[str, int, int]] = {  # what an admin types: the setting, its lowest and highest value
    "hold": ("hold_at", 1, 1000),
    "refuse": ("refuse_at", 1, 1000),
    "per_day": ("per_day", 1, 100),
    "per_week": ("per_week", 1, 500),
    "trusted_after": ("trusted_after", 1, 100),
    "reports": ("reports_to_hide", 1, 100),
}
WEIGHTS = (1, 500)  # a rule's weight; `off` turns a rule off, so no weight of 0
DEFAULT_WEIGHTS = {rule.name: rule.weight for rule in RULES}
KEYS = {"set": (*NUMBERS, *DEFAULT_WEIGHTS), "reset": ()} | {action: ("word", "domain") for action in LISTS}
NUMBER = re.compile(r"[0-9]{1,6}")  # ASCII digits only: `int` would also read `١٢`, and `isdigit` passes `²`
ON_WORDS, OFF_WORDS = {"on", "yes", "oui"}, {"off", "no", "non"}
KEPT_BY_RESET = ("blocked_words", "allowed_words", "blocked_domains", "allowed_domains")


def mark(t: Translator, changed: bool) -> Rich:
    """`default` or `changed`, after a setting."""
    return t("screening.admin.changed" if changed else "screening.admin.default")


def rule_state(t: Translator, settings: ScreeningSettings, rule: str) -> Rich:
    """`on, weight 45` or `off`."""
    if rule in settings.off:
        return t("screening.admin.off")
    return t("screening.admin.on", weight=settings.weight(rule, DEFAULT_WEIGHTS[rule]))


def listed(t: Translator, entries: frozenset[str]) -> Text:
    """Entries of a list, or `none`."""
    return ", ".join(sorted(entries)) if entries else t("screening.admin.none")


def describe(t: Translator, settings: ScreeningSettings) -> Rich:
    """Everything an admin may change about screening, each setting marked default or changed."""
    default = ScreeningSettings()
    numbers = {key: getattr(settings, name) for key, (name, _, _) in NUMBERS.items()}
    marks = {f"{key}_mark": mark(t, getattr(settings, name) != getattr(default, name))
             for key, (name, _, _) in NUMBERS.items()}
    lines: list[Text] = [t("screening.admin.header"), t("screening.admin.tiers", **numbers, **marks),
                         t("screening.admin.rules")]
    for rule in DEFAULT_WEIGHTS:
        changed = rule in settings.off or settings.weight(rule, DEFAULT_WEIGHTS[rule]) != DEFAULT_WEIGHTS[rule]
        lines.append(t("screening.admin.rule", rule=Rich((rule,)), label=t(f"screening.rule.{rule}"),
                       state=rule_state(t, settings, rule), mark=mark(t, changed)))
    lines += [t("screening.admin.policy", words=listed(t, settings.blocked_words)),
              t("screening.admin.allowed_words", words=listed(t, settings.allowed_words)),
              t("screening.admin.blocked_domains", domains=listed(t, settings.blocked_domains)),
              t("screening.admin.allowed_domains", domains=listed(t, settings.allowed_domains)),
              t("screening.admin.who", **numbers, **marks), t("screening.admin.reports", **numbers, **marks)]
    return Rich.join("\n", lines)


def _number(key: str, text: str) -> int | None:
    """A number setting as typed; None is `default`."""
    _, lowest, highest = NUMBERS[key]
    if text.strip().lower() in DEFAULT:
        return None
    if not NUMBER.fullmatch(text.strip()) or not lowest <= int(text) <= highest:
        raise UserError("screening.admin.bad_number", name=key, value=text, lowest=lowest, highest=highest)
    return int(text)


def _rule(rule: str, text: str) -> tuple[bool, int]:
    """A rule's value as typed: on, off, a weight (which turns it on) or default; returns (on, weight)."""
    word = text.strip().lower()
    weight = DEFAULT_WEIGHTS[rule]
    if word in DEFAULT:
        return True, weight
    if word in ON_WORDS | OFF_WORDS:
        return word in ON_WORDS, -1  # -1: the weight stays what it was
    lowest, highest = WEIGHTS
    if not NUMBER.fullmatch(word) or not lowest <= int(word) <= highest:
        raise UserError("screening.admin.bad_rule", name=rule, value=text, lowest=lowest, highest=highest)
    return True, int(word)


def changed_settings(current: ScreeningSettings, raw: dict[str, str]) -> ScreeningSettings:
    """The settings with `set`'s values applied; every bad value is reported at once, and the thresholds agree."""
    values: dict[str, Any] = {}
    off, weights = set(current.off), dict(current.weights)
    errors: dict[str, UserError] = {}
    for key, text in raw.items():
        try:
            if key in NUMBERS:
                number = _number(key, text)
                name = NUMBERS[key][0]
                values[name] = getattr(ScreeningSettings(), name) if number is None else number
                continue
            on, weight = _rule(key, text)
            (off.discard if on else off.add)(key)
            if weight == DEFAULT_WEIGHTS[key]:
                weights.pop(key, None)  # the default weight is not stored as a change
            elif weight > 0:
                weights[key] = weight
        except UserError as error:
            errors[key] = error
    if errors:
        raise FieldErrors(errors)
    hold, refuse = values.get("hold_at", current.hold_at), values.get("refuse_at", current.refuse_at)
    if hold > refuse:
        raise UserError("screening.admin.hold_above_refuse", hold=hold, refuse=refuse)
    per_day, per_week = values.get("per_day", current.per_day), values.get("per_week", current.per_week)
    if per_day > per_week:
        raise UserError("screening.admin.day_above_week", per_day=per_day, per_week=per_week)
    return replace(current, **values, off=frozenset(off), weights=weights)


def differences(t: Translator, before: ScreeningSettings, after: ScreeningSettings) -> dict[str, tuple[Text, Text]]:
    """Each setting an admin can see that differs, by the name they type: (before, after)."""
    out: dict[str, tuple[Text, Text]] = {}
    for key, (name, _, _) in NUMBERS.items():
        if getattr(before, name) != getattr(after, name):
            out[key] = (str(getattr(before, name)), str(getattr(after, name)))
    for rule in DEFAULT_WEIGHTS:
        old, new = rule_state(t, before, rule), rule_state(t, after, rule)
        if old != new:
            out[rule] = (old, new)
    return out


async def _store(ctx: Context, settings: ScreeningSettings) -> None:
    """Write the screening settings back, only what differs from the defaults."""
    community = ctx.community
    stored = dict(community.settings)
    stored["screening"] = settings.stored()
    if not stored["screening"]:
        del stored["screening"]
    community.settings = stored  # a new dict, so the JSON column is written


def _changes_reply(ctx: Context, before: ScreeningSettings, after: ScreeningSettings, action: str) -> Reply:
    shown = differences(ctx.t, before, after)
    if not shown:
        return Reply(ctx.t("screening.admin.unchanged"))
    plain = differences(Translator("en"), before, after)  # the audit log keeps one language
    ctx.audit("settings.screening", ctx.community.id, change=action,
              **{key: f"{old} → {new}" for key, (old, new) in plain.items()})
    lines: list[Text] = [ctx.t("screening.admin.saved")]
    lines += [ctx.t("screening.admin.change", name=Rich((key,)), before=old, after=new)
              for key, (old, new) in shown.items()]
    return Reply(Rich.join("\n", [*lines, ctx.t("screening.admin.see")]))


def _lists_reply(ctx: Context, changes: list[ListChange], action: str) -> Reply:
    lines: list[Text] = []
    for change in changes:
        name = Term(f"screening.admin.list_{change.field}")
        for key, entries in (("done", change.done), ("already", change.already)):
            if entries:
                lines.append(ctx.t(f"screening.admin.{action}_{key}", list=name, entries=", ".join(entries)))
    written = {change.field: list(change.done) for change in changes if change.done}
    if written:
        ctx.audit("settings.screening", ctx.community.id, change=action, **written)
    return Reply(Rich.join("\n", lines))


@registry.command("admin screening", Param("change", Kind.CHOICE, positional=True, choices=ACTIONS),
                  *(Param(key) for key in (*NUMBERS, *DEFAULT_WEIGHTS, "word", "domain")), role=Role.ADMIN)
async def admin_screening(ctx: Context, change: str | None = None, **raw: str) -> Reply:
    """Show the community's screening, or change it: set, block, allow, unblock, unallow or reset."""
    action = change
    if action is None and not raw:
        settings = ScreeningSettings.of(ctx.community.settings)
        return Reply(describe(ctx.t, settings) + "\n" + ctx.t("screening.admin.how"))
    if action is None:
        action = "set" if not raw.keys() & {"word", "domain"} else ""
        if not action:
            raise UserError("screening.admin.which_list")
    wrong = [key for key in raw if key not in KEYS[action]]
    if wrong and action == "reset":
        raise UserError("screening.admin.reset_alone")
    if wrong:
        known = ", ".join(f"{key}=" for key in KEYS[action])
        raise UserError("screening.admin.not_for_action", key=wrong[0], action=Term(f"choice.change.{action}.name"),
                        known=known)
    if action == "set" and not raw:
        raise UserError("screening.admin.nothing_to_set")
    if action in LISTS and not any(value.strip() for value in raw.values()):
        raise UserError("screening.admin.nothing_listed", action=Term(f"choice.change.{action}.name"))
    await locks.lock(ctx.session, ctx.community)  # re-read: two admins changing screening keep both changes
    current = ScreeningSettings.of(ctx.community.settings)
    if action in LISTS:
        after, changes = change_list(current, action, raw)
        await _store(ctx, after)
        return _lists_reply(ctx, changes, action)
    if action == "reset":
        after = ScreeningSettings(**{f.name: getattr(current, f.name) for f in fields(current)
                                     if f.name in KEPT_BY_RESET})
    else:
        after = changed_settings(current, raw)
    await _store(ctx, after)
    return _changes_reply(ctx, current, after, action)
