"""Button ids: one grammar, `gig:<action>:<value>`, built and parsed only here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.errors import UserError

PREFIX = "gig"
MAX_LENGTH = 100  # Discord's custom_id limit; Slack allows 255
BUTTON_ID = re.compile(r"^gig:([a-z_]+):([A-Za-z0-9_.@+-]*)$")


@dataclass(frozen=True)
class ButtonPress:
    """A parsed button id: which action, on which value."""

    action: str
    value: str


def button_id(action: str, value: object = "") -> str:
    """Build the id of a button that runs `action` on `value`."""
    built = f"{PREFIX}:{action}:{value}"
    if BUTTON_ID.fullmatch(built) is None or len(built) > MAX_LENGTH:
        raise ValueError(f"not a valid button id: {built!r}")
    return built


def parse_button_id(raw: str) -> ButtonPress:
    """Parse a button id; a malformed one is a user error, never a crash."""
    match = BUTTON_ID.match(raw.strip()) if len(raw) <= MAX_LENGTH else None
    if match is None:
        raise UserError("errors.bad_button", id=raw)
    return ButtonPress(match.group(1), match.group(2))
