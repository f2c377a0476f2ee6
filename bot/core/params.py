"""Reading typed parameters from text: one converter per kind, each failing with a message that says what to fix."""

from __future__ import annotations

import re

from bot.core.errors import UserError
from bot.core.i18n import Choices, choice_words, fold
from bot.core.registry import Kind, Param

TRUE_WORDS = {"yes", "y", "true", "on", "1", "oui", "o", "vrai"}
FALSE_WORDS = {"no", "n", "false", "off", "0", "non", "faux"}
SLACK_CHANNEL = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")
MENTION = re.compile(r"^<@!?&?([A-Za-z0-9]+)(?:\|[^>]*)?>$")
CHANNEL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
NUMBER = re.compile(r"^[0-9]{1,12}$")
USER_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# Control characters (C0 but tab, line feed and carriage return; DEL; C1) and lone surrogates. PostgreSQL refuses
# NUL and surrogates outright and none of them belongs in a gig, so every database is spared all of them alike.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def read_bool(raw: str, name: str) -> bool:
    """Read yes/no in English or French."""
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise UserError("params.bad_bool", name=name, value=raw)


def read_choice(param: Param, raw: str) -> str:
    """Read one of a parameter's choices, in any catalog's words, without case or accents (`Embauchée` is hired)."""
    word = fold(raw)
    for value in param.choices:
        if word in choice_words(param.name, value):
            return value
    raise UserError("params.bad_choice", name=param.name, value=raw, choices=Choices(param.name, param.choices))


def read_channel(raw: str) -> str:
    """Read `#name`, Slack's `<#C123|name>` or a bare id; return the channel id."""
    text = raw.strip()
    match = SLACK_CHANNEL.match(text)
    channel = match.group(1) if match else text.lstrip("#")
    if not CHANNEL_ID.fullmatch(channel):
        raise UserError("params.bad_channel", value=raw)
    return channel


def read_user_id(raw: str) -> str:
    """Read `@name`, `<@U123>`, `<@!123>` or a bare id; return the platform user id."""
    text = raw.strip()
    match = MENTION.match(text)
    user_id = match.group(1) if match else text.lstrip("@")
    if not USER_ID.fullmatch(user_id):
        raise UserError("params.bad_member", value=raw)
    return user_id


def convert(param: Param, raw: str) -> object:
    """Turn the text of one parameter into its typed value (a member parameter into the platform user id)."""
    control = CONTROL.search(raw)
    if control:
        raise UserError("params.control_character", name=param.name, code=f"U+{ord(control.group()):04X}")
    text = raw.strip()
    if param.kind is Kind.TEXT:
        return text
    if param.kind in (Kind.INT, Kind.GIG):
        digits = text.lstrip("#") if param.kind is Kind.GIG else text
        if not NUMBER.fullmatch(digits) or int(digits) <= 0:
            raise UserError("params.bad_gig" if param.kind is Kind.GIG else "params.bad_int", name=param.name,
                            value=raw)
        return int(digits)
    if param.kind is Kind.BOOL:
        return read_bool(text, param.name)
    if param.kind is Kind.CHANNEL:
        return read_channel(text)
    if param.kind is Kind.CHOICE:
        return read_choice(param, text)
    return read_user_id(text)
