"""Text from users, made harmless before the bot reposts it: no @everyone, @here, @channel or user pings."""

from __future__ import annotations

import re

ZERO_WIDTH_SPACE = "\u200b"
BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
SLACK_SPECIAL = re.compile(r"<(!|@|#)")
DISCORD_MENTION = re.compile(r"<(@[!&]?|#)(\d+)>")


def neutralise_mentions(text: str) -> str:
    """Break every form of mention so no platform turns it into a ping; the text still reads the same."""
    text = BROADCAST.sub(lambda m: "@" + ZERO_WIDTH_SPACE + m.group(1), text)
    text = DISCORD_MENTION.sub(lambda m: "<" + m.group(1) + ZERO_WIDTH_SPACE + m.group(2) + ">", text)
    return SLACK_SPECIAL.sub(lambda m: "<" + ZERO_WIDTH_SPACE + m.group(1), text)
