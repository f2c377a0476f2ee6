"""Rich text: typed parts, so every renderer knows which text a user typed and which references the bot means.

A `Rich` is a tuple of parts. A plain `str` part is trusted bot text (from the catalogs, or built by the bot from
numbers and codes); `UserText` is text a member typed, kept exactly as typed and made safe by each renderer;
`ChannelRef` and `MemberRef` are references the renderer turns into its platform's clickable mention (or a plain
name on another platform); `Link` is a link the bot made; `CommandRef` is a command the bot names, spelled by each
renderer the way its platform runs it. `str()` of any of them is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PLATFORM_NAMES = {"slack": "Slack", "discord": "Discord"}  # platforms as members read their names, in any language
BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # bidirectional controls: stripped by renderers


class UserText(str):
    """Text as a member typed it: never trusted as markup by a renderer."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """A channel the bot refers to: a clickable mention on its own platform, `#name` elsewhere."""

    platform: str
    id: str
    name: str = ""

    def __str__(self) -> str:
        return "#" + (self.name or self.id)


@dataclass(frozen=True, slots=True)
class MemberRef:
    """A member the bot refers to: a clickable mention on their own platform, `@name` elsewhere."""

    platform: str
    user_id: str
    name: str = ""

    def __str__(self) -> str:
        return "@" + (self.name or self.user_id)

    @property
    def elsewhere(self) -> str:
        """The member as read on another platform, where no mention of theirs works: `Ana (Discord)`."""
        label = PLATFORM_NAMES.get(self.platform)
        return f"{self.name or self.user_id} ({label})" if label else str(self)


@dataclass(frozen=True, slots=True)
class Link:
    """A link the bot made: `label` is bot text, `url` where it leads."""

    url: str
    label: str = ""

    def __str__(self) -> str:
        return self.url if not self.label or self.label == self.url else f"{self.label} ({self.url})"


GROUP, ADMIN_GROUP = "gig", "gig-admin"  # Discord's two top-level commands


@dataclass(frozen=True, slots=True)
class CommandRef:
    """A command the bot names by its registry name (`route add`), spelled as each platform runs it.

    `/gig route add` on Slack and the console, `/gig-admin route add` on Discord, where admin commands have their
    own group (see `command_words`). `locale` is the reader's language, as Discord shows command names translated;
    the translator fills it in.
    """

    name: str
    admin: bool = False
    locale: str = ""

    def __str__(self) -> str:
        return "/" + " ".join(command_words(self.name, self.admin))


def command_words(name: str, admin: bool, platform: str = "") -> list[str]:
    """The words a platform runs a command by, its top-level command first: `gig route add`.

    On Discord an admin command is under `gig-admin`, its leading `admin` implied (`admin outbox retry` is
    `gig-admin outbox retry`).
    """
    words = name.split(" ") if name else []
    if platform != "discord" or not admin:
        return [GROUP, *words]
    return [ADMIN_GROUP, *(words[1:] if words[:1] == ["admin"] else words)]


Part = str | ChannelRef | MemberRef | Link | CommandRef  # UserText is a str: tell them apart with `type(part) is str`
REFERENCES = (ChannelRef, MemberRef, Link, CommandRef)


class Rich(tuple[Part, ...]):
    """Text made of parts; `+` and `Rich.join` keep the parts, `str()` gives the plain text."""

    __slots__ = ()

    def __new__(cls, parts: Iterable[Part] = ()) -> Rich:  # noqa: D102
        return tuple.__new__(cls, parts)

    @classmethod
    def of(cls, *items: Text | Part) -> Rich:
        """Parts and texts one after another; adjacent bot text is merged, empty strings dropped."""
        return cls(_merged(items))

    @classmethod
    def join(cls, separator: str, items: Iterable[Text]) -> Rich:
        """Texts with bot text between them, like `str.join`."""
        spread: list[Text | Part] = []
        for item in items:
            if spread:
                spread.append(separator)
            spread.append(item)
        return cls(_merged(spread))

    def __add__(self, other: Any) -> Rich:
        if isinstance(other, tuple):
            return Rich(_merged((self, Rich(other))))
        return Rich(_merged((self, other)))

    def __radd__(self, other: Any) -> Rich:
        return Rich(_merged((other, self)))

    def __str__(self) -> str:
        return "".join(part if isinstance(part, str) else str(part) for part in self)

    # Compared with a str, a Rich is its plain text (so `"closed" in reply.text` reads as it would on a string).
    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str(self) == other
        return tuple.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(str(self))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item in str(self)
        return tuple.__contains__(self, item)

    def splitlines(self) -> list[str]:
        """The plain text's lines."""
        return str(self).splitlines()

    def split(self, separator: str | None = None) -> list[str]:
        """The plain text split, like `str.split`."""
        return str(self).split(separator)

    def startswith(self, prefix: str | tuple[str, ...]) -> bool:
        """Whether the plain text starts with prefix."""
        return str(self).startswith(prefix)

    def __repr__(self) -> str:
        return f"Rich({tuple.__repr__(self)})"

    @property
    def user_parts(self) -> list[str]:
        """The user text in it (for tests and checks)."""
        return [part for part in self if type(part) is UserText]


Text = str | Rich  # a plain str is trusted bot text


def _merged(items: Iterable[Text | Part]) -> list[Part]:
    out: list[Part] = []
    pending = ""
    for item in items:
        if type(item) is str:
            pending += item
            continue
        if isinstance(item, Rich):
            for part in item:
                if type(part) is str:
                    pending += part
                else:
                    if pending:
                        out.append(pending)
                        pending = ""
                    out.append(part)
        elif isinstance(item, str) and not item:
            continue  # an empty UserText
        else:
            if pending:
                out.append(pending)
                pending = ""
            out.append(item)  # UserText or a reference
    if pending:
        out.append(pending)
    return out


def user(text: str | None) -> Rich:
    """User text as a Rich of one part (empty when there is none)."""
    return Rich((UserText(text),)) if text else Rich()


def plain(text: Text, here: str | None = None) -> str:
    """The text as it reads, user parts without bidirectional controls (for plain-text places).

    Given `here`, the platform it is read on, a member of another platform reads with theirs: `Ana (Discord)`.
    """
    if type(text) is str:
        return text
    return "".join(strip_bidi(part) if type(part) is UserText else part if isinstance(part, str) else
                   strip_bidi(part.elsewhere) if here is not None and isinstance(part, MemberRef)
                   and part.platform != here else strip_bidi(str(part)) for part in text)


def platform_name(platform: str) -> str:
    """A platform's name as members read it: `Slack`, `Discord`; any other as it is stored."""
    return PLATFORM_NAMES.get(platform, platform)


def strip_bidi(text: str) -> str:
    """Text without bidirectional control characters, which could reorder what follows them."""
    return BIDI.sub("", text) if BIDI.search(text) else text


def to_json(text: Text) -> Any:
    """Text as JSON: a string for bot text alone, else a list of strings (bot text) and one-key objects."""
    if type(text) is str:
        return text
    if isinstance(text, UserText):
        return [{"u": str.__str__(text)}]
    out: list[Any] = []
    for part in text:
        kind = type(part)
        if kind is str:
            out.append(part)
        elif kind is UserText:
            out.append({"u": str.__str__(part)})
        elif kind is ChannelRef:
            out.append({"c": [part.platform, part.id, part.name]})  # type: ignore[union-attr]
        elif kind is MemberRef:
            out.append({"m": [part.platform, part.user_id, part.name]})  # type: ignore[union-attr]
        elif kind is CommandRef:
            out.append({"g": [part.name, part.admin, part.locale]})  # type: ignore[union-attr]
        else:
            out.append({"l": [part.url, part.label]})  # type: ignore[union-attr]
    return out


def from_json(value: Any, legacy: bool = False) -> Text:
    """Text stored by to_json; `legacy` payloads (before typed parts) held user text in plain strings."""
    if isinstance(value, str):
        return user(value) if legacy else value
    parts: list[Part] = []
    for item in value:
        if isinstance(item, str):
            parts.append(item)
        elif "u" in item:
            parts.append(UserText(item["u"]))
        elif "c" in item:
            parts.append(ChannelRef(*item["c"]))
        elif "m" in item:
            parts.append(MemberRef(*item["m"]))
        elif "g" in item:
            parts.append(CommandRef(*item["g"]))
        else:
            parts.append(Link(*item["l"]))
    return Rich(parts)
