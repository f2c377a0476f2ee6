"""Rendering neutral replies for Discord: cards as embeds, buttons as persistent DynamicItems, forms as modals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import discord

from bot.core.buttons import BUTTON_ID
from bot.core.types import Button, Card, Form, Reply

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_BUTTONS = 25
STYLES = {"primary": discord.ButtonStyle.primary, "danger": discord.ButtonStyle.danger}


def cut(text: str, limit: int) -> str:
    """Text within one of Discord's limits."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def embed(card: Card) -> discord.Embed:
    """A card as an embed: title, description, inline fields, footer."""
    result = discord.Embed(title=cut(card.title, 256), description=cut(card.body, 4096) or None,
                           colour=discord.Colour.blurple())
    for item in card.fields[:25]:
        result.add_field(name=cut(item.label, 256), value=cut(item.value, 1024) or "-", inline=True)
    if card.footer:
        result.set_footer(text=cut(card.footer, 2048))
    return result


class GigButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=BUTTON_ID.pattern):
    """Any button of the core's grammar gig:<action>:<value>; it works after restarts, whatever message holds it."""

    def __init__(self, button: Button) -> None:
        super().__init__(discord.ui.Button(label=cut(button.label, 80), custom_id=button.id,
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


def view(buttons: list[Button]) -> discord.ui.View | None:
    """A persistent view of the buttons (at most 25)."""
    if not buttons:
        return None
    result = discord.ui.View(timeout=None)
    for button in buttons[:MAX_BUTTONS]:
        result.add_item(GigButton(button))
    return result


@dataclass
class Message:
    """A reply as Discord message parts."""

    content: str | None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for send_message, followup.send or channel.send."""
        kwargs: dict[str, Any] = {"content": self.content, "embeds": self.embeds,
                                  "allowed_mentions": discord.AllowedMentions.none()}
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs


def message(reply: Reply) -> Message:
    """A reply's text as content, its cards as embeds, every card's buttons in one view."""
    buttons = [button for card in reply.cards for button in card.buttons]
    return Message(cut(reply.text, MAX_CONTENT) or None, [embed(card) for card in reply.cards[:MAX_EMBEDS]],
                   view(buttons))


Submit = Callable[[discord.Interaction[Any], dict[str, str]], Awaitable[None]]


class GigModal(discord.ui.Modal):
    """A core form as a modal (Discord allows five inputs); its submission goes back to the adapter."""

    def __init__(self, form: Form, on_submit: Submit, values: dict[str, str] | None = None) -> None:
        super().__init__(title=cut(form.title, 45), custom_id=cut(f"gig:form:{form.command}", 100), timeout=None)
        self.form = form
        self.submit_to = on_submit
        self.inputs: dict[str, discord.ui.TextInput[Any]] = {}
        for item in form.inputs[:5]:
            text_input: discord.ui.TextInput[Any] = discord.ui.TextInput(
                label=cut(item.label, 45), custom_id=item.name, required=item.required,
                default=(values or {}).get(item.name, item.value) or None,
                placeholder=cut(item.placeholder, 100) or None,
                style=discord.TextStyle.paragraph if item.multiline else discord.TextStyle.short,
                max_length=4000 if item.multiline else 500)
            self.inputs[item.name] = text_input
            self.add_item(text_input)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Hand the typed values to the adapter."""
        await self.submit_to(interaction, {name: field.value or "" for name, field in self.inputs.items()})
