"""Where the console acts: a platform, a place on it and a channel (`/on discord guild1 #jobs`), and the last code.

On the console a user id is the name `/as` gave, on every platform (`@ana` on Slack and `@ana` on Discord are two
identities until `/gig link` joins them), and a channel is its name, as `route add #jobs` reads it.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.delivery import OutboxKind
from bot.core.types import Actor, Place

CONSOLE, SLACK, DISCORD = "console", "slack", "discord"
PLATFORMS = (CONSOLE, SLACK, DISCORD)  # the order the console delivers their outbox messages in
DEFAULT_PLACE = {CONSOLE: "console", SLACK: "T1", DISCORD: "guild1"}
CHANNEL = "general"
PLACE_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
CHANNEL_NAME = re.compile(r"^#?([A-Za-z0-9_-]{1,64})$")
# A link code as link_codes.shown prints it (no 0/O, 1/I/L); `{code}` in a console line is the last one shown.
CODE = re.compile(r"\b([A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4})\b")
CODE_PLACEHOLDER = "{code}"


def place_on(platform: str, workspace: str | None = None, channel: str | None = None) -> Place:
    """A place of the console on a platform: its default place and #general unless named."""
    channel = channel or CHANNEL
    return Place(platform, workspace or DEFAULT_PLACE[platform], channel, channel)


def read_on(rest: str) -> Place | None:
    """The place `/on <platform> [place] [#channel]` names, or None when it does not read as one.

    A word with `#` is the channel, so `/on slack #jobs` is the default Slack workspace's #jobs.
    """
    words = rest.split()
    if not 1 <= len(words) <= 3 or words[0].lower() not in PLATFORMS:
        return None
    platform, rest_words = words[0].lower(), words[1:]
    workspace = rest_words.pop(0) if rest_words and not rest_words[0].startswith("#") else None
    if workspace is not None and not PLACE_ID.match(workspace):
        return None
    channel = None
    if rest_words:
        match = CHANNEL_NAME.match(rest_words.pop(0))
        if match is None or rest_words:
            return None
        channel = match.group(1)
    return place_on(platform, workspace, channel)


def acting_on(actor: Actor, place: Place) -> Actor:
    """The same person (same name, same admin right) acting on the place's platform."""
    return replace(actor, platform=place.platform)


def is_home(place: Place) -> bool:
    """The console's own place, where it started."""
    return (place.platform, place.workspace_id, place.channel_id) == (CONSOLE, DEFAULT_PLACE[CONSOLE], CHANNEL)


def prompt(actor: Actor, place: Place) -> str:
    """Who acts where, shell-style: `ana@discord:guild1#jobs` (just `ana` at the console's own place)."""
    if is_home(place):
        return actor.user_id
    where = "" if place.platform == CONSOLE else f":{place.workspace_id}"
    return f"{actor.user_id}@{place.platform}{where}#{place.channel_id}"


def destination_label(platform: str, kind: str, destination: str) -> str:
    """Where an outbox message went, as a console line starts: `#gigs`, `DM @bob`, `discord #jobs`, `slack DM @ana`."""
    where = f"DM @{destination}" if kind == OutboxKind.DM else f"#{destination}"
    return where if platform == CONSOLE else f"{platform} {where}"


def fill_code(line: str, code: str | None) -> str | None:
    """The line with `{code}` replaced by the last code shown; None when it needs a code and none was shown."""
    if CODE_PLACEHOLDER not in line:
        return line
    if code is None:
        return None
    return line.replace(CODE_PLACEHOLDER, code)


def last_code(lines: list[str], before: str | None) -> str | None:
    """The last link code printed in these lines, else the one known before."""
    for line in reversed(lines):
        found = CODE.findall(line)
        if found:
            return str(found[-1])
    return before
