"""Rendering neutral replies for Discord: cards as embeds, buttons as persistent DynamicItems, forms as modals.

A form becomes one modal per five inputs; a modal's custom_id carries the command, its arguments and the token of
the form kept in the database, so its submission is read from the interaction alone, by any replica.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.adapters.discord.translator import shown_name
from bot.core import types as core
from bot.core.buttons import BUTTON_ID
from bot.core.text import (
    ChannelRef,
    CommandRef,
    Link,
    MemberRef,
    Rich,
    Text,
    UserText,
    command_words,
    plain,
    strip_bidi,
)
from bot.core.types import Button, Card, Form, Reply

MAX_CONTENT = 2000
MAX_LONG_TEXT = 4096  # an embed's description: where text longer than a message's content goes
MAX_EMBEDS = 10
MAX_BUTTONS = 25
MAX_ROWS = 5  # rows of buttons in one message, at most 5 buttons each
MAX_LIST_CARDS = 4  # a page of a list: a row of buttons per gig, and the fifth row for the page's own buttons
PLATFORM = "discord"
MENTION = re.compile(r"<(?=[@#/]|a?:\w+:\d)")  # user, role, channel, command mentions and custom emoji
FORM_PREFIX = "gig:form:"
FORM_ID = re.compile(r"^gig:form:([a-z_]+):([0-9.]*):([0-9a-f]{16})$")
MODAL_INPUTS = 5
DATE_HINT = "YYYY-MM-DD"
STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}


def cut(text: str, limit: int) -> str:
    """Text within one of Discord's limits."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def escape(text: str, masked: bool = False) -> str:
    r"""User text made inert for Discord markdown, unchanged unless it holds markup that could disguise or ping.

    Masked links (`[label](url)`) lose their brackets to backslash escapes, and so do mention forms (`<@1>`,
    `<#1>`, `<@&1>`, `</cmd:1>`), so they show as typed; Discord hides the backslashes, so what a member copies is
    what was typed. Backslashes already there are escaped first, so a typed `\[` cannot undo ours.
    """
    text = strip_bidi(text)
    masked = masked or "](" in text
    if not masked and not MENTION.search(text):
        return text
    text = text.replace("\\", "\\\\")
    if masked:
        text = text.replace("[", "\\[").replace("]", "\\]")
    return MENTION.sub(lambda m: "\\" + m.group(0), text)


def spell(ref: CommandRef) -> str:
    """A command as Discord runs it, named as the reader's client shows it: `/gig-admin route add`, `/gig aide`."""
    return "/" + " ".join(shown_name(word, ref.locale) for word in command_words(ref.name, ref.admin, PLATFORM))


def spelled(text: Text) -> Text:
    """Text with the commands it names spelled as on Discord."""
    if type(text) is str or not any(type(part) is CommandRef for part in text):
        return text
    return Rich.of(*(spell(part) if type(part) is CommandRef else part for part in text))


def markdown(text: Text, mentions: bool = True) -> str:
    """Text for a place Discord parses as markdown; references become mentions where `mentions` (not in titles)."""
    if type(text) is str:
        return text
    text = spelled(text)
    out: list[str] = []
    for index, part in enumerate(text):
        kind = type(part)
        if kind is str:
            out.append(part)  # type: ignore[arg-type]
        elif kind is UserText:  # a `](` may also form across parts: `[Upwork]` then `(https://…)`
            after = text[index + 1] if index + 1 < len(text) else ""
            user_text = str(part)
            across = (user_text.startswith("(") and bool(out) and out[-1].endswith("]")) or (
                user_text.endswith("]") and str(after).startswith("("))
            out.append(escape(user_text, across))
        elif mentions and isinstance(part, ChannelRef) and part.platform == PLATFORM and part.id.isdigit():
            out.append(f"<#{part.id}>")
        elif mentions and isinstance(part, MemberRef) and part.platform == PLATFORM and part.user_id.isdigit():
            out.append(f"<@{part.user_id}>")
        elif isinstance(part, Link):
            label = part.label.replace("[", "").replace("]", "")
            url = part.url.replace(")", "%29").replace(" ", "%20")
            out.append(f"[{label}]({url})" if label and mentions else f"<{url}>" if mentions else str(part))
        elif isinstance(part, MemberRef) and part.platform != PLATFORM:  # no mention of theirs works here
            out.append(escape(part.elsewhere))
        else:  # a channel of another platform (or any reference in a title): its plain name
            out.append(escape(str(part)))
    return "".join(out)


def embed(card: Card) -> discord.Embed:
    """A card as an embed: title, description, inline fields, footer (plain text: shown exactly as typed)."""
    result = discord.Embed(title=cut(markdown(card.title, mentions=False), 256),
                           description=cut(markdown(card.body), 4096) or None, colour=discord.Colour.blurple())
    for item in card.fields[:25]:
        result.add_field(name=cut(markdown(item.label, mentions=False), 256), value=cut(markdown(item.value), 1024)
                         or "-", inline=True)
    if card.footer:
        result.set_footer(text=cut(plain(spelled(card.footer), PLATFORM), 2048))
    return result


class GigButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_ID.pattern):
    """Any button of the core's grammar gig:<action>:<value>; it works after restarts, whatever message holds it."""

    def __init__(self, button: Button, row: int | None = None) -> None:
        super().__init__(discord.ui.Button(label=cut(button.label, 80), custom_id=button.id, row=row,
                                           style=STYLES.get(button.style, discord.ButtonStyle.secondary)))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any],
                             match: Any) -> GigButton:
        """Rebuild the button from a pressed custom_id."""
        label = getattr(item, "label", None) or match.group(1)
        return cls(Button(label, match.group(0)))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Pressed: the client's adapter runs it as a core command."""
        await interaction.client.adapter.on_button(interaction, self.item.custom_id)


def view(rows: list[list[Button]]) -> discord.ui.View | None:
    """A persistent view of the buttons, row by row (at most 5 rows of 5)."""
    if not rows:
        return None
    result = discord.ui.View(timeout=None)
    for index, row in enumerate(rows[:MAX_ROWS]):
        for button in row[:5]:
            result.add_item(GigButton(button, index))
    return result


def button_rows(cards: tuple[Card, ...]) -> list[list[Button]]:
    """Each card's buttons on rows of their own, so a row belongs to one card.

    Discord shows every embed above every row, so when several cards have buttons each label names its card
    (`Apply #3`). Cards needing more than five rows share rows instead, in order.
    """
    with_buttons = [card for card in cards if card.buttons]
    named = len(with_buttons) > 1
    rows: list[list[Button]] = []
    for card in with_buttons:
        labelled = [Button(f"{b.label} {card.ref}", b.id, b.style) if named and card.ref else b
                    for b in card.buttons]
        rows += [labelled[start:start + 5] for start in range(0, len(labelled), 5)]
    if len(rows) <= MAX_ROWS:
        return rows
    flat = [button for row in rows for button in row][:MAX_BUTTONS]
    return [flat[start:start + 5] for start in range(0, len(flat), 5)]


@dataclass
class Message:
    """A reply as Discord message parts."""

    content: str | None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    files: list[core.Attachment] = field(default_factory=list)

    def send_kwargs(self, edit: bool = False) -> dict[str, Any]:
        """Keyword arguments for send_message, followup.send or channel.send (`edit`: for message.edit)."""
        kwargs: dict[str, Any] = {"content": self.content, "embeds": self.embeds,
                                  "allowed_mentions": discord.AllowedMentions.none()}
        if self.view is not None or edit:  # an edit without a view sends `components: []`: Discord keeps old ones
            kwargs["view"] = self.view
        if self.files:
            files = [discord.File(io.BytesIO(f.data), filename=f.filename) for f in self.files]
            kwargs["attachments" if edit else "files"] = files
        return kwargs


def message(reply: Reply | core.Message) -> Message:
    """A reply's text as content, its cards as embeds, each card's buttons on their own row (never a ping).

    The reply's own buttons (a list's Next page) get a row of their own after the cards' rows.
    """
    cards = reply.cards[:MAX_EMBEDS]
    own = [list(reply.buttons[:5])] if isinstance(reply, Reply) and reply.buttons else []
    files = list(reply.attachments)  # a reply's files go with the private answer
    text, embeds = markdown(reply.text), [embed(card) for card in cards]
    if len(text) > MAX_CONTENT and len(cards) < MAX_EMBEDS:  # a long answer (an admin's help) reads whole there
        embeds.insert(0, discord.Embed(description=cut(text, MAX_LONG_TEXT), colour=discord.Colour.blurple()))
        text = ""
    return Message(cut(text, MAX_CONTENT) or None, embeds, view(button_rows(cards)[:MAX_ROWS - len(own)] + own),
                   files)


def steps(form: Form) -> list[tuple[core.FormInput, ...]]:
    """A form's inputs in modals of at most five (Discord's limit), the first ones first."""
    return [form.inputs[start:start + MODAL_INPUTS] for start in range(0, len(form.inputs), MODAL_INPUTS)] or [()]


def form_id(form: Form, token: str) -> str:
    """A modal's custom_id: the command, its arguments and the token of the kept form (within 100 characters)."""
    action = form.command.replace(" ", "_")
    args = ".".join(form.args)
    built = f"{FORM_PREFIX}{action}:{args}:{token}"
    return built if len(built) <= 100 and FORM_ID.match(built) else f"{FORM_PREFIX}{action}::{token}"


def parse_form_id(custom_id: str) -> tuple[str, tuple[str, ...], str] | None:
    """The command, arguments and token a modal's custom_id carries; None if it is not one of ours."""
    match = FORM_ID.match(custom_id)
    if match is None:
        return None
    action, args, token = match.groups()
    return action.replace("_", " "), tuple(args.split(".")) if args else (), token


def modal(form: Form, token: str, step: int = 0, values: dict[str, str] | None = None) -> discord.ui.Modal:
    """One step of a form as a modal, filled with `values`; `(1/2)` in its title when the form has more steps."""
    pages = steps(form)
    suffix = f" ({step + 1}/{len(pages)})" if len(pages) > 1 else ""
    result = discord.ui.Modal(title=cut(form.title, 45 - len(suffix)) + suffix, custom_id=form_id(form, token),
                              timeout=None)
    for item in pages[step]:
        multiline = item.kind is core.InputKind.MULTILINE
        hint = item.placeholder or " / ".join(value for value, _ in item.choices) or (
            DATE_HINT if item.kind is core.InputKind.DATE else "")
        result.add_item(discord.ui.TextInput(
            label=cut(item.label, 45), custom_id=item.name, required=item.required,
            default=(values or {}).get(item.name, item.value) or None, placeholder=cut(hint, 100) or None,
            style=discord.TextStyle.paragraph if multiline else discord.TextStyle.short,
            max_length=4000 if multiline else 500))
    return result


def submitted(components: list[dict[str, Any]]) -> dict[str, str]:
    """The values of a MODAL_SUBMIT's components by custom_id: action rows of text inputs, or labels around one."""
    values: dict[str, str] = {}
    for row in components:
        for item in row.get("components") or [row.get("component") or {}]:
            if item.get("custom_id"):
                values[item["custom_id"]] = str(item.get("value") or ",".join(item.get("values") or []))
    return values
