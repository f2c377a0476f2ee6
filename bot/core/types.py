"""Neutral types exchanged between adapters and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.text import ChannelRef, CommandRef, Link, MemberRef, Rich, Text, UserText

__all__ = ["Actor", "Attachment", "Button", "Card", "ChannelRef", "CommandRef", "Field", "Form", "FormInput",
           "InputKind", "Link", "MemberRef", "Message", "Place", "Reply", "Rich", "Role", "Text", "Topic", "UserText"]


class Role(StrEnum):
    """Who may run a command; each role includes the ones before it."""

    MEMBER = "member"
    POSTER = "poster"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Order of the roles, lowest first."""
        return list(Role).index(self)


@dataclass(frozen=True)
class Actor:
    """The person who sent an invocation, as the platform knows them."""

    platform: str
    user_id: str
    display_name: str
    platform_admin: bool = False
    locale: str | None = None


@dataclass(frozen=True)
class Place:
    """Where an invocation happened: a workspace (Slack team, Discord guild) and a channel."""

    platform: str
    workspace_id: str
    channel_id: str
    channel_name: str = ""
    forms: bool = False  # the platform can open a form (a Slack or Discord modal) in answer
    max_cards: int | None = None  # the most cards one reply shows well there (a page of a list); None: no limit
    locale: str | None = None  # the workspace's language (Discord's guild_locale): a new community's default
    workspace_name: str = ""  # the Slack team's or Discord server's name, shown by `gig admin places`


@dataclass(frozen=True)
class Button:
    """A button whose id follows the grammar `gig:<action>:<value>`."""

    label: str
    id: str
    style: str = "default"


@dataclass(frozen=True)
class Field:
    """A labelled value shown on a card."""

    label: Text
    value: Text


@dataclass(frozen=True)
class Card:
    """A rich message: title, body, fields, buttons and a footer line."""

    title: Text
    body: Text = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: Text = ""
    ref: str = ""  # what the card is about in a few characters (`#3`): added to its buttons' labels where they
    # show apart from it (Discord puts every embed above every row of buttons)


class InputKind(StrEnum):
    """What an input takes; each platform renders it as best it can (a select, a date picker, a text box)."""

    TEXT = "text"
    MULTILINE = "multiline"
    CHOICE = "choice"
    DATE = "date"  # an ISO date, YYYY-MM-DD
    NUMBER = "number"  # a whole number


@dataclass(frozen=True)
class FormInput:
    """One input of a form; a form holds as many as the feature needs, and each renderer fits them to its platform."""

    name: str
    label: str
    value: str = ""
    kind: InputKind = InputKind.TEXT
    required: bool = False
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (value, label) pairs of a CHOICE input


@dataclass(frozen=True)
class Form:
    """A modal form; submitting it runs `command` with the inputs as options."""

    command: str
    title: str
    inputs: tuple[FormInput, ...]
    submit: str = ""
    args: tuple[str, ...] = ()
    cards: tuple[Card, ...] = ()  # context shown above the inputs where the platform can


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (a chart, an export)."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"


@dataclass(frozen=True)
class Reply:
    """What a command answers, privately to the actor: text and cards, or a form to open."""

    text: Text = ""
    cards: tuple[Card, ...] = ()
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    changed: bool = False  # the command wrote to the database (adapters refresh views such as Slack's App Home)
    buttons: tuple[Button, ...] = ()  # buttons of the reply itself, under its cards (a list's Next page)
    attachments: tuple[Attachment, ...] = ()  # files for the actor alone (`gig my-data`): each adapter delivers them
    gone: bool = False  # the actor's data was just deleted: adapters must not look them up again (no App Home)


@dataclass(frozen=True)
class Topic:
    """What a message heads: a gig's thread where the platform gives each gig one (a Discord forum post).

    `title` names the thread (plain text), `tags` are the gig's tags, `closed` says the gig no longer takes
    applications, and `closed_tag` is the name of the tag that marks closed threads, in the community's language.
    `retitle` asks an edit to rename and re-tag the thread too (after `gig edit` changed the title or tags).
    """

    title: str
    tags: tuple[str, ...] = ()
    closed: bool = False
    closed_tag: str = ""
    retitle: bool = False


@dataclass(frozen=True)
class Message:
    """What the bot sends through the outbox: text, cards, files, and the posting whose message it replaces."""

    text: Text = ""
    cards: tuple[Card, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    edits: int | None = None  # a posting id: this message replaces that posting's message in place
    topic: Topic | None = None  # the message heads this gig's thread where a channel keeps one per gig
