"""Neutral types exchanged between adapters and the core."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
    locale: str | None = None  # the workspace's language (Discord's guild_locale): a new community's default


@dataclass(frozen=True)
class Button:
    """A button whose id follows the grammar `gig:<action>:<value>`."""

    label: str
    id: str
    style: str = "default"


@dataclass(frozen=True)
class Field:
    """A labelled value shown on a card."""

    label: str
    value: str


@dataclass(frozen=True)
class Card:
    """A rich message: title, body, fields, buttons and a footer line."""

    title: str
    body: str = ""
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    footer: str = ""


@dataclass(frozen=True)
class FormInput:
    """One input of a form; forms hold at most five (Discord's modal limit)."""

    name: str
    label: str
    value: str = ""
    multiline: bool = False
    required: bool = False
    placeholder: str = ""


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
class Reply:
    """What a command answers: text and cards, private to the actor unless `public`."""

    text: str = ""
    cards: tuple[Card, ...] = ()
    public: bool = False
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    ok: bool = True
    changed: bool = False  # the command wrote to the database (adapters refresh views such as Slack's App Home)
