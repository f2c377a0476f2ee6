"""The one text syntax shared by Slack and the console: `/gig <subcommand> [positional ...] [key=value ...]`."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from bot.core.errors import UserError

OPTION = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)
# Typographic double quotes quote like plain ones; ’ stays a letter, as phones type it in "I’m" or "l’équipe".
SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"'})
PREFIX = re.compile(r"^/gig(?:\s|$)")
BARE = re.compile(r"""^[^\s"'\\]+$""")  # a word that needs no quotes


@dataclass(frozen=True)
class ParsedText:
    """Words (subcommand and positional arguments) and key=value options, in order."""

    words: tuple[str, ...]
    options: dict[str, str]


def parse_command_text(text: str) -> ParsedText:
    """Split command text with shell-style quoting; typographic quotes count as plain ones."""
    text = text.translate(SMART_QUOTES).strip()
    text = PREFIX.sub("", text, count=1)
    try:
        tokens = shlex.split(text)
    except ValueError as exc:
        raise UserError("syntax.unclosed_quote") from exc
    words: list[str] = []
    options: dict[str, str] = {}
    for token in tokens:
        match = OPTION.match(token)
        if match is None:
            words.append(token)
            continue
        key = match.group(1).lower()
        if key in options:
            raise UserError("syntax.duplicate_option", key=key)
        options[key] = match.group(2).strip()
    return ParsedText(tuple(words), options)


def quote(value: str) -> str:
    """A word or option value written so that parse_command_text reads it back (typographic quotes as plain ones)."""
    value = value.translate(SMART_QUOTES)
    if BARE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
